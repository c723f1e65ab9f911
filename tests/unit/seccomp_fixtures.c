/* See seccomp_fixtures.h. */
#include "seccomp_fixtures.h"
#include "libcontainer/error.h"
#include "libcontainer/log.h"
#include "specs/state.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

const char *srcdir(void)
{
    const char *s = getenv("srcdir");
    return s && *s ? s : ".";
}

char *read_fixture(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/tests/unit/data/seccomp/%s", srcdir(), name);
    FILE *f = fopen(path, "re");
    ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&buf, &cap, '\0', f);
    ck_assert_int_gt(n, 0);
    fclose(f);
    return buf;
}

/* A config.json around a linux.seccomp object; ' becomes ". */
struct spec_config *config_with(const char *seccomp)
{
    char *doc = NULL;
    ck_assert_int_ge(asprintf(&doc,
                              "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, "
                              "\"linux\": {\"seccomp\": %s}}",
                              seccomp),
                     0);
    for (char *p = doc; *p; p++)
        if (*p == '\'')
            *p = '"';
    char *msg = NULL;
    struct spec_config *c = spec_config_parse(doc, strlen(doc), "config.json", &msg);
    ck_assert_msg(c != NULL, "parse: %s", msg ? msg : "?");
    ck_assert_ptr_nonnull(c->linux_);
    ck_assert_ptr_nonnull(c->linux_->seccomp);
    free(doc);
    return c;
}

struct spec_config *config_fixture(const char *name)
{
    char *data = read_fixture(name);
    struct spec_config *c = config_with(data);
    free(data);
    return c;
}

void compile_ok(const struct spec_seccomp *s, enum seccomp_shape shape, struct seccomp_plan *p)
{
    struct oci_err err = {0};
    int rc = seccomp_plan_compile(s, shape, p, &err);
    ck_assert_msg(rc == 0, "build: %s", err.msg);
    ck_assert_ptr_nonnull(p->filter);
    ck_assert_uint_gt(p->len, 0);
}

void build_ok(const struct spec_seccomp *s, struct seccomp_plan *p)
{
    struct oci_err err = {0};
    int rc = seccomp_plan_build(s, p, &err);
    ck_assert_msg(rc == 0, "build: %s", err.msg);
    ck_assert_ptr_nonnull(p->filter);
    ck_assert_uint_gt(p->len, 0);
}

char tmpdir[64];

void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/check_seccomp.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Fork a child that sets no_new_privs (unless nnp is false), loads the
 * plan and returns fn's value as its exit status (250: the load failed).
 * Returns the wait status. */
int run_filtered(const struct seccomp_plan *p, bool nnp, child_fn fn, void *arg)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        alarm(10);
        struct oci_err err = {0};
        int lfd;
        if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            _exit(251);
        if (seccomp_plan_load(p, &lfd, &err) < 0) {
            fprintf(stderr, "load: %s\n", err.msg);
            _exit(250);
        }
        _exit(fn(arg));
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

void assert_exit(int status, int code)
{
    ck_assert_msg(WIFEXITED(status), "child killed by signal %d",
                  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    ck_assert_int_eq(WEXITSTATUS(status), code);
}

/* errno of mkdir in tmpdir (0: created). */
int do_mkdir(void *arg)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/d", tmpdir);
    return syscall(SYS_mkdir, path, arg ? *(const int *)arg : 0700) == 0 ? 0 : errno;
}

void replace(char **field, const char *value)
{
    free(*field);
    *field = strdup(value);
}

char log_buf[4096];

void log_capture(enum log_level level, const char *msg)
{
    (void)level;
    size_t n = strlen(log_buf);
    snprintf(log_buf + n, sizeof(log_buf) - n, "%s\n", msg);
}
