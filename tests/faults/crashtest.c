/* crashtest: SIGKILL an OCI runtime in the middle of a lifecycle command,
 * at many points, and check what the next commands say and leave.
 *
 *   crashtest [-n TIMEKILLS] [-s] [-r REPEATS] RUNTIME ROOT BUNDLE COMMAND
 *
 * COMMAND: create, run (run -d), start, delete (delete --force), kill, exec
 * (exec -d). BUNDLE holds config.template.json: its "@ID@" strings become
 * each container's ID (the program writes /out/@ID@ when it starts, a bind
 * of BUNDLE/out, and carries FAULT_TAG=@ID@ in its environment).
 *
 * Kill points: with -s, each span boundary of the runtime process
 * (OCI_RT_FAULT_AT=k, oci-rt's test hook: k = 1, 2, ... until the command
 * completes), REPEATS times each; and TIMEKILLS kills at a random instant
 * 0.2 to 8 ms after the exec. After each kill:
 *   - `state ID` answers iff the state directory exists, with a status that
 *     is true (created: the program has not started; running: it has);
 *   - `list` shows the ID iff the state directory exists;
 *   - for start: a second start starts a created container, and says so
 *     for one that runs;
 *   - `delete --force ID` succeeds, and then nothing is left: no state
 *     directory, no cgroup named ID, no process carrying its tag, no mount
 *     under the bundle or the state directory.
 * Prints one line per finding and a summary line:
 *   crashtest COMMAND: kills K (span points P), leaks L, lies M
 * and exits 1 when anything was found. No libc beyond POSIX: it runs in
 * the test guest too. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *runtime, *root, *bundle, *command;
static char *template;
static unsigned leaks, lies, kills;

static void finding(unsigned *counter, const char *id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# %s: ", id);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    (*counter)++;
}

static char *read_all(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (ssize_t r; buf && (r = read(fd, buf + n, cap - n - 1)) > 0;) {
        n += (size_t)r;
        if (cap - n < 2)
            buf = realloc(buf, cap *= 2);
    }
    close(fd);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static void write_config(const char *id)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    for (const char *p = template; *p;) {
        const char *at = strstr(p, "@ID@");
        if (!at) {
            fputs(p, f);
            break;
        }
        fwrite(p, 1, (size_t)(at - p), f);
        fputs(id, f);
        p = at + 4;
    }
    fclose(f);
}

/* Run the runtime with args; its stdout in out (if not NULL). fault: the
 * span point to die at (0: none); delay_us: SIGKILL after that (0: none).
 * Returns the wait status. */
static int rt(const char *id, unsigned fault, long delay_us, char *out, size_t outlen,
              const char *const *args)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        exit(2);
    const char *argv[16] = {runtime, "--root", root};
    int n = 3;
    if (fault)
        argv[n++] = "--trace", argv[n++] = "/dev/null";
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        char f[32], tag[300];
        snprintf(f, sizeof(f), "%u", fault);
        snprintf(tag, sizeof(tag), "%s", id);
        if (fault)
            setenv("OCI_RT_FAULT_AT", f, 1);
        setenv("OCI_RT_FAULT_TAG", tag, 1);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(out ? p[1] : null, 1);
        dup2(null, 2);
        if (chdir(bundle) < 0)
            _exit(126);
        execv(runtime, (char **)argv);
        _exit(127);
    }
    close(p[1]);
    if (delay_us) {
        struct timespec ts = {delay_us / 1000000, (delay_us % 1000000) * 1000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
    }
    size_t got = 0;
    if (out) {
        for (ssize_t r; got + 1 < outlen && (r = read(p[0], out + got, outlen - got - 1)) > 0;)
            got += (size_t)r;
        out[got] = '\0';
    }
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    return st;
}

#define RT(id, out, len, ...) rt(id, 0, 0, out, len, (const char *const[]){__VA_ARGS__, NULL})

static bool killed(int st)
{
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

static bool dir_exists(const char *id)
{
    char p[4096];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", root, id);
    return stat(p, &st) == 0;
}

static bool started(const char *id)
{
    char p[4096];
    struct stat st;
    snprintf(p, sizeof(p), "%s/out/%s", bundle, id);
    return stat(p, &st) == 0;
}

/* The value of "key": in JSON text (a string or a number), in buf. */
static bool json_field(const char *json, const char *key, char *buf, size_t len)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    const char *p = strstr(json, pat);
    if (!p)
        return false;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    bool str = *p == '"';
    p += str;
    size_t n = 0;
    while (*p && n + 1 < len && (str ? *p != '"' : (*p != ',' && *p != '}' && *p != '\n')))
        buf[n++] = *p++;
    buf[n] = '\0';
    return true;
}

