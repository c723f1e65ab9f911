/* ocitest: a static helper that reports, from inside a container, what the
 * container sees.  Output is one `key=value` fact per line.
 * Build: gcc -static -O2 -Wall -Wextra -Werror -o ocitest ocitest.c
 * Exit codes: 0 ok, 1 operation failed, 2 usage error. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <netinet/in.h>

extern char **environ;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUFSZ 65536
#define MAX_FDS 4096

struct named {
    int value;
    const char *name;
};

/* clang-format off */
#define N(x) {x, #x}
/* clang-format on */
static const struct named errnos[] = {
    N(EPERM),           N(ENOENT),      N(ESRCH),        N(EINTR),        N(EIO),
    N(ENXIO),           N(E2BIG),       N(ENOEXEC),      N(EBADF),        N(ECHILD),
    N(EAGAIN),          N(ENOMEM),      N(EACCES),       N(EFAULT),       N(EBUSY),
    N(EEXIST),          N(EXDEV),       N(ENODEV),       N(ENOTDIR),      N(EISDIR),
    N(EINVAL),          N(ENFILE),      N(EMFILE),       N(ENOTTY),       N(ETXTBSY),
    N(EFBIG),           N(ENOSPC),      N(ESPIPE),       N(EROFS),        N(EMLINK),
    N(EPIPE),           N(EDOM),        N(ERANGE),       N(EDEADLK),      N(ENAMETOOLONG),
    N(ENOLCK),          N(ENOSYS),      N(ENOTEMPTY),    N(ELOOP),        N(ENOMSG),
    N(ENODATA),         N(EOVERFLOW),   N(EOPNOTSUPP),   N(EAFNOSUPPORT), N(EPROTONOSUPPORT),
    N(EADDRINUSE),      N(ENETUNREACH), N(ECONNREFUSED), N(ETIMEDOUT),    N(EDQUOT),
    N(ECANCELED),       N(ENOKEY),      N(EKEYREVOKED),  N(EKEYREJECTED), N(EOWNERDEAD),
    N(ENOTRECOVERABLE), N(ERFKILL),     N(EHWPOISON),    N(ENOTSOCK),     N(EUSERS),
};

static const struct named signals[] = {
    N(SIGHUP),  N(SIGINT),    N(SIGQUIT), N(SIGILL),  N(SIGTRAP),   N(SIGABRT), N(SIGBUS),
    N(SIGFPE),  N(SIGKILL),   N(SIGUSR1), N(SIGSEGV), N(SIGUSR2),   N(SIGPIPE), N(SIGALRM),
    N(SIGTERM), N(SIGSTKFLT), N(SIGCHLD), N(SIGCONT), N(SIGSTOP),   N(SIGTSTP), N(SIGTTIN),
    N(SIGTTOU), N(SIGURG),    N(SIGXCPU), N(SIGXFSZ), N(SIGVTALRM), N(SIGPROF), N(SIGWINCH),
    N(SIGIO),   N(SIGPWR),    N(SIGSYS),
};

static const struct named policies[] = {
    {0, "SCHED_OTHER"}, {1, "SCHED_FIFO"}, {2, "SCHED_RR"},
    {3, "SCHED_BATCH"}, {5, "SCHED_IDLE"}, {6, "SCHED_DEADLINE"},
};

static const struct named rlimits[] = {
    {RLIMIT_AS, "as"},           {RLIMIT_CORE, "core"},         {RLIMIT_CPU, "cpu"},
    {RLIMIT_DATA, "data"},       {RLIMIT_FSIZE, "fsize"},       {RLIMIT_LOCKS, "locks"},
    {RLIMIT_MEMLOCK, "memlock"}, {RLIMIT_MSGQUEUE, "msgqueue"}, {RLIMIT_NICE, "nice"},
    {RLIMIT_NOFILE, "nofile"},   {RLIMIT_NPROC, "nproc"},       {RLIMIT_RSS, "rss"},
    {RLIMIT_RTPRIO, "rtprio"},   {RLIMIT_RTTIME, "rttime"},     {RLIMIT_SIGPENDING, "sigpending"},
    {RLIMIT_STACK, "stack"},
};

