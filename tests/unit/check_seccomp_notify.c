/* Unit tests for libcontainer/seccomp_notify.c: the state sent with the
 * listener, and the listener passed from the init through the runtime to an
 * agent that answers the notifications. */
#include "libcontainer/error.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/seccomp_notify.h"
#include "libcontainer/util.h"
#include "specs/spec_config.h"
#include "specs/state.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "seccomp_fixtures.h"
#include "unit_run.h"

/* ---- notify ---- */

START_TEST(process_state_json)
{
    struct spec_kv ann[] = {{"org.example.key", "value \"quoted\""}};
    struct spec_state st = {.oci_version = "1.2.0",
                            .id = "ctr1",
                            .status = "creating",
                            .pid = 4422,
                            .bundle = "/containers/redis",
                            .annotations = {.items = ann, .n = 1},
                            .rootfs = "/not/in/the/state"};
    char *json = seccomp_process_state_json(&st, 4423, "MKNOD=/dev/null");
    ck_assert_ptr_nonnull(json);
    ck_assert_str_eq(json, "{\"ociVersion\":\"" SPEC_OCI_VERSION "\",\"fds\":[\"seccompFd\"],"
                           "\"pid\":4423,\"metadata\":\"MKNOD=/dev/null\",\"state\":{"
                           "\"ociVersion\":\"1.2.0\",\"id\":\"ctr1\",\"status\":\"creating\","
                           "\"pid\":4422,\"bundle\":\"/containers/redis\",\"annotations\":{"
                           "\"org.example.key\":\"value \\\"quoted\\\"\"}}}");
    free(json);
    st.annotations.n = 0;
    st.oci_version = NULL;
    json = seccomp_process_state_json(&st, 1, NULL);
    ck_assert_str_eq(json, "{\"ociVersion\":\"" SPEC_OCI_VERSION "\",\"fds\":[\"seccompFd\"],"
                           "\"pid\":1,\"state\":{\"ociVersion\":\"" SPEC_OCI_VERSION
                           "\",\"id\":\"ctr1\",\"status\":\"creating\",\"pid\":4422,"
                           "\"bundle\":\"/containers/redis\"}}");
    free(json);
}
END_TEST

START_TEST(notify_send_no_listener)
{
    struct oci_err err = {0};
    ck_assert_int_lt(seccomp_notify_send("/nonexistent/agent.sock", 0, "{}", &err), 0);
    ck_assert_str_eq(err.msg, "linux.seccomp.listenerPath: /nonexistent/agent.sock: connect: no "
                              "such file or directory");
}
END_TEST

/* Receive data (NUL-terminated) and one fd. */
static ssize_t recv_fd(int sk, char *buf, size_t len, int *fd)
{
    struct iovec iov = {buf, len - 1};
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr m = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
    ssize_t n = recvmsg(sk, &m, MSG_CMSG_CLOEXEC);
    *fd = -1;
    struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
    if (c && c->cmsg_type == SCM_RIGHTS)
        memcpy(fd, CMSG_DATA(c), sizeof(int));
    if (n >= 0)
        buf[n] = '\0';
    return n;
}

static int notify_sk; /* the child's end of the socketpair */

/* The init's part: load, pass the listener up, then make the calls the
 * agent answers. */
static int run_notify_child(const struct seccomp_plan *p, const char *dir)
{
    alarm(10);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return 100;
    struct oci_err err = {0};
    int lfd;
    if (seccomp_plan_load(p, &lfd, &err) < 0 || lfd < 0)
        return 101;
    if (unix_sendmsg_fd(notify_sk, lfd, "F", 1) < 0)
        return 102;
    close(lfd);
    char path[128];
    snprintf(path, sizeof(path), "%s/d", dir);
    errno = 0;
    if (syscall(SYS_mkdir, path, 0700) != -1 || errno != EDQUOT)
        return 103; /* answered with an error */
    if (syscall(SYS_mkdir, path, 0700) != 7)
        return 104; /* answered with a value */
    struct stat sb;
    if (stat(path, &sb) == 0)
        return 105; /* the kernel never ran it */
    return 0;
}

static const char *json_str(yajl_val root, const char **path)
{
    yajl_val v = yajl_tree_get(root, path, yajl_t_string);
    return v ? YAJL_GET_STRING(v) : NULL;
}

static void check_state_json(const char *data, pid_t pid)
{
    char ebuf[256];
    yajl_val root = yajl_tree_parse(data, ebuf, sizeof(ebuf));
    ck_assert_msg(root != NULL, "state JSON: %s: %s", ebuf, data);
    const char *p_ver[] = {"ociVersion", NULL}, *p_fds[] = {"fds", NULL}, *p_pid[] = {"pid", NULL},
               *p_md[] = {"metadata", NULL}, *p_st[] = {"state", NULL},
               *p_id[] = {"state", "id", NULL}, *p_status[] = {"state", "status", NULL};
    ck_assert_str_eq(json_str(root, p_ver), SPEC_OCI_VERSION);
    yajl_val fds = yajl_tree_get(root, p_fds, yajl_t_array);
    ck_assert_ptr_nonnull(fds);
    ck_assert_uint_eq(YAJL_GET_ARRAY(fds)->len, 1);
    ck_assert_str_eq(YAJL_GET_STRING(YAJL_GET_ARRAY(fds)->values[0]), "seccompFd");
    yajl_val vpid = yajl_tree_get(root, p_pid, yajl_t_number);
    ck_assert_ptr_nonnull(vpid);
    ck_assert_int_eq(YAJL_GET_INTEGER(vpid), pid);
    ck_assert_str_eq(json_str(root, p_md), "MKNOD=/dev/null;BPF_MAP_TYPES=hash");
    ck_assert_ptr_nonnull(yajl_tree_get(root, p_st, yajl_t_object));
    ck_assert_str_eq(json_str(root, p_id), "ctr-notify");
    ck_assert_str_eq(json_str(root, p_status), "creating");
    yajl_tree_free(root);
}

