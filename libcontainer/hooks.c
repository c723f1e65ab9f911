#include "config.h"
#include "exec_stub.h"
#include "hooks.h"
#include "sync.h"
#include "log.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

unsigned hooks_kinds(const struct spec_hooks *h)
{
    unsigned bits = 0;
    for (int k = 0; k < SPEC_HOOK_KINDS; k++)
        if (h->n[k])
            bits |= 1u << k;
    return bits;
}

char *hooks_state_json(const struct spec_state *s)
{
    char *json = spec_state_to_json(s, false, false, NULL);
    if (!json)
        abort(); /* out of memory (error.h) */
    return json;
}

/* The hook process: state on stdin, an exec failure reported through
 * errpipe (close-on-exec: EOF means the exec worked). */
static _Noreturn void exec_hook(const struct spec_hook *h, int in, int errpipe)
{
    if (dup2(in, 0) < 0)
        _exit(127);
    char *argv_default[] = {h->path, NULL};
    char **argv = argv_default;
    if (h->args.n) {
        argv = calloc(h->args.n + 1, sizeof(char *));
        if (!argv)
            _exit(127);
        memcpy(argv, h->args.items, h->args.n * sizeof(char *));
    }
    char **envp = calloc(h->env.n + 1, sizeof(char *));
    if (!envp)
        _exit(127);
    if (h->env.n) /* items is NULL when there is none */
        memcpy(envp, h->env.items, h->env.n * sizeof(char *));
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    exec_stub_execve(errpipe, h->path, argv, envp);
    /* the stub could not run: report as the stub would */
    struct sync_hdr msg = {SYNC_EXEC_ERROR, errno};
    if (write(errpipe, &msg, sizeof(msg)) < 0)
        _exit(127);
    _exit(127);
}

/* Feed the state to stdin while waiting for the hook to exit, within its
 * timeout: a hook may not read its stdin at all (its pipe fills). */
static int feed_and_wait(int in, int pidfd, const char *state, const struct spec_hook *h)
{
    size_t len = strlen(state), off = 0;
    uint64_t deadline = h->has_timeout ? now_ms() + (uint64_t)h->timeout * 1000 : 0;
    fcntl(in, F_SETFL, O_NONBLOCK);
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ign, &old);
    int rc = -1;
    for (;;) {
        struct pollfd p[2] = {{pidfd, POLLIN, 0}, {in, POLLOUT, 0}};
        int wait = -1;
        if (deadline) {
            uint64_t now = now_ms();
            if (now >= deadline)
                break; /* timed out */
            wait = (int)(deadline - now);
        }
        int r = (int)TEMP_FAILURE_RETRY_INT(poll(p, in >= 0 ? 2 : 1, wait));
        if (r < 0)
            break;
        if (p[0].revents & POLLIN) {
            rc = 0; /* exited */
            break;
        }
        if (in >= 0 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(in, state + off, len - off);
            if (w > 0)
                off += (size_t)w;
            if ((w < 0 && errno != EAGAIN) || off == len) {
                close(in); /* all written, or the hook closed its stdin */
                in = -1;
            }
        }
    }
    if (in >= 0)
        close(in);
    sigaction(SIGPIPE, &old, NULL);
    return rc;
}

static int run_one(const struct spec_hook *h, const char *what, const char *state,
                   struct oci_err *err)
{
    int in[2], ep[2];
    if (pipe2(in, O_CLOEXEC) < 0)
        return err_set(err, errno, "%s: pipe", what);
    if (pipe2(ep, O_CLOEXEC) < 0) {
        close(in[0]);
        close(in[1]);
        return err_set(err, errno, "%s: pipe", what);
    }
    pid_t pid = fork();
    if (pid == 0)
        exec_hook(h, in[0], ep[1]);
    close(in[0]);
    close(ep[1]);
    if (pid < 0) {
        close(in[1]);
        close(ep[0]);
        return err_set(err, errno, "%s: fork", what);
    }
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int timed_out = pidfd >= 0 && feed_and_wait(in[1], pidfd, state, h) < 0;
    if (pidfd < 0)
        close(in[1]);
    if (pidfd >= 0)
        close(pidfd);
    int status = 0, exec_errno = 0;
    if (timed_out)
        kill(pid, SIGKILL);
    TEMP_FAILURE_RETRY_INT(waitpid(pid, &status, 0));
    char msg[sizeof(struct sync_hdr) + 4096];
    struct sync_hdr hdr;
    if (read(ep[0], msg, sizeof(msg)) >= (ssize_t)sizeof(hdr)) {
        memcpy(&hdr, msg, sizeof(hdr));
        if (hdr.type == SYNC_EXEC_ERROR)
            exec_errno = hdr.value;
    }
    close(ep[0]);
    if (timed_out)
        return err_set(err, 0, "%s: timed out after %d s", what, h->timeout);
    if (exec_errno)
        return err_set(err, exec_errno, "%s: exec", what);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        return err_set(err, 0, "%s: exit status %d", what, WEXITSTATUS(status));
    return err_set(err, 0, "%s: killed by signal %d", what, WTERMSIG(status));
}

int hooks_run(const struct spec_hooks *h, enum spec_hook_kind kind, const char *state_json,
              struct oci_err *err)
{
    for (size_t i = 0; i < h->n[kind]; i++) {
        const struct spec_hook *hook = &h->items[kind][i];
        char what[512];
        snprintf(what, sizeof(what), "hooks.%s[%zu] %s", spec_hook_kind_names[kind], i, hook->path);
        TRACE_BEGINF(span, "hook %s %s", spec_hook_kind_names[kind], hook->path);
        int rc = run_one(hook, what, state_json, err);
        TRACE_END_RC(span, rc);
        if (rc < 0)
            return -1;
    }
    return 0;
}

void hooks_run_warn(const struct spec_hooks *h, enum spec_hook_kind kind, const char *state_json)
{
    for (size_t i = 0; i < h->n[kind]; i++) {
        const struct spec_hook *hook = &h->items[kind][i];
        char what[512];
        snprintf(what, sizeof(what), "hooks.%s[%zu] %s", spec_hook_kind_names[kind], i, hook->path);
        struct oci_err err = {0};
        TRACE_BEGINF(span, "hook %s %s", spec_hook_kind_names[kind], hook->path);
        int rc = run_one(hook, what, state_json, &err);
        TRACE_END_RC(span, rc);
        if (rc < 0)
            log_warn("%s", err.msg);
    }
}