static const char *const ioprio_classes[] = {"none", "rt", "be", "idle"};
static const char *const ns_types[] = {"mnt", "pid", "net", "uts", "ipc", "user", "cgroup", "time"};

static char buf[BUFSZ];

/* ---------- small utilities ---------- */

static const char *lookup(const struct named *t, size_t n, int value)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].value == value)
            return t[i].name;
    }
    return NULL;
}

static const char *errname(int e)
{
    static char num[16];
    const char *s = lookup(errnos, ARRAY_SIZE(errnos), e);
    if (s)
        return s;
    snprintf(num, sizeof(num), "%d", e);
    return num;
}

static const char *signame(int sig)
{
    static char name[24];
    const char *s = lookup(signals, ARRAY_SIZE(signals), sig);
    if (s)
        return s;
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        snprintf(name, sizeof(name), "SIGRTMIN+%d", sig - SIGRTMIN);
    } else {
        snprintf(name, sizeof(name), "SIG%d", sig);
    }
    return name;
}

/* Accepts "TERM", "SIGTERM", "15", "RTMIN+2"; returns -1 if unknown. */
static int parse_signal(const char *s)
{
    if (isdigit((unsigned char)s[0]))
        return atoi(s);
    if (strncmp(s, "SIG", 3) == 0)
        s += 3;
    if (strncmp(s, "RTMIN", 5) == 0)
        return SIGRTMIN + (s[5] == '+' ? atoi(s + 6) : 0);
    for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
        if (strcmp(signals[i].name + 3, s) == 0)
            return signals[i].value;
    }
    return -1;
}

