/* The systemd cgroup driver's names: cgroupsPath "slice:prefix:name" to the
 * scope's unit and cgroup path as systemd nests slices, the defaults, crun's
 * annotations, and the clear errors of what is not a valid name. Nothing
 * here talks to systemd: only the naming before anything is made. */
#include "config.h"
#include "libcontainer/cgroup_systemd.h"
#include "libcontainer/cgroups.h"
#include "libcontainer/util.h"
#include "specs/spec_config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct spec_map ann(const char *k1, const char *v1, const char *k2, const char *v2)
{
    struct spec_map m = {0};
    m.items = xzalloc(2 * sizeof(*m.items));
    if (k1) {
        m.items[m.n].key = xstrdup(k1);
        m.items[m.n++].value = xstrdup(v1);
    }
    if (k2) {
        m.items[m.n].key = xstrdup(k2);
        m.items[m.n++].value = xstrdup(v2);
    }
    return m;
}

static void ann_free(struct spec_map *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].key);
        free(m->items[i].value);
    }
    free(m->items);
}

/* cgroupsPath -> unit, slice and path (and top, the scope's cgroup). */
static void expect(const char *cgpath, const struct spec_map *a, const char *unit,
                   const char *slice, const char *top, const char *path)
{
    struct cgroup cg;
    struct oci_err err = {0};
    struct spec_map none = {0};
    ck_assert_msg(cgroup_init_systemd(&cg, CG_UNIFIED, cgpath, "c1", a ? a : &none, &err) == 0,
                  "%s: %s", cgpath, err.msg);
    ck_assert_str_eq(cg.unit, unit);
    ck_assert_str_eq(cg.slice, slice);
    ck_assert_str_eq(cg.top, top);
    ck_assert_str_eq(cg.path, path);
    ck_assert(cg.unit_pending);
    cgroup_release(&cg);
}

static void refuse(const char *cgpath, const char *words)
{
    struct cgroup cg;
    struct oci_err err = {0};
    struct spec_map none = {0};
    ck_assert_int_eq(cgroup_init_systemd(&cg, CG_UNIFIED, cgpath, "c1", &none, &err), -1);
    ck_assert_msg(err.msg && strstr(err.msg, words), "%s: %s", cgpath, err.msg);
    ck_assert_msg(strchr(err.msg, '\n') == NULL, "one line: %s", err.msg);
    err_clear(&err);
}

START_TEST(names)
{
    /* runc's defaults for an empty path, and the parts left empty */
    expect(NULL, NULL, "oci-rt-c1.scope", "system.slice", "/system.slice/oci-rt-c1.scope",
           "/system.slice/oci-rt-c1.scope");
    expect("", NULL, "oci-rt-c1.scope", "system.slice", "/system.slice/oci-rt-c1.scope",
           "/system.slice/oci-rt-c1.scope");
    expect(":crio:abc", NULL, "crio-abc.scope", "system.slice", "/system.slice/crio-abc.scope",
           "/system.slice/crio-abc.scope");
    expect("machine.slice::abc", NULL, "abc.scope", "machine.slice", "/machine.slice/abc.scope",
           "/machine.slice/abc.scope");
    expect("machine.slice:libpod:", NULL, "libpod-c1.scope", "machine.slice",
           "/machine.slice/libpod-c1.scope", "/machine.slice/libpod-c1.scope");
    /* the parents of a slice, as systemd nests them */
    expect("kubepods-besteffort-pod1234.slice:crio:abcd", NULL, "crio-abcd.scope",
           "kubepods-besteffort-pod1234.slice",
           "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/"
           "crio-abcd.scope",
           "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/"
           "crio-abcd.scope");
    expect("-.slice:p:n", NULL, "p-n.scope", "-.slice", "/p-n.scope", "/p-n.scope");
}
END_TEST

START_TEST(invalid)
{
    refuse("/plain/path", "slice:prefix:name");
    refuse("a.slice:b", "slice:prefix:name");
    refuse("a.slice:b:c:d", "slice:prefix:name");
    refuse("nota-slice:p:n", "not a valid slice name");
    refuse("bad--x.slice:p:n", "not a valid slice name");
    refuse("-a.slice:p:n", "not a valid slice name");
    refuse("a-.slice:p:n", "not a valid slice name");
    refuse("a/b.slice:p:n", "not a valid slice name");
    refuse("s.slice:p:bad/name", "not a valid unit name");
    refuse("s.slice:p:na me", "not a valid unit name");
    refuse("s.slice:p:inner.slice", "a slice as the container's unit");
}
END_TEST

START_TEST(annotations)
{
    struct spec_map a = ann("run.oci.systemd.subgroup", "inner", NULL, NULL);
    expect("", &a, "oci-rt-c1.scope", "system.slice", "/system.slice/oci-rt-c1.scope",
           "/system.slice/oci-rt-c1.scope/inner");
    ann_free(&a);
    /* a delegated cgroup without a subgroup: crun's default "container" */
    a = ann("run.oci.delegate-cgroup", "payload", NULL, NULL);
    struct cgroup cg;
    struct oci_err err = {0};
    ck_assert_int_eq(cgroup_init_systemd(&cg, CG_UNIFIED, "", "c1", &a, &err), 0);
    ck_assert_str_eq(cg.path, "/system.slice/oci-rt-c1.scope/container");
    ck_assert_str_eq(cg.delegate, "payload");
    char *procs = cgroup_procs_path(&cg);
    ck_assert_str_eq(procs, "/system.slice/oci-rt-c1.scope/container/payload");
    free(procs);
    cgroup_release(&cg);
    ann_free(&a);
    /* escaping the scope is refused before anything else is looked at */
    a = ann("run.oci.systemd.subgroup", "../../evil", NULL, NULL);
    ck_assert_int_eq(cgroup_systemd_check("", "c1", &a, true, &err), -1);
    ck_assert_msg(strstr(err.msg, "run.oci.systemd.subgroup"), "%s", err.msg);
    err_clear(&err);
    ann_free(&a);
    a = ann("run.oci.delegate-cgroup", "/abs", NULL, NULL);
    ck_assert_int_eq(cgroup_systemd_check("", "c1", &a, true, &err), -1);
    ck_assert_msg(strstr(err.msg, "relative"), "%s", err.msg);
    err_clear(&err);
    ann_free(&a);
    /* cgroup v1 has no delegation */
    a = ann("run.oci.delegate-cgroup", "payload", NULL, NULL);
    ck_assert_int_eq(cgroup_systemd_check("", "c1", &a, false, &err), -1);
    ck_assert_msg(strstr(err.msg, "cgroup v2"), "%s", err.msg);
    err_clear(&err);
    ann_free(&a);
}
END_TEST

START_TEST(reopen)
{
    struct cgroup cg;
    struct oci_err err = {0};
    ck_assert_int_eq(cgroup_init(&cg, CG_UNIFIED, "/machine.slice/libpod-x.scope/container",
                                 "/machine.slice/libpod-x.scope", &err),
                     0);
    cgroup_reopen_systemd(&cg, "payload");
    ck_assert_str_eq(cg.unit, "libpod-x.scope");
    ck_assert_str_eq(cg.delegate, "payload");
    ck_assert(!cg.unit_pending);
    cgroup_release(&cg);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("cgroup_systemd");
    TCase *tc = tcase_create("names");
    tcase_add_test(tc, names);
    tcase_add_test(tc, invalid);
    tcase_add_test(tc, annotations);
    tcase_add_test(tc, reopen);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
