/* Mount options (libcontainer/mounts.c): names to flags, attributes and
 * propagation. */
#include "config.h"
#include "libcontainer/mounts.h"
#include "libcontainer/util.h"
#include "specs/config.h"

#include <check.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

struct lookup {
    bool found;
    unsigned long set, clr, prop;
    uint64_t attr_set, attr_clr;
};

static struct lookup lookup(const char *opt)
{
    struct lookup l = {0};
    l.found = mount_option_lookup(opt, &l.set, &l.clr, &l.prop, &l.attr_set, &l.attr_clr);
    return l;
}

/* The propagation options are the names of the one propagation table
 * (spec_propagations): each sets only the propagation, with the table's
 * flags, and `features` lists each. */
START_TEST(propagation_options)
{
    const char *names[128];
    size_t n = mount_option_names(names, ARRAY_SIZE(names));
    size_t seen = 0;
    for (const struct spec_propagation *p = spec_propagations; p->name; p++, seen++) {
        struct lookup l = lookup(p->name);
        ck_assert_msg(l.found, "%s", p->name);
        ck_assert_uint_eq(l.prop, p->flags);
        ck_assert(!l.set && !l.clr && !l.attr_set && !l.attr_clr);
        bool listed = false;
        for (size_t i = 0; i < n; i++)
            listed |= !strcmp(names[i], p->name);
        ck_assert_msg(listed, "features does not list %s", p->name);
    }
    ck_assert_uint_eq(seen, 8);
    ck_assert_uint_eq(lookup("rshared").prop, MS_SHARED | MS_REC);
    ck_assert_uint_eq(lookup("unbindable").prop, MS_UNBINDABLE);
    /* the last propagation option wins; other options leave it alone */
    struct lookup l = {0};
    ck_assert(mount_option_lookup("rslave", &l.set, &l.clr, &l.prop, &l.attr_set, &l.attr_clr));
    ck_assert(mount_option_lookup("private", &l.set, &l.clr, &l.prop, &l.attr_set, &l.attr_clr));
    ck_assert(mount_option_lookup("nosuid", &l.set, &l.clr, &l.prop, &l.attr_set, &l.attr_clr));
    ck_assert_uint_eq(l.prop, MS_PRIVATE);
    ck_assert_uint_eq(l.set, MS_NOSUID);
    /* data, not a flag */
    ck_assert(!lookup("mode=755").found);
    ck_assert(!lookup("rshare").found);
}
END_TEST

/* The names `features` reports: sorted, no name twice. */
START_TEST(option_names_sorted_unique)
{
    const char *names[128];
    size_t n = mount_option_names(names, ARRAY_SIZE(names));
    ck_assert_uint_gt(n, 50);
    ck_assert_uint_lt(n, ARRAY_SIZE(names));
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(strcmp(names[i - 1], names[i]) < 0, "%s, %s", names[i - 1], names[i]);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(lookup(names[i]).found || !strcmp(names[i], "idmap") ||
                          !strcmp(names[i], "ridmap"),
                      "%s is listed but not known", names[i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mounts");
    TCase *t = tcase_create("options");
    tcase_add_test(t, propagation_options);
    tcase_add_test(t, option_names_sorted_unique);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