/* The agent's part: answer the two notifications. */
static void agent_answer(int nfd, pid_t pid)
{
    for (int i = 0; i < 2; i++) {
        struct pollfd pfd = {.fd = nfd, .events = POLLIN};
        ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
        struct seccomp_notif req;
        memset(&req, 0, sizeof(req));
        ck_assert_int_eq(ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
        ck_assert_int_eq(req.data.nr, SYS_mkdir);
        ck_assert_int_eq(req.pid, pid);
        struct seccomp_notif_resp resp = {.id = req.id};
        if (i == 0)
            resp.error = -EDQUOT;
        else
            resp.val = 7;
        ck_assert_int_eq(ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
    }
}

START_TEST(notify_roundtrip)
{
    struct spec_config *c = config_fixture("notify-mkdir.json");
    struct spec_seccomp *s = c->linux_->seccomp;
    make_tmpdir();
    char sock_path[128];
    snprintf(sock_path, sizeof(sock_path), "%s/agent.sock", tmpdir);
    replace(&s->listener_path, sock_path);
    struct seccomp_plan p;
    build_ok(s, &p);

    /* the agent listens */
    int lsk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, sock_path);
    ck_assert_int_eq(bind(lsk, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(lsk, 1), 0);

    int sp[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        notify_sk = sp[1];
        _exit(run_notify_child(&p, tmpdir));
    }
    close(sp[1]);

    /* the runtime: the listener from the init, then on to the agent */
    char byte[2];
    int lfd;
    ck_assert_int_eq(recv_fd(sp[0], byte, sizeof(byte), &lfd), 1);
    ck_assert_int_ge(lfd, 0);
    struct spec_state st = {
        .id = "ctr-notify", .status = "creating", .pid = pid, .bundle = "/bundle"};
    char *json = seccomp_process_state_json(&st, pid, s->listener_metadata);
    struct oci_err err = {0};
    ck_assert_msg(seccomp_notify_send(s->listener_path, lfd, json, &err) == 0, "%s", err.msg);
    close(lfd);

    /* the agent: one connection, the state and the fd, then EOF */
    int conn = accept4(lsk, NULL, NULL, SOCK_CLOEXEC);
    ck_assert_int_ge(conn, 0);
    static char data[65536];
    int nfd;
    ssize_t n = recv_fd(conn, data, sizeof(data), &nfd);
    ck_assert_int_eq(n, (ssize_t)strlen(json));
    ck_assert_int_ge(nfd, 0);
    char more;
    ck_assert_int_eq(recv(conn, &more, 1, 0), 0); /* closed after one state */
    check_state_json(data, pid);
    agent_answer(nfd, pid);

    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    assert_exit(status, 0);
    free(json);
    close(nfd);
    close(conn);
    close(lsk);
    remove_tmpdir();
    seccomp_plan_free(&p);
    spec_config_free(c);
}
END_TEST

START_TEST(notify_send_long_path)
{
    /* longer than sun_path: reached through /proc/self/fd */
    make_tmpdir();
    char dir[512], path[600];
    snprintf(dir, sizeof(dir), "%s/%0100d", tmpdir, 0);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(path, sizeof(path), "%s/agent.sock", dir);
    ck_assert_uint_gt(strlen(path), sizeof(((struct sockaddr_un *)0)->sun_path));
    int dfd = open(dir, O_PATH | O_CLOEXEC);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/agent.sock", dfd);
    int lsk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_eq(bind(lsk, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(lsk, 1), 0);
    struct oci_err err = {0};
    ck_assert_msg(seccomp_notify_send(path, dfd, "{\"x\":1}", &err) == 0, "%s", err.msg);
    int conn = accept4(lsk, NULL, NULL, SOCK_CLOEXEC);
    char buf[64];
    int fd;
    ck_assert_int_eq(recv_fd(conn, buf, sizeof(buf), &fd), 7);
    ck_assert_str_eq(buf, "{\"x\":1}");
    ck_assert_int_ge(fd, 0);
    remove_tmpdir();
}
END_TEST

static Suite *seccomp_notify_suite(void)
{
    Suite *s = suite_create("seccomp notify");
    TCase *n = tcase_create("notify");
    tcase_add_test(n, process_state_json);
    tcase_add_test(n, notify_send_no_listener);
    tcase_add_test(n, notify_roundtrip);
    tcase_add_test(n, notify_send_long_path);
    suite_add_tcase(s, n);
    return s;
}

int main(void)
{
    return unit_run(seccomp_notify_suite());
}