static bool pid_alive(int pid)
{
    char p[64];
    snprintf(p, sizeof(p), "/proc/%d/stat", pid);
    char *s = read_all(p);
    if (!s)
        return false;
    char *c = strrchr(s, ')');
    bool alive = c && c[2] != 'Z' && c[2] != 'X';
    free(s);
    return alive;
}

/* state and list agree with the state directory, and tell the truth. */
static const char *check_state(const char *id)
{
    static char status[32];
    char out[65536];
    bool exists = dir_exists(id);
    int st = RT(id, out, sizeof(out), "state", id);
    status[0] = '\0';
    if (exists && (!WIFEXITED(st) || WEXITSTATUS(st) != 0))
        finding(&lies, id, "state fails although its state directory exists");
    if (!exists && WIFEXITED(st) && WEXITSTATUS(st) == 0 && dir_exists(id) == false)
        finding(&lies, id, "state answers for a container that has no state directory");
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        char pid[32] = "0";
        json_field(out, "status", status, sizeof(status));
        json_field(out, "pid", pid, sizeof(pid));
        if ((!strcmp(status, "created") || !strcmp(status, "running")) && !pid_alive(atoi(pid))) {
            /* it may have died since (an init whose create was killed
             * follows it): only a state that still says so lies */
            char again[65536], st2[32] = "";
            if (WIFEXITED(RT(id, again, sizeof(again), "state", id)))
                json_field(again, "status", st2, sizeof(st2));
            if (!strcmp(st2, status))
                finding(&lies, id, "state says %s but process %s is gone", status, pid);
        }
        if (!strcmp(status, "created") && started(id))
            finding(&lies, id, "state says created but the program has started");
        if (!strcmp(status, "running") && !started(id)) {
            for (int i = 0; i < 100 && !started(id); i++)
                usleep(20000);
            if (!started(id) && pid_alive(atoi(pid)))
                finding(&lies, id, "state says running but the program never started");
        }
    }
    RT(id, out, sizeof(out), "list", "-q");
    bool listed = false;
    for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n"))
        listed |= !strcmp(l, id);
    if (listed != dir_exists(id))
        finding(&lies, id, "list %s it, its state directory %s", listed ? "shows" : "does not show",
                dir_exists(id) ? "exists" : "does not");
    return status;
}

/* Directories named id below dir (cgroups), up to depth levels. */
static int find_named(const char *dir, const char *id, int depth, char *hit, size_t len)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(d));) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (!strcmp(e->d_name, id)) {
            snprintf(hit, len, "%s", p);
            found = 1;
        } else if (depth > 1) {
            found = find_named(p, id, depth - 1, hit, len);
        }
    }
    closedir(d);
    return found;
}

static int tagged_process(const char *id)
{
    char tag[300];
    snprintf(tag, sizeof(tag), "FAULT_TAG=%s", id);
    DIR *d = opendir("/proc");
    int found = 0;
    for (struct dirent *e; d && !found && (e = readdir(d));) {
        int pid = atoi(e->d_name);
        if (pid <= 0 || pid == getpid())
            continue;
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/environ", pid);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        char buf[65536];
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] == '\0')
                buf[i] = '\n';
        if (n > 0) {
            buf[n] = '\0';
            if (strstr(buf, tag) && pid_alive(pid))
                found = pid;
        }
    }
    if (d)
        closedir(d);
    return found;
}

static void check_clean(const char *id)
{
    char out[4096], hit[4096];
    int st = RT(id, out, sizeof(out), "delete", "--force", id);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        finding(&leaks, id, "delete --force failed (status %d)", st);
    if (dir_exists(id))
        finding(&leaks, id, "state directory left");
    if (find_named("/sys/fs/cgroup", id, 4, hit, sizeof(hit)))
        finding(&leaks, id, "cgroup left: %s", hit);
    int pid = 0;
    for (int i = 0; i < 50 && (pid = tagged_process(id)); i++)
        usleep(20000);
    if (pid)
        finding(&leaks, id, "process %d left", pid);
    char *mi = read_all("/proc/self/mountinfo"), sd[4096];
    snprintf(sd, sizeof(sd), " %s/%s", root, id);
    if (mi && strstr(mi, sd))
        finding(&leaks, id, "mount left under %s/%s", root, id);
    free(mi);
}

