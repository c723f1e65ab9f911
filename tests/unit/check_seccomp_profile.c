/* Unit tests of libcontainer/seccomp.c against a whole profile: Docker's
 * default profile loaded and tried in a child. The exported BPF program
 * against a model of the profile: check_seccomp_model.c. */
#include "libcontainer/error.h"
#include "libcontainer/log.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/seccomp_bpf.h"
#include "libcontainer/seccomp_cache.h"
#include "libcontainer/seccomp_notify.h"
#include "specs/spec_config.h"
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

#include "seccomp_fixtures.h"

/* ---- Docker's default profile ---- */

static int do_docker_checks(void *arg)
{
    (void)arg;
    int bad = 0;
    bad = bad * 2 + (do_mkdir(NULL) != 0); /* allowed */
    errno = 0;
    bad = bad * 2 + !(syscall(SYS_clone3, NULL, 0) == -1 && errno == ENOSYS); /* errnoRet 38 */
    errno = 0;
    bad = bad * 2 + !(unshare(CLONE_NEWUTS) == -1 && errno == EPERM); /* default action */
    errno = 0;
    bad = bad * 2 + !(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0) == -1 && errno == EPERM);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    bad = bad * 2 + (fd < 0);
    bad = bad * 2 + (personality(0xffffffff) == -1); /* query: allowed */
    errno = 0;
    bad = bad * 2 + !(personality(READ_IMPLIES_EXEC) == -1 && errno == EPERM);
    return bad;
}

START_TEST(docker_default_profile)
{
    struct spec_config *c = config_fixture("docker-default.json");
    static const enum seccomp_shape shapes[] = {SECCOMP_SHAPE_LINEAR, SECCOMP_SHAPE_TREE};
    make_tmpdir();
    for (size_t i = 0; i < 2; i++) {
        struct seccomp_plan p;
        compile_ok(c->linux_->seccomp, shapes[i], &p);
        ck_assert_uint_eq(p.flags, 0);
        ck_assert(!p.listener);
        ck_assert_uint_eq(p.n_skipped, 9); /* names newer than libseccomp 2.5.4 */
        int st = run_filtered(&p, true, do_docker_checks, NULL);
        ck_assert(WIFEXITED(st));
        ck_assert_msg(WEXITSTATUS(st) == 0, "failed checks (bits, first highest): 0x%x",
                      WEXITSTATUS(st));
        seccomp_plan_free(&p);
        remove_tmpdir();
        make_tmpdir();
    }
    remove_tmpdir();
    spec_config_free(c);
}

static Suite *seccomp_profile_suite(void)
{
    Suite *s = suite_create("seccomp profile");
    TCase *d = tcase_create("docker");
    tcase_set_timeout(d, 30);
    tcase_add_test(d, docker_default_profile);
    suite_add_tcase(s, d);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(seccomp_profile_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