static void kv(const char *key, const char *fmt, ...)
{
    va_list ap;
    printf("%s=", key);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* Reads a whole (small) file into b, NUL-terminated; returns length or -1. */
static ssize_t read_file(const char *path, char *b, size_t size)
{
    size_t len = 0;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    while (len + 1 < size && (n = read(fd, b + len, size - 1 - len)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        len += (size_t)n;
    }
    b[len] = '\0';
    close(fd);
    return (ssize_t)len;
}

/* Squeezes runs of blanks to one space and joins lines with ';', in place. */
static void squeeze(char *s)
{
    char *o = s;
    int sep = 0; /* 0 none, 1 space, 2 line break */
    for (char *p = s; *p; p++) {
        if (*p == '\n') {
            if (o != s)
                sep = 2;
        } else if (isspace((unsigned char)*p)) {
            if (o != s && sep == 0)
                sep = 1;
        } else {
            if (sep)
                *o++ = sep == 2 ? ';' : ' ';
            sep = 0;
            *o++ = *p;
        }
    }
    *o = '\0';
}

/* Prints key=<squeezed file content>, or key=none if unreadable. */
static void kv_file(const char *key, const char *path)
{
    if (read_file(path, buf, sizeof(buf)) < 0) {
        kv(key, "none");
        return;
    }
    squeeze(buf);
    kv(key, "%s", buf);
}

static int result(const char *op, int rc)
{
    if (rc < 0) {
        kv(op, "%s", errname(errno));
        return 1;
    }
    kv(op, "ok");
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_for(double secs)
{
    struct timespec ts, rem;
    if (secs <= 0)
        return;
    ts.tv_sec = (time_t)secs;
    ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
        ts = rem;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Collects open fds, sorted, excluding the directory fd used to list them. */
static int collect_fds(int *fds, int max)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    if (!d)
        return -1;
    while ((de = readdir(d)) != NULL && n < max) {
        if (de->d_name[0] == '.')
            continue;
        int fd = atoi(de->d_name);
        if (fd != dirfd(d))
            fds[n++] = fd;
    }
    closedir(d);
    qsort(fds, (size_t)n, sizeof(int), cmp_int);
    return n;
}

/* Finds "Name:\t<value>" in /proc/self/status text; copies value or "none". */
static const char *status_field(const char *status, const char *name)
{
    static char val[256];
    size_t len = strlen(name);
    const char *p = status;
    while (p && *p) {
        if (strncmp(p, name, len) == 0 && p[len] == ':') {
            p += len + 1;
            while (*p == ' ' || *p == '\t')
                p++;
            size_t n = strcspn(p, "\n");
            n = n < sizeof(val) - 1 ? n : sizeof(val) - 1;
            memcpy(val, p, n);
            val[n] = '\0';
            return val;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return "none";
}

/* ---------- report ---------- */

static void report_ids(void)
{
    uid_t r, e, s;
    gid_t rg, eg, sg;
    gid_t groups[1024];
    getresuid(&r, &e, &s);
    getresgid(&rg, &eg, &sg);
    kv("pid", "%d", (int)getpid());
    kv("ppid", "%d", (int)getppid());
    kv("uid", "%u", r);
    kv("gid", "%u", rg);
    kv("euid", "%u", e);
    kv("egid", "%u", eg);
    kv("suid", "%u", s);
    kv("sgid", "%u", sg);
    int n = getgroups((int)ARRAY_SIZE(groups), groups);
    printf("groups=");
    for (int i = 0; i < n; i++)
        printf(i ? ",%u" : "%u", groups[i]);
    putchar('\n');
}

static void report_process(void)
{
    struct utsname u;
    char cwd[4096];
    mode_t m = umask(0);
    umask(m);
    kv("umask", "%04o", (unsigned)m);
    kv("cwd", "%s", getcwd(cwd, sizeof(cwd)) ? cwd : errname(errno));
    if (uname(&u) == 0) {
        kv("hostname", "%s", u.nodename);
        kv("domainname", "%s", u.domainname);
    }
}

static void report_status(void)
{
    static const char *const caps[] = {"inh", "prm", "eff", "bnd", "amb"};
    static const char *const fields[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
    char key[16];
    if (read_file("/proc/self/status", buf, sizeof(buf)) < 0)
        buf[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
        snprintf(key, sizeof(key), "caps.%s", caps[i]);
        kv(key, "%s", status_field(buf, fields[i]));
    }
    kv("no_new_privs", "%d", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    kv("seccomp", "%s", status_field(buf, "Seccomp"));
    kv("seccomp_filters", "%s", status_field(buf, "Seccomp_filters"));
}

static void print_rlim(rlim_t v)
{
    if (v == RLIM_INFINITY) {
        printf("unlimited");
    } else {
        printf("%llu", (unsigned long long)v);
    }
}

static void report_rlimits(void)
{
    struct rlimit rl;
    for (size_t i = 0; i < ARRAY_SIZE(rlimits); i++) {
        printf("rlimit.%s=", rlimits[i].name);
        if (getrlimit((__rlimit_resource_t)rlimits[i].value, &rl) < 0) {
            printf("%s\n", errname(errno));
            continue;
        }
        print_rlim(rl.rlim_cur);
        putchar(':');
        print_rlim(rl.rlim_max);
        putchar('\n');
    }
}

static void report_sched(void)
{
    struct sched_param sp = {0};
    int pol = sched_getscheduler(0);
    int rof = pol >= 0 && (pol & SCHED_RESET_ON_FORK);
    const char *name;
    if (pol < 0) {
        name = errname(errno);
    } else {
        pol &= ~SCHED_RESET_ON_FORK;
        name = lookup(policies, ARRAY_SIZE(policies), pol);
    }
    kv("sched.policy", "%s", name ? name : "unknown");
    kv("sched.reset_on_fork", "%d", rof);
    sched_getparam(0, &sp);
    kv("sched.priority", "%d", sp.sched_priority);
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, 0);
    kv("sched.nice", "%d", errno ? 0 : nice);
}

static void report_ioprio(void)
{
    long v = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
    if (v < 0) {
        kv("ioprio.class", "%s", errname(errno));
        kv("ioprio.level", "0");
        return;
    }
    long cls = v >> 13;
    kv("ioprio.class", "%s", cls < 4 ? ioprio_classes[cls] : "unknown");
    kv("ioprio.level", "%ld", v & 0x7);
}

static void report_cpus(void)
{
    cpu_set_t set;
    int first = 1;
    if (sched_getaffinity(0, sizeof(set), &set) < 0) {
        kv("cpus", "%s", errname(errno));
        return;
    }
    printf("cpus=");
    for (int i = 0; i < CPU_SETSIZE; i++) {
        if (!CPU_ISSET(i, &set))
            continue;
        int j = i;
        while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, &set))
            j++;
        printf(first ? "%d" : ",%d", i);
        if (j > i)
            printf("-%d", j);
        first = 0;
        i = j;
    }
    putchar('\n');
}

static void report_files(void)
{
    kv("personality", "0x%x", (unsigned)personality(0xffffffff));
    kv_file("timens_offsets", "/proc/self/timens_offsets");
    /* With AppArmor active, attr/current holds the AppArmor label, not SELinux's. */
    if (access("/proc/self/attr/apparmor/current", F_OK) == 0 &&
        read_file("/proc/self/attr/apparmor/current", buf, sizeof(buf)) >= 0) {
        kv("label.selinux", "none");
    } else {
        kv_file("label.selinux", "/proc/self/attr/current");
    }
    kv_file("label.apparmor", "/proc/self/attr/apparmor/current");
    kv_file("uid_map", "/proc/self/uid_map");
    kv_file("gid_map", "/proc/self/gid_map");
}

static void report_ns(void)
{
    char path[64], link[128], key[32];
    for (size_t i = 0; i < ARRAY_SIZE(ns_types); i++) {
        snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_types[i]);
        snprintf(key, sizeof(key), "ns.%s", ns_types[i]);
        ssize_t n = readlink(path, link, sizeof(link) - 1);
        if (n < 0) {
            kv(key, "none");
            continue;
        }
        link[n] = '\0';
        char *p = strchr(link, '[');
        kv(key, "%.*s", p ? (int)strcspn(p + 1, "]") : (int)n, p ? p + 1 : link);
    }
}

static void report_misc(void)
{
    static int fds[MAX_FDS];
    struct statfs sf;
    int n = collect_fds(fds, MAX_FDS);
    long lines = 0;
    kv_file("cgroup", "/proc/self/cgroup");
    printf("fds=");
    for (int i = 0; i < n; i++)
        printf(i ? ",%d" : "%d", fds[i]);
    putchar('\n');
    FILE *f = fopen("/proc/self/mountinfo", "re");
    for (int c; f && (c = getc(f)) != EOF;)
        lines += c == '\n';
    if (f)
        fclose(f);
    kv("mounts", "%ld", lines);
    if (statfs("/", &sf) == 0) {
        kv("root_fs_type", "0x%lx", (unsigned long)sf.f_type);
    } else {
        kv("root_fs_type", "%s", errname(errno));
    }
    kv("tty", "%d", isatty(0));
    int envc = 0;
    while (environ && environ[envc])
        envc++;
    kv("env.count", "%d", envc);
}

static int cmd_report(char **argv)
{
    (void)argv;
    report_ids();
    report_process();
    report_status();
    report_rlimits();
    report_sched();
    report_ioprio();
    report_cpus();
    report_files();
    report_ns();
    report_misc();
    return 0;
}

/* ---------- simple inspection commands ---------- */

static int cmd_env(char **argv)
{
    (void)argv;
    for (char **e = environ; e && *e; e++)
        puts(*e);
    return 0;
}

static int cmd_fds(char **argv)
{
    static int fds[MAX_FDS];
    char path[64], target[4096];
    int n = collect_fds(fds, MAX_FDS);
    (void)argv;
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
        ssize_t len = readlink(path, target, sizeof(target) - 1);
        target[len < 0 ? 0 : len] = '\0';
        printf("fd.%d=%s\n", fds[i], len < 0 ? errname(errno) : target);
    }
    return n < 0;
}

static int cmd_mounts(char **argv)
{
    ssize_t n;
    int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    (void)argv;
    if (fd < 0)
        return result("mounts", -1);
    fflush(stdout);
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    close(fd);
    return 0;
}

static int cmd_open(char **argv)
{
    const char *m = argv[1] ? argv[1] : "r";
    int flags = strcmp(m, "rw") == 0 ? O_RDWR : strcmp(m, "w") == 0 ? O_WRONLY : O_RDONLY;
    int fd = open(argv[0], flags | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        kv("open", "%s (%s)", errname(e), strerror(e));
        return 1;
    }
    close(fd);
    kv("open", "ok");
    return 0;
}

static const struct named file_types[] = {
    {S_IFREG, "file"}, {S_IFDIR, "dir"}, {S_IFCHR, "chr"},   {S_IFBLK, "blk"},
    {S_IFIFO, "fifo"}, {S_IFLNK, "lnk"}, {S_IFSOCK, "sock"},
};

static int cmd_stat(char **argv)
{
    struct stat st;
    if (lstat(argv[0], &st) < 0)
        return result("stat", -1);
    const char *type = lookup(file_types, ARRAY_SIZE(file_types), (int)(st.st_mode & S_IFMT));
    kv("type", "%s", type ? type : "unknown");
    kv("mode", "%04o", (unsigned)(st.st_mode & 07777));
    kv("uid", "%u", st.st_uid);
    kv("gid", "%u", st.st_gid);
    kv("rdev", "%u:%u", major(st.st_rdev), minor(st.st_rdev));
    kv("size", "%lld", (long long)st.st_size);
    return 0;
}

static int cmd_write(char **argv)
{
    size_t len = strlen(argv[1]);
    int fd = open(argv[0], O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return result("write", -1);
    ssize_t n = write(fd, argv[1], len);
    int e = errno;
    if (close(fd) < 0 && n >= 0)
        return result("write", -1);
    errno = n < 0 ? e : EIO;
    return result("write", n == (ssize_t)len ? 0 : -1);
}

/* ---------- privileged operations ---------- */

static int cmd_mkdir(char **argv)
{
    return result("mkdir", mkdir(argv[0], 0755));
}

static int cmd_mount_tmpfs(char **argv)
{
    return result("mount-tmpfs", mount("tmpfs", argv[0], "tmpfs", 0, NULL));
}

static int cmd_umount(char **argv)
{
    return result("umount", umount2(argv[0], 0));
}

static int cmd_unshare_user(char **argv)
{
    (void)argv;
    return result("unshare-user", unshare(CLONE_NEWUSER));
}

static int cmd_chroot(char **argv)
{
    return result("chroot", chroot(argv[0]));
}

static int cmd_sethostname(char **argv)
{
    return result("sethostname", sethostname(argv[0], strlen(argv[0])));
}

/* ---------- raw syscalls (for seccomp tests); all are harmless ---------- */

static long sc_getpid(void)
{
    return syscall(SYS_getpid);
}

static long sc_getppid(void)
{
    return syscall(SYS_getppid);
}

static long sc_mkdir(void)
{
    long r = syscall(SYS_mkdir, "/tmp/ocitest-sc", 0755);
    if (r == 0)
        rmdir("/tmp/ocitest-sc");
    return r;
}

static long sc_chmod(void)
{
    struct stat st;
    mode_t mode = stat("/tmp", &st) == 0 ? st.st_mode & 07777 : 01777;
    return syscall(SYS_chmod, "/tmp", mode);
}

static long sc_uname(void)
{
    struct utsname u;
    return syscall(SYS_uname, &u);
}

static long sc_personality(void)
{
    return syscall(SYS_personality, 0xffffffffUL);
}

static long sc_unshare(void)
{
    return syscall(SYS_unshare, CLONE_NEWUTS);
}

static long sc_socket(void)
{
    long fd = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
    if (fd >= 0)
        close((int)fd);
    return fd;
}

/* An invalid architecture in flags: never loads or unloads anything, the
 * kernel answers EPERM (no CAP_SYS_BOOT) or EINVAL if the call got through. */
static long sc_kexec_load(void)
{
    return syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0xffff0000UL);
}

static long sc_keyctl(void)
{
    return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -4 /* USER_KEYRING */, 0);
}

/* Sets the hostname to its current value. */
static long sc_sethostname(void)
{
    struct utsname u;
    uname(&u);
    return syscall(SYS_sethostname, u.nodename, strlen(u.nodename));
}

static const struct {
    const char *name;
    long (*fn)(void);
} syscalls[] = {
    {"getpid", sc_getpid},
    {"getppid", sc_getppid},
    {"mkdir", sc_mkdir},
    {"chmod", sc_chmod},
    {"uname", sc_uname},
    {"personality", sc_personality},
    {"unshare", sc_unshare},
    {"socket", sc_socket},
    {"kexec_load", sc_kexec_load},
    {"keyctl", sc_keyctl},
    {"sethostname", sc_sethostname},
};

static int cmd_syscall(char **argv)
{
    for (size_t i = 0; i < ARRAY_SIZE(syscalls); i++) {
        if (strcmp(syscalls[i].name, argv[0]) != 0)
            continue;
        if (syscalls[i].fn() < 0) {
            int e = errno;
            kv("syscall", "%s %d", errname(e), e);
            return 1;
        }
        kv("syscall", "ok");
        return 0;
    }
    fprintf(stderr, "ocitest: unknown syscall '%s'\n", argv[0]);
    return 2;
}

/* ---------- process behaviour ---------- */

static int cmd_exit(char **argv)
{
    exit(atoi(argv[0]));
}

static int cmd_kill_self(char **argv)
{
    sigset_t set;
    int sig = parse_signal(argv[0]);
    if (sig <= 0 || sig >= NSIG) {
        fprintf(stderr, "ocitest: unknown signal '%s'\n", argv[0]);
        return 2;
    }
    fflush(stdout);
    signal(sig, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    kv("kill-self", "survived");
    return 1;
}

static int cmd_sleep(char **argv)
{
    sleep_for(strtod(argv[0], NULL));
    return 0;
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    if (!got_signal)
        got_signal = sig;
}

static int cmd_wait_signal(char **argv)
{
    struct sigaction sa;
    sigset_t all, none;
    (void)argv;
    sigfillset(&all);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &all, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            sigaction(sig, &sa, NULL); /* glibc-reserved ones fail; fine */
        }
    }
    printf("ready\n");
    fflush(stdout);
    while (!got_signal)
        sigsuspend(&none);
    kv("signal", "%s", signame(got_signal));
    return 0;
}

