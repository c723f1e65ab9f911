/* A container in the foreground (run without --detach, restore): the
 * user's signals forwarded to its process, its terminal relayed, waited
 * for, then removed as a failed create is (spawn_undo). */
#include "config.h"
#include "foreground.h"
#include "notify.h"
#include "spawn.h"
#include "terminal.h"
#include "trace.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t forward_pid; /* > 0: forwarding on, to it */
static bool forwarding;            /* foreground_forward(pid, true) is in force */

/* A signal whose default action lets the process go on: it is ignored,
 * stops or continues it. */
static bool default_goes_on(int sig)
{
    return sig == SIGCONT || sig == SIGURG || sig == SIGWINCH || sig == SIGTSTP || sig == SIGTTIN ||
           sig == SIGTTOU;
}

/* A fault of this process itself (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 * SIGTRAP, SIGSYS raised by the kernel for an instruction, not sent by
 * someone): forwarded, the faulting instruction would run again and again. */
static bool own_fault(int sig, const siginfo_t *si)
{
    return si && si->si_code > 0 &&
           (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP ||
            sig == SIGSYS);
}

static void forward_signal(int sig, siginfo_t *si, void *uctx)
{
    (void)uctx;
    int saved = errno;
    bool fault = own_fault(sig, si);
    if (!fault && forward_pid > 0) {
        kill(forward_pid, sig);
    } else {
        /* the default action: a fault's when the instruction runs again (a
         * core); off, a signal whose default ends the process raised again,
         * taken when this handler returns */
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        sigaction(sig, &dfl, NULL);
        if (!fault)
            raise(sig);
    }
    errno = saved;
}

/* Every signal a user can send, but SIGKILL, SIGSTOP and SIGCHLD. */
static bool forwarded(int sig)
{
    return sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD;
}

void foreground_forward(pid_t pid, bool on)
{
    forward_pid = on ? pid : 0;
    if (on == forwarding)
        return; /* on again (run, then its wait) or never on: nothing to change */
    forwarding = on;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigfillset(&sa.sa_mask);
    if (on) {
        sa.sa_flags = SA_RESTART | SA_SIGINFO;
        sa.sa_sigaction = forward_signal;
    } else {
        sa.sa_flags = SA_RESTART;
        sa.sa_handler = SIG_DFL;
    }
    for (int sig = 1; sig < SIGRTMIN; sig++)
        if (forwarded(sig) && (on || default_goes_on(sig)))
            sigaction(sig, &sa, NULL);
}

static int wait_exit(struct container *c, int *exit_code)
{
    TRACE_BEGIN(span, "container process runs (wait)");
    int status = 0;
    int r;
    if (c->tty_master >= 0)
        r = terminal_relay(c->tty_master, c->pid, &status);
    else
        r = (int)TEMP_FAILURE_RETRY_INT(waitpid(c->pid, &status, 0));
    TRACE_END(span);
    if (r < 0)
        return -1;
    c->reaped = true;
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return 0;
}

int foreground_notify_relay(struct container *c, int nfd, struct oci_err *err)
{
    if (c->tty_master < 0)
        return notify_relay(nfd, c->o->notify_socket, c->pidfd, c->pid, err);
    pid_t r = fork();
    if (r == 0) {
        struct oci_err ignored = {0};
        _exit(notify_relay(nfd, c->o->notify_socket, c->pidfd, c->pid, &ignored) < 0);
    }
    return r < 0 ? err_set(err, errno, "NOTIFY_SOCKET: fork the relay") : 0;
}

int foreground_wait_delete(struct container *c, int *exit_code, struct oci_err *err)
{
    foreground_forward(c->pid, true);
    state_dir_lock(&c->sd, STATE_LOCK_NONE); /* others may look while it runs */
    int rc = wait_exit(c, exit_code);
    TRACE_BEGIN(del, "delete");
    foreground_forward(0, false);
    if (rc < 0)
        err_set(err, errno, "wait for the container process");
    state_dir_lock(&c->sd, STATE_LOCK_EXCLUSIVE);
    struct oci_err derr = {0};
    int drc = spawn_undo(c, true, rc < 0 ? &derr : err);
    TRACE_END_RC(del, drc);
    return rc < 0 ? rc : drc;
}
