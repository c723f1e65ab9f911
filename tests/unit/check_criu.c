/* The CRIU RPC encoding (criu_rpc.c, criu.c): criu_opts as protocol-buffer
 * bytes, checked against the wire format (rpc.proto's field numbers), and
 * the options runc's flags become. */
#include "config.h"
#include "libcontainer/criu.h"
#include "libcontainer/criu_rpc.h"
#include "libcontainer/util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void expect_bytes(const struct criu_msg *m, const uint8_t *want, size_t n)
{
    ck_assert_uint_eq(m->len, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(m->buf[i] == want[i], "byte %zu: %02x, want %02x", i, m->buf[i], want[i]);
}

START_TEST(wire_format)
{
    struct criu_msg m = {0};
    criu_msg_int(&m, 1, 150); /* the protobuf documentation's example */
    static const uint8_t a[] = {0x08, 0x96, 0x01};
    expect_bytes(&m, a, sizeof(a));
    criu_msg_free(&m);

    criu_msg_str(&m, 10, "dump.log");
    static const uint8_t b[] = {0x52, 0x08, 'd', 'u', 'm', 'p', '.', 'l', 'o', 'g'};
    expect_bytes(&m, b, sizeof(b));
    criu_msg_free(&m);

    criu_msg_bool(&m, 50, true); /* orphan_pts_master: a two-byte key */
    static const uint8_t c[] = {0x90, 0x03, 0x01};
    expect_bytes(&m, c, sizeof(c));
    criu_msg_free(&m);

    struct criu_msg sub = {0};
    criu_msg_str(&sub, 1, "k");
    criu_msg_int(&sub, 2, 3);
    criu_msg_sub(&m, 27, &sub); /* inherit_fd {key, fd} */
    static const uint8_t d[] = {0xda, 0x01, 0x05, 0x0a, 0x01, 'k', 0x10, 0x03};
    expect_bytes(&m, d, sizeof(d));
    criu_msg_free(&m);
    criu_msg_free(&sub);
}
END_TEST

/* Does the encoded message hold field with this varint value? */
static bool has_varint(const struct criu_msg *m, unsigned field, uint64_t want)
{
    struct criu_msg probe = {0};
    criu_msg_int(&probe, field, (int64_t)want);
    bool found = memmem(m->buf, m->len, probe.buf, probe.len) != NULL;
    criu_msg_free(&probe);
    return found;
}

START_TEST(common_options)
{
    char dir[] = "/tmp/oci-rt-criu-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    struct criu_opts o = {.image_path = dir,
                          .leave_running = true,
                          .tcp_established = true,
                          .cgroup_mode = CRIU_CG_STRICT};
    struct criu_req r = {0};
    struct oci_err err = {0};
    ck_assert_msg(criu_req_common(&r, &o, CRIU_DUMP, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(r.n_fds, 2); /* images and work directory, kept for criu */
    ck_assert(has_varint(&r.opts, 1, (uint64_t)r.fds[0]));  /* images_dir_fd */
    ck_assert(has_varint(&r.opts, 17, (uint64_t)r.fds[1])); /* work_dir_fd */
    ck_assert(has_varint(&r.opts, 3, 1));                   /* leave_running */
    ck_assert(has_varint(&r.opts, 5, 1));                   /* tcp_established */
    ck_assert(has_varint(&r.opts, 34, 5));                  /* manage_cgroups_mode STRICT */
    ck_assert(has_varint(&r.opts, 50, 1));                  /* orphan_pts_master */
    ck_assert(!has_varint(&r.opts, 15, 1));                 /* no track_mem */
    criu_req_free(&r);
    /* a restore needs the images to exist */
    char missing[4200];
    snprintf(missing, sizeof(missing), "%s/none", dir);
    o.image_path = missing;
    ck_assert_int_eq(criu_req_common(&r, &o, CRIU_RESTORE, &err), -1);
    ck_assert_msg(strstr(err.msg, "--image-path"), "%s", err.msg);
    err_clear(&err);
    criu_req_free(&r);
    rmdir(dir);
}
END_TEST

START_TEST(cgroup_modes)
{
    ck_assert_int_eq(criu_cgroup_mode_parse("soft"), CRIU_CG_SOFT);
    ck_assert_int_eq(criu_cgroup_mode_parse("full"), CRIU_CG_FULL);
    ck_assert_int_eq(criu_cgroup_mode_parse("strict"), CRIU_CG_STRICT);
    ck_assert_int_eq(criu_cgroup_mode_parse("ignore"), CRIU_CG_IGNORE);
    ck_assert_int_eq(criu_cgroup_mode_parse("props"), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("criu");
    TCase *tc = tcase_create("rpc");
    tcase_add_test(tc, wire_format);
    tcase_add_test(tc, common_options);
    tcase_add_test(tc, cgroup_modes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