static int cmd_spin(char **argv)
{
    struct rusage ru;
    volatile unsigned long x = 0;
    double end = now() + strtod(argv[0], NULL);
    while (now() < end) {
        for (int i = 0; i < 100000; i++)
            x++;
    }
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    kv("cpu", "%.3f", cpu);
    return 0;
}

static void *volatile alloc_head; /* keeps the chunks reachable */

static int cmd_alloc(char **argv)
{
    const size_t mib = 1024 * 1024;
    long want = atol(argv[0]);
    for (long n = 1; n <= want; n++) {
        char *p = malloc(mib);
        if (!p)
            return result("alloc", -1);
        memset(p, 0x5a, mib);
        *(void **)p = alloc_head;
        alloc_head = p;
        if (n % 16 == 0) {
            kv("allocated", "%ld", n);
            fflush(stdout);
        }
    }
    printf("done\n");
    fflush(stdout);
    sleep_for(1);
    return 0;
}

static int cmd_forkbomb(char **argv)
{
    long want = atol(argv[0]), k = 0;
    pid_t *pids = calloc(want > 0 ? (size_t)want : 1, sizeof(pid_t));
    int err = 0;
    if (!pids)
        return result("forkbomb", -1);
    fflush(stdout);
    for (; k < want; k++) {
        pid_t pid = fork();
        if (pid < 0) {
            err = errno;
            break;
        }
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            sleep(30);
            _exit(0);
        }
        pids[k] = pid;
    }
    kv("forked", "%ld", k);
    kv("fork_error", "%s", err ? errname(err) : "none");
    for (long i = 0; i < k; i++)
        kill(pids[i], SIGKILL);
    for (long i = 0; i < k; i++)
        waitpid(pids[i], NULL, 0);
    free(pids);
    return 0;
}

