/* Spawning and timing commands (see proc.h). */
#include "config.h"
#include "bench/proc.h"
#include "libcontainer/util.h"

#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

volatile sig_atomic_t bench_stop;

/* ------------------------------------------------------------ argv */

void bench_argv_add(struct bench_argv *a, const char *s)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
    }
    a->v[a->n++] = xstrdup(s);
    a->v[a->n] = NULL;
}

void bench_argv_addf(struct bench_argv *a, const char *fmt, ...)
{
    char *s;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    bench_argv_add(a, s);
    free(s);
}

void bench_argv_addv(struct bench_argv *a, char *const *v)
{
    for (; v && *v; v++)
        bench_argv_add(a, *v);
}

void bench_argv_free(struct bench_argv *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof(*a));
}

char *bench_argv_join(char *const *v)
{
    size_t len = 1;
    for (char *const *p = v; *p; p++)
        len += strlen(*p) + 1;
    char *s = xzalloc(len);
    for (char *const *p = v; *p; p++) {
        if (p != v)
            strcat(s, " ");
        strcat(s, *p);
    }
    return s;
}

/* ------------------------------------------------------------ spawn and wait */

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int new_memfd(const char *name, struct oci_err *err)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno, "memfd_create");
    return fd;
}

static int spawn_actions(posix_spawn_file_actions_t *fa, posix_spawnattr_t *at, int outfd,
                         int errfd)
{
    sigset_t none, def;
    sigemptyset(&none);
    sigemptyset(&def);
    sigaddset(&def, SIGINT);
    sigaddset(&def, SIGTERM);
    sigaddset(&def, SIGPIPE);
    if (posix_spawn_file_actions_init(fa) || posix_spawnattr_init(at))
        return -1;
    posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
    if (outfd >= 0)
        posix_spawn_file_actions_adddup2(fa, outfd, 1);
    else
        posix_spawn_file_actions_addopen(fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(fa, errfd, 2);
    posix_spawnattr_setpgroup(at, 0);
    posix_spawnattr_setsigmask(at, &none);
    posix_spawnattr_setsigdefault(at, &def);
    posix_spawnattr_setflags(at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                     POSIX_SPAWN_SETSIGDEF);
    return 0;
}

int bench_spawn(char *const *argv, bool capture, struct bench_proc *p, struct oci_err *err)
{
    memset(p, 0, sizeof(*p));
    p->outfd = p->errfd = p->pidfd = -1;
    if (capture && (p->outfd = new_memfd("ocibench-out", err)) < 0)
        return -1;
    if ((p->errfd = new_memfd("ocibench-err", err)) < 0)
        goto fail;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    if (spawn_actions(&fa, &at, p->outfd, p->errfd) < 0) {
        err_set(err, ENOMEM, "posix_spawn set-up");
        goto fail;
    }
    /* messages name the program; its arguments are paths of the run */
    const char *slash = strrchr(argv[0], '/');
    p->cmd = xstrdup(slash ? slash + 1 : argv[0]);
    p->t0 = bench_now();
    int rc = posix_spawnp(&p->pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        p->pid = 0;
        err_set(err, rc, "%s", argv[0]);
        free(p->cmd);
        p->cmd = NULL;
        goto fail;
    }
    p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
    if (p->pidfd < 0) {
        err_set(err, errno, "pidfd_open");
        bench_proc_kill(p);
        return -1;
    }
    fcntl(p->pidfd, F_SETFD, FD_CLOEXEC);
    return 0;
fail:
    if (p->outfd >= 0)
        close(p->outfd);
    if (p->errfd >= 0)
        close(p->errfd);
    p->outfd = p->errfd = -1;
    return -1;
}

static char *read_memfd(int fd)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return xstrdup("");
    size_t len = (size_t)st.st_size;
    char *buf = xmalloc(len + 1);
    ssize_t n = pread(fd, buf, len, 0);
    buf[n > 0 ? (size_t)n : 0] = '\0';
    return buf;
}

static void proc_close(struct bench_proc *p)
{
    if (p->pidfd >= 0)
        close(p->pidfd);
    if (p->outfd >= 0)
        close(p->outfd);
    if (p->errfd >= 0)
        close(p->errfd);
    p->pidfd = p->outfd = p->errfd = -1;
    p->pid = 0;
    free(p->cmd);
    p->cmd = NULL;
}