/* The container in the state the command expects before it runs. */
static bool prepare(const char *id)
{
    write_config(id);
    if (!strcmp(command, "create") || !strcmp(command, "run"))
        return true;
    /* (the container keeps the stdio it gets: never a pipe we read) */
    int st = RT(id, NULL, 0, "create", id);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return false;
    if (!strcmp(command, "start"))
        return true;
    st = RT(id, NULL, 0, "start", id);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int attempt(const char *id, unsigned fault, long delay_us)
{
    const char *const create[] = {"create", id, NULL}, *const run[] = {"run", "-d", id, NULL},
                      *const start[] = {"start", id, NULL},
                      *const del[] = {"delete", "--force", id, NULL},
                      *const kl[] = {"kill", id, "KILL", NULL}, *const ex[] = {"exec", "-d",
                                                                               id,     "sleep",
                                                                               "600",  NULL};
    const char *const *args = !strcmp(command, "create")   ? create
                              : !strcmp(command, "run")    ? run
                              : !strcmp(command, "start")  ? start
                              : !strcmp(command, "delete") ? del
                              : !strcmp(command, "kill")   ? kl
                                                           : ex;
    return rt(id, fault, delay_us, NULL, 0, args);
}

/* After a killed start: a second one starts what is created, and refuses
 * what runs. */
static void check_restart(const char *id, const char *status)
{
    if (strcmp(status, "created") && strcmp(status, "running"))
        return;
    int st = RT(id, NULL, 0, "start", id);
    bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (!strcmp(status, "created") && !ok)
        finding(&lies, id, "a second start of a created container failed");
    if (!strcmp(status, "created") && ok) {
        for (int i = 0; i < 100 && !started(id); i++)
            usleep(20000);
        if (!started(id))
            finding(&lies, id, "a second start succeeded but the program did not start");
    }
    if (!strcmp(status, "running") && ok)
        finding(&lies, id, "a second start of a running container succeeded");
}

static bool one(const char *id, unsigned fault, long delay_us)
{
    if (!prepare(id)) {
        finding(&leaks, id, "could not prepare the container for %s", command);
        check_clean(id);
        return false;
    }
    int st = attempt(id, fault, delay_us);
    bool was_killed = killed(st);
    kills += was_killed;
    const char *status = check_state(id);
    if (!strcmp(command, "start") && was_killed)
        check_restart(id, status);
    check_clean(id);
    return was_killed;
}

int main(int argc, char **argv)
{
    int opt, timekills = 100, repeats = 1;
    bool spans = false;
    while ((opt = getopt(argc, argv, "n:sr:")) != -1) {
        if (opt == 'n')
            timekills = atoi(optarg);
        else if (opt == 's')
            spans = true;
        else if (opt == 'r')
            repeats = atoi(optarg);
        else
            return 2;
    }
    if (argc - optind != 4) {
        fprintf(stderr, "usage: crashtest [-n TIMEKILLS] [-s] [-r REPEATS] RUNTIME ROOT BUNDLE "
                        "create|run|start|delete|kill|exec\n");
        return 2;
    }
    runtime = argv[optind];
    root = argv[optind + 1];
    bundle = argv[optind + 2];
    command = argv[optind + 3];
    char tp[4096];
    snprintf(tp, sizeof(tp), "%s/config.template.json", bundle);
    if (!(template = read_all(tp))) {
        perror(tp);
        return 2;
    }
    srand((unsigned)getpid());
    char id[128];
    unsigned points = 0, serial = 0;
    for (unsigned k = 1; spans; k++) {
        bool any = false;
        for (int r = 0; r < repeats; r++) {
            snprintf(id, sizeof(id), "ct%d-%s-%u", getpid(), command, ++serial);
            any |= one(id, k, 0);
        }
        if (!any)
            break; /* the command got through: every point was tried */
        points = k;
        if (k > 2000)
            break;
    }
    for (int i = 0; i < timekills; i++) {
        snprintf(id, sizeof(id), "ct%d-%s-%u", getpid(), command, ++serial);
        one(id, 0, 200 + rand() % 7800);
    }
    printf("crashtest %s: kills %u (span points %u), leaks %u, lies %u\n", command, kills, points,
           leaks, lies);
    return leaks || lies ? 1 : 0;
}