/* Numbers only grow in length, so rewriting at offset 0 never leaves stale
 * digits and a reader never sees an empty file after the first write. */
static int cmd_counter(char **argv)
{
    char num[32];
    int fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return result("counter", -1);
    for (unsigned long long i = 1;; i++) {
        int len = snprintf(num, sizeof(num), "%llu\n", i);
        if (pwrite(fd, num, (size_t)len, 0) < 0)
            return result("counter", -1);
        sleep_for(0.01);
    }
}

static int cmd_exe_write(char **argv)
{
    (void)argv;
    int fd = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
    if (fd >= 0)
        close(fd);
    return result("exe_write", fd);
}

/* sd_notify: one datagram to $NOTIFY_SOCKET ("\n" in TEXT is a newline) */
static int cmd_notify(char **argv)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path) {
        kv("notify", "no NOTIFY_SOCKET");
        return 1;
    }
    char msg[4096];
    size_t n = 0;
    for (const char *p = argv[0]; *p && n < sizeof(msg) - 1; p++) {
        if (p[0] == '\\' && p[1] == 'n') {
            msg[n++] = '\n';
            p++;
        } else {
            msg[n++] = *p;
        }
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || sendto(fd, msg, n, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        kv("notify", "%s", errname(errno));
        return 1;
    }
    close(fd);
    kv("notify", "sent");
    return 0;
}

