#include "config.h"
#include "hooks.h"
#include "log.h"
#include "process.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

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
    return spec_state_to_json(s, false, false, NULL);
}

static _Noreturn void exec_hook(const struct spec_hook *h, int in)
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
    memcpy(envp, h->env.items, h->env.n * sizeof(char *));
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(h->path, argv, envp);
    dprintf(2, "oci-rt: hook %s: exec: %s\n", h->path, strerror(errno));
    _exit(127);
}

/* Write the state to the hook's stdin; a hook that does not read it is
 * fine (EPIPE, with SIGPIPE ignored around the write). */
static void feed_state(int fd, const char *state)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ign, &old);
    write_all(fd, state, strlen(state));
    sigaction(SIGPIPE, &old, NULL);
}

static int wait_hook(pid_t pid, const struct spec_hook *h, const char *what, struct oci_err *err)
{
    int status;
    if (h->has_timeout) {
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd >= 0) {
            int r = process_wait_pidfd(pidfd, h->timeout * 1000);
            close(pidfd);
            if (r < 0) {
                kill(pid, SIGKILL);
                TEMP_FAILURE_RETRY_INT(waitpid(pid, &status, 0));
                return err_set(err, 0, "%s: timed out after %d s", what, h->timeout);
            }
        }
    }
    if (TEMP_FAILURE_RETRY_INT(waitpid(pid, &status, 0)) < 0)
        return err_set(err, errno, "%s: wait", what);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        return err_set(err, 0, "%s: exit status %d", what, WEXITSTATUS(status));
    return err_set(err, 0, "%s: killed by signal %d", what, WTERMSIG(status));
}

static int run_one(const struct spec_hook *h, const char *what, const char *state,
                   struct oci_err *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return err_set(err, errno, "%s: pipe", what);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return err_set(err, errno, "%s: fork", what);
    }
    if (pid == 0)
        exec_hook(h, p[0]);
    close(p[0]);
    feed_state(p[1], state);
    close(p[1]);
    return wait_hook(pid, h, what, err);
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