void bench_proc_kill(struct bench_proc *p)
{
    if (p->pid <= 0)
        return;
    kill(-p->pid, SIGKILL);
    kill(p->pid, SIGKILL);
    while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    proc_close(p);
}

/* The last non-empty line of s, at most 400 bytes, into buf; of a logrus
 * line (time="..." level=error msg="...") only the message. */
static const char *last_line(char *s, char *buf, size_t size)
{
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
        s[--len] = '\0';
    char *nl = strrchr(s, '\n');
    char *line = nl ? nl + 1 : s;
    char *msg = strstr(line, " msg=\"");
    if (msg && !strncmp(line, "time=", 5)) {
        line = msg + 6;
        char *end = line + strlen(line);
        if (end > line && end[-1] == '"')
            end[-1] = '\0';
    }
    snprintf(buf, size, "%s", line);
    return buf;
}

static int exit_error(struct bench_proc *p, int status, struct oci_err *err)
{
    _cleanup_free_ char *text = read_memfd(p->errfd);
    char line[400], how[64];
    if (WIFEXITED(status))
        snprintf(how, sizeof(how), "exit status %d", WEXITSTATUS(status));
    else
        snprintf(how, sizeof(how), "killed by signal %d", WTERMSIG(status));
    last_line(text, line, sizeof(line));
    return err_set(err, 0, "%s: %s%s%s", p->cmd, how, *line ? ": " : "", line);
}

/* stoppable: bench_stop ends the wait (clean-up commands are not stoppable) */
static int wait_exit(struct bench_proc *p, double timeout, bool stoppable, double *t1,
                     struct oci_err *err)
{
    double deadline = p->t0 + timeout;
    for (;;) {
        if (bench_stop && stoppable) {
            bench_proc_kill(p);
            return err_set(err, EINTR, "interrupted");
        }
        double left = deadline - bench_now();
        if (left <= 0) {
            err_set(err, 0, "%s: timed out after %.0f s", p->cmd, timeout);
            bench_proc_kill(p);
            return -1;
        }
        struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};
        int ms = left > 0.1 ? 100 : (int)ceil(left * 1000);
        int r = poll(&pfd, 1, ms);
        if (r > 0) {
            *t1 = bench_now();
            return 0;
        }
        if (r < 0 && errno != EINTR) {
            err_set(err, errno, "poll");
            bench_proc_kill(p);
            return -1;
        }
    }
}

static int wait_for(struct bench_proc *p, double timeout, bool stoppable, double *ms, char **out,
                    struct oci_err *err)
{
    double t1 = 0;
    if (wait_exit(p, timeout, stoppable, &t1, err) < 0)
        return -1;
    int status, rc = 0;
    while (waitpid(p->pid, &status, 0) < 0)
        if (errno != EINTR) {
            rc = err_set(err, errno, "waitpid");
            break;
        }
    if (rc == 0 && ms)
        *ms = (t1 - p->t0) * 1000.0;
    if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
        rc = exit_error(p, status, err);
    else if (rc == 0 && out)
        *out = read_memfd(p->outfd);
    p->pid = 0;
    proc_close(p);
    return rc;
}

int bench_wait(struct bench_proc *p, double timeout, double *ms, char **out, struct oci_err *err)
{
    return wait_for(p, timeout, true, ms, out, err);
}

int bench_exec(char *const *argv, double timeout, double *ms, char **out, struct oci_err *err)
{
    struct bench_proc p;
    if (bench_spawn(argv, out != NULL, &p, err) < 0)
        return -1;
    return wait_for(&p, timeout, true, ms, out, err);
}

int bench_exec_cleanup(char *const *argv, double timeout, struct oci_err *err)
{
    struct bench_proc p;
    if (bench_spawn(argv, false, &p, err) < 0)
        return -1;
    return wait_for(&p, timeout, false, NULL, NULL, err);
}

void bench_exec_quiet(char *const *argv, double timeout)
{
    struct oci_err err = {0};
    bench_exec_cleanup(argv, timeout, &err);
}

bool bench_proc_exited(const struct bench_proc *p)
{
    struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};
    return p->pid > 0 && poll(&pfd, 1, 0) > 0;
}

bool bench_sleep(double s)
{
    double end = bench_now() + s;
    while (!bench_stop) {
        double left = end - bench_now();
        if (left <= 0)
            return true;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)((left > 0.1 ? 0.1 : left) * 1e9)};
        nanosleep(&ts, NULL);
    }
    return false;
}