/* ---------- dispatch ---------- */

static int cmd_help(char **argv);

static const struct command {
    const char *name;
    int min_args, max_args;
    int (*fn)(char **argv);
    const char *usage;
} commands[] = {
    {"report", 0, 0, cmd_report, "report                 all facts as key=value lines"},
    {"env", 0, 0, cmd_env, "env                    print the environment"},
    {"fds", 0, 0, cmd_fds, "fds                    fd.N=<target> for each open fd"},
    {"mounts", 0, 0, cmd_mounts, "mounts                 print /proc/self/mountinfo"},
    {"open", 1, 2, cmd_open, "open PATH [r|w|rw]     try to open PATH"},
    {"stat", 1, 1, cmd_stat, "stat PATH              lstat: type mode uid gid rdev size"},
    {"write", 2, 2, cmd_write, "write PATH TEXT        write TEXT (O_CREAT|O_TRUNC)"},
    {"mkdir", 1, 1, cmd_mkdir, "mkdir PATH"},
    {"mount-tmpfs", 1, 1, cmd_mount_tmpfs, "mount-tmpfs PATH"},
    {"umount", 1, 1, cmd_umount, "umount PATH"},
    {"unshare-user", 0, 0, cmd_unshare_user, "unshare-user           unshare(CLONE_NEWUSER)"},
    {"chroot", 1, 1, cmd_chroot, "chroot PATH"},
    {"sethostname", 1, 1, cmd_sethostname, "sethostname NAME"},
    {"syscall", 1, 1, cmd_syscall,
     "syscall NAME           raw syscall: getpid getppid mkdir chmod uname personality\n"
     "                         unshare socket kexec_load keyctl sethostname"},
    {"exit", 1, 1, cmd_exit, "exit N"},
    {"notify", 1, 1, cmd_notify, "notify TEXT            sd_notify TEXT to $NOTIFY_SOCKET"},
    {"kill-self", 1, 1, cmd_kill_self, "kill-self SIGNAME      raise SIGNAME with default action"},
    {"sleep", 1, 1, cmd_sleep, "sleep SECONDS          (fractions allowed)"},
    {"wait-signal", 0, 0, cmd_wait_signal,
     "wait-signal            print ready, then signal=<NAME>"},
    {"spin", 1, 1, cmd_spin, "spin SECONDS           burn CPU, then print cpu=<seconds used>"},
    {"alloc", 1, 1, cmd_alloc, "alloc MB               allocate and touch MB MiB"},
    {"forkbomb", 1, 1, cmd_forkbomb, "forkbomb N             fork N sleeping children"},
    {"counter", 1, 1, cmd_counter, "counter FILE           write an increasing integer every 10ms"},
    {"exe-write", 0, 0, cmd_exe_write,
     "exe-write              try to open /proc/self/exe for writing"},
    {"--help", 0, 0, cmd_help, "--help                 this text"},
};

static int cmd_help(char **argv)
{
    (void)argv;
    printf("usage: ocitest COMMAND [ARGS]\n"
           "Prints key=value lines; exit 0 ok, 1 failed, 2 usage.\n\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        printf("  %s\n", commands[i].usage);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        cmd_help(NULL);
        return 2;
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const struct command *c = &commands[i];
        if (strcmp(c->name, argv[1]) != 0 && !(strcmp(argv[1], "-h") == 0 && c->fn == cmd_help))
            continue;
        int nargs = argc - 2;
        if (nargs < c->min_args || nargs > c->max_args) {
            fprintf(stderr, "usage: ocitest %s\n", c->usage);
            return 2;
        }
        return c->fn(argv + 2);
    }
    fprintf(stderr, "ocitest: unknown command '%s' (try --help)\n", argv[1]);
    return 2;
}
