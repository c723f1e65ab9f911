/* Unit tests for libcontainer/seccomp_cache.c: the cache of compiled
 * programs (a hit gives libseccomp's plan without libseccomp, a damaged or
 * colliding entry is a miss, an untrusted directory is not used). */
#include "libcontainer/error.h"
#include "libcontainer/log.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/seccomp_cache.h"
#include "specs/spec_config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp_fixtures.h"
#include "unit_run.h"

/* ---- the cache of compiled programs ---- */

/* The one *.bpf entry in dir (its name into name); their count. */
static int cache_entries(const char *dir, char *name, size_t len)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "cd %s && ls *.bpf 2>/dev/null", dir);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    int n = 0;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (n++ == 0 && name)
            snprintf(name, len, "%s", line);
    }
    pclose(f);
    return n;
}

static void build_cached_ok(const struct spec_seccomp *s, int dirfd, struct seccomp_plan *p)
{
    struct oci_err err = {0};
    log_buf[0] = '\0';
    int rc = seccomp_plan_build_cached(s, dirfd, p, &err);
    ck_assert_msg(rc == 0, "build: %s", err.msg);
    ck_assert_ptr_nonnull(p->filter);
}

static void assert_same_plan(const struct seccomp_plan *a, const struct seccomp_plan *b)
{
    ck_assert_uint_eq(a->len, b->len);
    ck_assert_uint_eq(a->flags, b->flags);
    ck_assert_int_eq(a->listener, b->listener);
    ck_assert_uint_eq(a->n_skipped, b->n_skipped);
    ck_assert_int_eq(memcmp(a->filter, b->filter, a->len * sizeof(a->filter[0])), 0);
}

#define MISS_LOG "unknown syscall \"no_such_syscall\" skipped"

START_TEST(cache_hit_and_miss)
{
    struct spec_config *c =
        config_with("{'defaultAction': 'SCMP_ACT_ERRNO', 'listenerPath': '/run/a.sock', "
                    "'flags': ['SECCOMP_FILTER_FLAG_LOG'], 'syscalls': ["
                    "{'names': ['no_such_syscall', 'read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
                    "{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}");
    struct spec_seccomp *s = c->linux_->seccomp;
    log_set_sink(log_capture, LOG_LVL_DEBUG);
    make_tmpdir();
    int dirfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct seccomp_plan ref, miss, hit;
    compile_ok(s, SECCOMP_SHAPE_TREE, &ref);

    build_cached_ok(s, dirfd, &miss); /* libseccomp runs (it logs the skip), entry written */
    ck_assert_ptr_nonnull(strstr(log_buf, MISS_LOG));
    assert_same_plan(&ref, &miss);
    char name[128];
    ck_assert_int_eq(cache_entries(tmpdir, name, sizeof(name)), 1);

    build_cached_ok(s, dirfd, &hit); /* from the entry: no libseccomp, same plan */
    ck_assert_ptr_null(strstr(log_buf, MISS_LOG));
    assert_same_plan(&ref, &hit);
    ck_assert(hit.listener);
    seccomp_plan_free(&hit);

    /* a damaged entry is a miss, and is written again */
    int fd = openat(dirfd, name, O_RDWR | O_CLOEXEC);
    struct stat st;
    ck_assert_int_eq(fstat(fd, &st), 0);
    char byte;
    ck_assert_int_eq(pread(fd, &byte, 1, st.st_size - 3), 1);
    byte ^= 0x40;
    ck_assert_int_eq(pwrite(fd, &byte, 1, st.st_size - 3), 1);
    close(fd);
    build_cached_ok(s, dirfd, &hit);
    ck_assert_ptr_nonnull(strstr(log_buf, MISS_LOG));
    assert_same_plan(&ref, &hit);
    seccomp_plan_free(&hit);
    build_cached_ok(s, dirfd, &hit);
    ck_assert_ptr_null(strstr(log_buf, MISS_LOG));
    seccomp_plan_free(&hit);

    /* another profile under the first one's name (a hash collision): the
     * key differs, so a miss, and the right program */
    struct spec_config *c2 =
        config_with("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': ["
                    "{'names': ['no_such_syscall', 'mkdir'], 'action': 'SCMP_ACT_ERRNO'}]}");
    struct seccomp_plan ref2;
    compile_ok(c2->linux_->seccomp, SECCOMP_SHAPE_TREE, &ref2);
    build_cached_ok(c2->linux_->seccomp, dirfd, &hit);
    ck_assert_int_eq(cache_entries(tmpdir, NULL, 0), 2);
    seccomp_plan_free(&hit);
    char name2[128], cmd[512];
    snprintf(cmd, sizeof(cmd), "cd %s && ls *.bpf | grep -v '^%s$'", tmpdir, name);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(fgets(name2, sizeof(name2), f));
    pclose(f);
    name2[strcspn(name2, "\n")] = '\0';
    snprintf(cmd, sizeof(cmd), "cd %s && cp %s %s", tmpdir, name, name2);
    ck_assert_int_eq(system(cmd), 0);
    build_cached_ok(c2->linux_->seccomp, dirfd, &hit);
    ck_assert_ptr_nonnull(strstr(log_buf, MISS_LOG));
    assert_same_plan(&ref2, &hit);
    seccomp_plan_free(&hit);

    seccomp_plan_free(&ref2);
    seccomp_plan_free(&ref);
    seccomp_plan_free(&miss);
    spec_config_free(c2);
    close(dirfd);
    remove_tmpdir();
    spec_config_free(c);
}
END_TEST

START_TEST(cache_untrusted_dir)
{
    struct spec_config *c = config_fixture("errno-mkdir.json");
    make_tmpdir();
    ck_assert_int_eq(chmod(tmpdir, 0777), 0);
    int dirfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct seccomp_plan p;
    build_cached_ok(c->linux_->seccomp, dirfd, &p);
    ck_assert_int_eq(cache_entries(tmpdir, NULL, 0), 0);
    seccomp_plan_free(&p);
    /* no directory: the plain build */
    build_cached_ok(c->linux_->seccomp, -1, &p);
    seccomp_plan_free(&p);
    close(dirfd);
    remove_tmpdir();
    spec_config_free(c);
}
END_TEST

static Suite *seccomp_cache_suite(void)
{
    Suite *s = suite_create("seccomp cache");
    TCase *k = tcase_create("cache");
    tcase_add_test(k, cache_hit_and_miss);
    tcase_add_test(k, cache_untrusted_dir);
    suite_add_tcase(s, k);
    return s;
}

int main(void)
{
    return unit_run(seccomp_cache_suite());
}
