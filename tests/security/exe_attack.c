/* exe_attack: the attacker side of the CVE-2019-5736 class tests
 * (tests/security/exe.bats). Never writes anything: a successful
 * open(..., O_WRONLY) of the runtime's binary is the finding (of a memfd
 * sealed against writes it is reported as "sealed").
 *
 * Built twice by the tests:
 *
 *   gcc -static -O2 -o exe_attack exe_attack.c
 *     exe_attack probe PID SECONDS STARTFILE
 *       For SECONDS, tries to open /proc/PID/exe for writing, read-only and
 *       O_PATH, keeping any fd it gets; once STARTFILE exists (the other
 *       container was started: PID has exec'd and the runtime has exited),
 *       tries to reopen each kept fd through /proc/self/fd for writing.
 *       Prints one line per distinct outcome: <what>=ok|<errno name>, and
 *       got=<st_dev>:<st_ino> for each file it got an fd of.
 *
 *   gcc -DINTERP -static -nostdlib -fno-stack-protector -fno-builtin -O2 -o ld.so exe_attack.c
 *     An ELF interpreter with no libc: an image puts it at the path of the
 *     runtime's PT_INTERP and runs a script "#!/proc/self/exe", so that,
 *     where /proc/self/exe is the runtime's own (dynamic) binary, the
 *     kernel runs it with this as its interpreter (oci-rt's static exec
 *     stub loads none: exe.bats tells the two cases apart).
 *     It prints interp.exe_write=<errno>, keeps an O_PATH fd of
 *     /proc/self/exe as fd 9 and execs /stage2 (which retries the write
 *     through /proc/self/fd/9 once the runtime has exited).
 */
#define _GNU_SOURCE

#ifdef INTERP

#include <asm/unistd.h>
#include <fcntl.h>

static long sc3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static unsigned long len(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

static void out(const char *s)
{
    sc3(__NR_write, 1, (long)s, (long)len(s));
}

static void out_rc(const char *key, long rc)
{
    char num[24];
    int i = (int)sizeof(num) - 1;
    unsigned long v = (unsigned long)(rc < 0 ? -rc : 0);
    num[i] = '\0';
    do {
        num[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v && i > 0);
    out(key);
    out(rc >= 0 ? "ok" : "errno ");
    if (rc < 0)
        out(num + i);
    out("\n");
}

void interp_main(void)
{
    out("interp.ran=1\n");
    long w = sc3(__NR_open, (long)"/proc/self/exe", O_WRONLY, 0);
    out_rc("interp.exe_write=", w);
    if (w >= 0)
        sc3(__NR_close, w, 0, 0);
    long p = sc3(__NR_open, (long)"/proc/self/exe", O_PATH, 0);
    out_rc("interp.exe_opath=", p);
    if (p >= 0 && p != 9) {
        sc3(__NR_dup2, p, 9, 0);
        sc3(__NR_close, p, 0, 0);
    }
    char *argv[] = {"/stage2", 0};
    char *envp[] = {"PATH=/usr/bin:/bin", 0};
    sc3(__NR_execve, (long)"/stage2", (long)argv, (long)envp);
    out("interp.exec_stage2=failed\n");
    sc3(__NR_exit_group, 1, 0, 0);
}

__asm__(".globl _start\n"
        "_start:\n"
        "  xor %rbp, %rbp\n"
        "  and $-16, %rsp\n"
        "  call interp_main\n"
        "  hlt\n");

#else

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_KEPT 64

static const char *ename(int e)
{
    switch (e) {
    case EACCES:
        return "EACCES";
    case EPERM:
        return "EPERM";
    case ETXTBSY:
        return "ETXTBSY";
    case ENOENT:
        return "ENOENT";
    case ESRCH:
        return "ESRCH";
    case EROFS:
        return "EROFS";
    case EBADF:
        return "EBADF";
    case ELOOP:
        return "ELOOP";
    case ENXIO:
        return "ENXIO";
    default:
        return "EOTHER";
    }
}

/* Prints key=value once per distinct value. */
static void note(const char *key, const char *value)
{
    static char seen[64][96];
    static int n;
    char kv[96];
    snprintf(kv, sizeof(kv), "%s=%s", key, value);
    for (int i = 0; i < n; i++)
        if (strcmp(seen[i], kv) == 0)
            return;
    if (n < 64)
        strcpy(seen[n++], kv);
    printf("%s\n", kv);
    fflush(stdout);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5 || strcmp(argv[1], "probe") != 0) {
        fprintf(stderr, "usage: exe_attack probe PID SECONDS STARTFILE\n");
        return 2;
    }
    char exe[64], self[64];
    snprintf(exe, sizeof(exe), "/proc/%s/exe", argv[2]);
    double end = now() + atof(argv[3]);
    int kept[MAX_KEPT], nkept = 0, started = 0;
    static const struct {
        const char *key;
        int flags;
    } tries[] = {{"exe_write", O_WRONLY}, {"exe_read", O_RDONLY}, {"exe_opath", O_PATH}};
    printf("ready\n");
    fflush(stdout);
    while (now() < end) {
        if (!started) {
            for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
                int fd = open(exe, tries[i].flags | O_CLOEXEC);
                if (fd < 0) {
                    note(tries[i].key, ename(errno));
                    continue;
                }
                note(tries[i].key, "ok");
                struct stat st;
                char id[48];
                fstat(fd, &st);
                snprintf(id, sizeof(id), "%lu:%lu", (unsigned long)st.st_dev,
                         (unsigned long)st.st_ino);
                note("got", id);
                if (tries[i].flags == O_WRONLY || nkept == MAX_KEPT)
                    close(fd);
                else
                    kept[nkept++] = fd;
            }
            started = access(argv[4], F_OK) == 0;
        } else {
            for (int i = 0; i < nkept; i++) {
                struct stat st;
                char key[64];
                fstat(kept[i], &st);
                snprintf(key, sizeof(key), "reopen_write.%lu:%lu", (unsigned long)st.st_dev,
                         (unsigned long)st.st_ino);
                snprintf(self, sizeof(self), "/proc/self/fd/%d", kept[i]);
                int fd = open(self, O_WRONLY | O_CLOEXEC);
                if (fd < 0) {
                    note(key, ename(errno));
                } else {
                    /* a sealed memfd (oci-rt's exec stub, caught between
                     * its exec and the program's) opens for writing, but
                     * no byte of it can change: not a finding */
                    int seals = fcntl(fd, F_GET_SEALS);
                    note(key, seals >= 0 && (seals & F_SEAL_WRITE) ? "sealed" : "ok");
                    close(fd);
                }
            }
            if (!nkept)
                break;
        }
        usleep(2000);
    }
    printf("kept=%d\nstarted=%d\ndone\n", nkept, started);
    return 0;
}

#endif
