/* Unit tests for the config.json parser (specs/): bad documents (the cases
 * of $srcdir/tests/unit/data/bad-configs.txt, each rejected with its
 * message) and the parser's behaviour (JSON errors, nesting, numbers,
 * versions, duplicate and unknown keys, null, process.json, the name
 * tables). Inline documents are written with single quotes for
 * readability; dq() turns them into double quotes (and so do the expected
 * messages). Good documents: check_specs_fields.c. */
#include "specs/json.h"
#include "specs/spec_config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "specs_fixtures.h"
#include "unit_run.h"

/* ---- helpers of these tests (shared ones: specs_fixtures.c) ---- */

static char *dq(const char *s)
{
    char *d = strdup(s);
    ck_assert_ptr_nonnull(d);
    for (char *p = d; *p; p++)
        if (*p == '\'')
            *p = '"';
    return d;
}

static struct spec_config *parse(const char *doc)
{
    char *d = dq(doc), *err = NULL;
    struct spec_config *c = spec_config_parse(d, strlen(d), "config.json", &err);
    ck_assert_msg(c != NULL, "%s: %s", d, err ? err : "(null)");
    free(d);
    return c;
}

static void expect_error_raw(const char *doc, size_t len, const char *msg)
{
    char *err = NULL;
    struct spec_config *c = spec_config_parse(doc, len, "config.json", &err);
    ck_assert_msg(c == NULL, "accepted: %s", doc);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strchr(err, '\n') == NULL, "newline in error: %s", err);
    ck_assert_str_eq(err, msg);
    free(err);
}

/* doc and msg in single quotes; msg without the "config.json: " prefix. */
static void expect_error(const char *doc, const char *msg)
{
    char *d = dq(doc), *m = dq(msg), full[1024];
    snprintf(full, sizeof(full), "config.json: %s", m);
    expect_error_raw(d, strlen(d), full);
    free(d);
    free(m);
}

#define BASE "{'ociVersion':'1.3.0','root':{'path':'rootfs'},"
#define DOC(x) BASE x "}"
#define PROC(x) BASE "'process':{'cwd':'/','args':['sh']," x "}}"
#define LNX(x) BASE "'linux':{" x "}}"
#define RES(x) LNX("'resources':{" x "}")
#define SEC(x) LNX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW'," x "}")

/* ---- bad documents ---- */

/* The cases are in data/bad-configs.txt: "<KIND> <document>" then
 * "= <message>"; KIND names one of the wrappers below. */
struct bad {
    char *doc;
    char *msg;
};

static struct bad *bad_docs;
static int n_bad_docs;

static const struct {
    const char *kind, *prefix, *suffix;
} bad_wrappers[] = {
    {"RAW", "", ""},
    {"DOC", BASE, "}"},
    {"PROC", BASE "'process':{'cwd':'/','args':['sh'],", "}}"},
    {"LNX", BASE "'linux':{", "}}"},
    {"RES", BASE "'linux':{'resources':{", "}}}"},
    {"SEC", BASE "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',", "}}}"},
};

static char *wrap_bad_doc(const char *line)
{
    for (size_t i = 0; i < sizeof(bad_wrappers) / sizeof(*bad_wrappers); i++) {
        size_t k = strlen(bad_wrappers[i].kind);
        if (strncmp(line, bad_wrappers[i].kind, k) == 0 && line[k] == ' ') {
            size_t n = strlen(bad_wrappers[i].prefix) + strlen(line) + 8;
            char *d = malloc(n);
            if (d)
                snprintf(d, n, "%s%s%s", bad_wrappers[i].prefix, line + k + 1,
                         bad_wrappers[i].suffix);
            return d;
        }
    }
    return NULL;
}

static int load_bad_docs(void)
{
    FILE *f = fopen(fixture("bad-configs.txt"), "r");
    char line[4096], *doc = NULL;
    int lineno = 0;

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        lineno++;
        if (!line[0] || line[0] == '#')
            continue;
        if (!doc) { /* "<KIND> <document>" */
            if (!(doc = wrap_bad_doc(line)))
                break;
            continue;
        }
        if (strncmp(line, "= ", 2) != 0) /* "= <message>" */
            break;
        bad_docs = realloc(bad_docs, (size_t)(n_bad_docs + 1) * sizeof(*bad_docs));
        if (!bad_docs)
            abort();
        bad_docs[n_bad_docs].doc = doc;
        bad_docs[n_bad_docs++].msg = strdup(line + 2);
        doc = NULL;
    }
    int complete = feof(f) && !doc;
    fclose(f);
    if (!complete) {
        fprintf(stderr, "bad-configs.txt:%d: malformed\n", lineno);
        free(doc);
        return -1;
    }
    return 0;
}

static void free_bad_docs(void)
{
    for (int i = 0; i < n_bad_docs; i++) {
        free(bad_docs[i].doc);
        free(bad_docs[i].msg);
    }
    free(bad_docs);
}

START_TEST(test_bad_doc)
{
    expect_error(bad_docs[_i].doc, bad_docs[_i].msg);
}
END_TEST

/* ---- parser behaviour ---- */

START_TEST(test_invalid_json)
{
    static const char nul[] = "{\"ociVersion\":\"1.3.0\"}\0{";

    expect_error("", "invalid JSON: parse error: premature EOF (right here) ------^");
    expect_error_raw(nul, sizeof(nul) - 1, "config.json: invalid JSON: NUL byte in input");
}
END_TEST

START_TEST(test_nesting)
{
    char doc[4096];
    size_t n = 0;

    n += (size_t)snprintf(doc, sizeof(doc), "%s", "{\"x\":");
    for (int i = 0; i < 300; i++)
        doc[n++] = '[';
    doc[n] = '\0';
    expect_error_raw(doc, n, "config.json: invalid JSON: nesting too deep");

    /* brackets inside strings and comments do not count */
    n = (size_t)snprintf(doc, sizeof(doc), "%s", "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"");
    for (int i = 0; i < 300; i++)
        doc[n++] = '[';
    n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s", "\\\"\"}/* [[[ \" */}");
    struct spec_config *c = spec_config_parse(doc, n, "config.json", NULL);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(strlen(c->root_path), 301);
    spec_config_free(c);
}
END_TEST

START_TEST(test_numbers)
{
    struct spec_config *c;

    c = parse(PROC("'rlimits':[{'type':'RLIMIT_CORE','soft':-0,'hard':18446744073709551615}]"));
    ck_assert_uint_eq(c->process->rlimits[0].soft, 0);
    ck_assert_uint_eq(c->process->rlimits[0].hard, UINT64_MAX);
    spec_config_free(c);
    c = parse(RES("'memory':{'limit':-9223372036854775808,'swap':-1}"));
    ck_assert_int_eq(c->linux_->resources->memory->limit, INT64_MIN);
    ck_assert_int_eq(c->linux_->resources->memory->swap, -1);
    spec_config_free(c);
    c = parse(PROC("'oomScoreAdj':-2147483648,'user':{'uid':4294967295,'gid':0}"));
    ck_assert_int_eq(c->process->oom_score_adj, INT32_MIN);
    spec_config_free(c);
}
END_TEST

START_TEST(test_version_supported)
{
    static const char *const good[] = {"1.0.0",      "1.0.1",         "1.0.2-dev",
                                       "1.1.0-rc.1", "1.2.0+dev",     "1.3.0",
                                       "1.3.99",     "1.0.0-rc5-dev", "1.2.1-rc.1+build.7"};
    static const char *const bad[] = {"0.9.0",  "0.1.0",      "1.4.0",  "2.0.0",       "1.3",
                                      "1",      "",           "1.3.0-", "1.3.0+",      "01.3.0",
                                      "1.03.0", "1.3.0 ",     "v1.3.0", "1.3.0-rc..1", "1.3.x",
                                      "1..0",   "1.3.0-rc_1", "10.0.0"};

    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
        ck_assert_msg(spec_version_supported(good[i]), "%s", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        ck_assert_msg(!spec_version_supported(bad[i]), "%s", bad[i]);
    ck_assert(!spec_version_supported(NULL));
    ck_assert_str_eq(SPEC_OCI_VERSION, "1.3.0");
    ck_assert(spec_version_supported(SPEC_OCI_VERSION));
}
END_TEST

START_TEST(test_duplicate_keys)
{
    struct spec_config *c;
    char doc[8192];
    size_t n;

    /* the last duplicate wins, as in Go's encoding/json */
    c = parse("{'ociVersion':'9','ociVersion':'1.3.0','root':{'path':'a','path':'b'},"
              "'annotations':{'a':'1','b':'2','a':'3'}}");
    ck_assert_str_eq(c->oci_version, "1.3.0");
    ck_assert_str_eq(c->root_path, "b");
    ck_assert_uint_eq(c->annotations.n, 2);
    ck_assert_str_eq(c->annotations.items[0].key, "b");
    ck_assert_str_eq(c->annotations.items[1].key, "a");
    ck_assert_str_eq(c->annotations.items[1].value, "3");
    spec_config_free(c);

    /* a large map (sorting path) */
    n = (size_t)snprintf(doc, sizeof(doc), "%s",
                         "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":"
                         "\"r\"},\"linux\":{\"sysctl\":{");
    for (int i = 0; i < 40; i++)
        n +=
            (size_t)snprintf(doc + n, sizeof(doc) - n, "%s\"k%d\":\"%d\"", i ? "," : "", i % 30, i);
    n += (size_t)snprintf(doc + n, sizeof(doc) - n, "}}}");
    c = spec_config_parse(doc, n, "config.json", NULL);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->linux_->sysctl.n, 30);
    ck_assert_str_eq(spec_map_get(&c->linux_->sysctl, "k5"), "35");
    ck_assert_str_eq(spec_map_get(&c->linux_->sysctl, "k29"), "29");
    ck_assert_str_eq(c->linux_->sysctl.items[0].key, "k10");
    spec_config_free(c);

    /* many rlimits (sorting path): the first repeated entry is reported */
    n = (size_t)snprintf(doc, sizeof(doc), "%s",
                         "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":"
                         "\"r\"},\"process\":{\"cwd\":\"/\",\"args\":"
                         "[\"sh\"],\"rlimits\":[");
    for (int i = 0; i < 26; i++)
        n += (size_t)snprintf(doc + n, sizeof(doc) - n,
                              "%s{\"type\":\"RLIMIT_%c\",\"soft\":1,\"hard\":1}", i ? "," : "",
                              i == 20 || i == 24 ? 'C'
                              : i == 22          ? 'B'
                                                 : 'A' + i);
    n += (size_t)snprintf(doc + n, sizeof(doc) - n, "]}}");
    expect_error_raw(doc, n,
                     "config.json: process.rlimits[20].type: duplicate rlimit "
                     "\"RLIMIT_C\"");
}
END_TEST

START_TEST(test_unknown_fields_ignored)
{
    struct spec_config *c =
        parse("{'ociVersion':'1.3.0','root':{'path':'r','x':1},'process':{'cwd':'/','args':['a'],"
              "'user':{'uid':1,'gid':2,'x':[]},'future':{}},'windows':{'layerFolders':1},"
              "'solaris':[],'vm':0,'zos':'','linux':{'future':true,'resources':{'future':[]}},"
              "'mounts':[{'destination':'/x','future':null}],'hooks':{'future':[1]},"
              "'nothing':null}");
    ck_assert_uint_eq(c->process->user.gid, 2);
    ck_assert_ptr_nonnull(c->linux_->resources);
    spec_config_free(c);
}
END_TEST

/* Every key the parser looks up is one the pruning keeps (json_keys.c),
 * over every fixture; a key missing there would be dropped silently. */
static const char *unknown_key;
static void key_hook(const char *key)
{
    if (!json_key_known(key) && !unknown_key)
        unknown_key = key;
}

START_TEST(test_parser_keys_known)
{
    static const char *const docs[] = {"everything.json",
                                       "spec-full-config.json",
                                       "runc-spec.json",
                                       "runc-spec-rootless.json",
                                       "docker-like.json",
                                       "spec-linux-resources-rdma.json",
                                       "spec-linux-netdevices.json",
                                       "spec-linux-memorypolicy.json",
                                       "spec-linux-intelrdt.json",
                                       "spec-linux-seccomp.json",
                                       "spec-process-linux.json",
                                       "spec-hooks.json"};
    json_get_hook = key_hook;
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        spec_parse_prune = false; /* every key the parser asks for is asked */
        struct spec_config *c = load(docs[i]);
        spec_config_free(c);
        ck_assert_msg(!unknown_key, "%s: the parser reads \"%s\", which json_keys.c lacks", docs[i],
                      unknown_key);
    }
    json_get_hook = NULL;
    spec_parse_prune = true;
}
END_TEST

/* Unknown members are skipped while parsing, also deep and large; the
 * user's keys in annotations, sysctl, unified... are kept. */
START_TEST(test_unknown_pruned)
{
    char *doc = dq("{'ociVersion':'1.3.0','x-big':[1,2,{'a':[3]}],"
                   "'annotations':{'weird key':'v','x-too':'w'},"
                   "'linux':{'sysctl':{'a.b':'1'},'unknownInLinux':{'deep':[1]},"
                   "'resources':{'unified':{'memory.high':'1'},'rdma':{'mlx5':{'hcaHandles':3,"
                   "'x':1}}}}}");
    for (int prune = 0; prune < 2; prune++) {
        struct json_arena arena = {NULL};
        char ebuf[256];
        yajl_val root = json_tree_parse(doc, strlen(doc), prune, &arena, ebuf, sizeof(ebuf));
        ck_assert_ptr_nonnull(root);
        ck_assert_uint_eq(root->u.object.len, prune ? 3 : 4);
        ck_assert(!!json_get(root, "x-big") == !prune);
        yajl_val a = json_get(root, "annotations");
        ck_assert_uint_eq(a->u.object.len, 2);
        ck_assert_str_eq(json_get(a, "weird key")->u.string, "v");
        yajl_val l = json_get(root, "linux");
        ck_assert(!!json_get(l, "unknownInLinux") == !prune);
        ck_assert_str_eq(json_get(json_get(l, "sysctl"), "a.b")->u.string, "1");
        yajl_val r = json_get(l, "resources");
        ck_assert_ptr_nonnull(json_get(json_get(r, "unified"), "memory.high"));
        yajl_val dev = json_get(json_get(r, "rdma"), "mlx5");
        ck_assert_ptr_nonnull(json_get(dev, "hcaHandles"));
        ck_assert(!!json_get(dev, "x") == !prune);
        json_arena_free(&arena);
    }
    free(doc);
}
END_TEST

START_TEST(test_null_is_absent)
{
    struct spec_config *c = parse(DOC("'process':null,'linux':{'seccomp':null,'sysctl':null},"
                                      "'hostname':null,'mounts':null"));
    ck_assert_ptr_null(c->process);
    ck_assert_ptr_null(c->hostname);
    ck_assert_ptr_null(c->linux_->seccomp);
    ck_assert_uint_eq(c->n_mounts, 0);
    spec_config_free(c);
}
END_TEST

START_TEST(test_name_and_length)
{
    const char *doc = "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"}}trailing";
    char *err = NULL;
    struct spec_config *c = spec_config_parse(doc, strlen(doc) - 8, "bundle/config.json", &err);

    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_null(err);
    spec_config_free(c);
    c = spec_config_parse(doc, 10, "bundle/config.json", &err);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err, "bundle/config.json: invalid JSON: parse error: premature EOF "
                          "{\"ociVersi (right here) ------^");
    free(err);
    spec_config_free(NULL);
    spec_process_free(NULL);
}
END_TEST

START_TEST(test_load_missing)
{
    char *err = NULL;
    struct spec_config *c = spec_config_load("/nonexistent/oci-rt/config.json", &err);

    ck_assert_ptr_null(c);
    ck_assert_str_eq(err,
                     "/nonexistent/oci-rt/config.json: cannot read: No such file or directory");
    free(err);
}
END_TEST

START_TEST(test_process_parse)
{
    const char *good = "{\"cwd\":\"/srv\",\"args\":[\"ls\",\"-l\"],\"env\":[\"A=B\"],"
                       "\"user\":{\"uid\":5,\"gid\":6},\"terminal\":false}";
    char *err = NULL;
    struct spec_process *p = spec_process_parse(good, strlen(good), "process.json", &err);

    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p->cwd, "/srv");
    assert_strv(&p->args, 2, "ls", "-l");
    ck_assert_uint_eq(p->user.gid, 6);
    spec_process_free(p);

    p = spec_process_parse("{\"cwd\":\"/\",\"args\":[]}", 21, "process.json", &err);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(err, "process.json: args: at least one entry is required");
    free(err);
    p = spec_process_parse("[1]", 3, "process.json", &err);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(err, "process.json: expected a JSON object");
    free(err);
    p = spec_process_parse("{\"cwd\":\"/\",\"args\":[\"a\"],\"rlimits\":[{}]}", 39, "p", &err);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(err, "p: rlimits[0].type: required field missing");
    free(err);
}
END_TEST

START_TEST(test_name_tables)
{
    ck_assert_str_eq(spec_hook_kind_names[SPEC_HOOK_PRESTART], "prestart");
    ck_assert_str_eq(spec_hook_kind_names[SPEC_HOOK_CREATE_RUNTIME], "createRuntime");
    ck_assert_str_eq(spec_hook_kind_names[SPEC_HOOK_CREATE_CONTAINER], "createContainer");
    ck_assert_str_eq(spec_hook_kind_names[SPEC_HOOK_START_CONTAINER], "startContainer");
    ck_assert_str_eq(spec_hook_kind_names[SPEC_HOOK_POSTSTART], "poststart");
    ck_assert_str_eq(spec_hook_kind_names[SPEC_HOOK_POSTSTOP], "poststop");
    ck_assert_str_eq(spec_ns_type_names[SPEC_NS_MOUNT], "mount");
    ck_assert_str_eq(spec_ns_type_names[SPEC_NS_NETWORK], "network");
    ck_assert_str_eq(spec_ns_type_names[SPEC_NS_CGROUP], "cgroup");
    ck_assert_str_eq(spec_ns_type_names[SPEC_NS_TIME], "time");
    ck_assert_ptr_null(spec_config_namespace(NULL, SPEC_NS_PID));
    ck_assert_ptr_null(spec_map_get(NULL, "x"));
}
END_TEST

/* One table of propagation names: each is accepted as rootfsPropagation
 * and maps to its mount(2) flags; the table is sorted and nothing else is
 * a propagation. */
START_TEST(test_propagation_table)
{
    static const struct {
        const char *name;
        unsigned long flags;
    } want[] = {{"private", MS_PRIVATE},
                {"rprivate", MS_PRIVATE | MS_REC},
                {"rshared", MS_SHARED | MS_REC},
                {"rslave", MS_SLAVE | MS_REC},
                {"runbindable", MS_UNBINDABLE | MS_REC},
                {"shared", MS_SHARED},
                {"slave", MS_SLAVE},
                {"unbindable", MS_UNBINDABLE}};
    size_t n = 0;
    for (; spec_propagations[n].name; n++) {
        ck_assert_uint_lt(n, sizeof(want) / sizeof(want[0]));
        ck_assert_str_eq(spec_propagations[n].name, want[n].name);
        ck_assert_uint_eq(spec_propagations[n].flags, want[n].flags);
        if (n)
            ck_assert_int_lt(strcmp(spec_propagations[n - 1].name, spec_propagations[n].name), 0);
    }
    ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(spec_propagation_flags(want[i].name), want[i].flags);
        char doc[256];
        snprintf(doc, sizeof(doc),
                 "{'ociVersion':'1.3.0','root':{'path':'rootfs'},'linux':{'rootfsPropagation':"
                 "'%s'}}",
                 want[i].name);
        struct spec_config *c = parse(doc);
        ck_assert_str_eq(c->linux_->rootfs_propagation, want[i].name);
        spec_config_free(c);
    }
    ck_assert_uint_eq(spec_propagation_flags(NULL), 0);
    ck_assert_uint_eq(spec_propagation_flags(""), 0);
    ck_assert_uint_eq(spec_propagation_flags("rbind"), 0);
    ck_assert_uint_eq(spec_propagation_flags("SHARED"), 0);
    ck_assert_uint_eq(spec_propagation_flags("rshared "), 0);
}
END_TEST

static Suite *specs_parser_suite(void)
{
    Suite *s = suite_create("specs parser");
    TCase *bad = tcase_create("bad");
    TCase *behaviour = tcase_create("behaviour");

    tcase_add_loop_test(bad, test_bad_doc, 0, n_bad_docs);
    tcase_add_test(behaviour, test_invalid_json);
    tcase_add_test(behaviour, test_nesting);
    tcase_add_test(behaviour, test_numbers);
    tcase_add_test(behaviour, test_version_supported);
    tcase_add_test(behaviour, test_duplicate_keys);
    tcase_add_test(behaviour, test_unknown_fields_ignored);
    tcase_add_test(behaviour, test_null_is_absent);
    tcase_add_test(behaviour, test_parser_keys_known);
    tcase_add_test(behaviour, test_unknown_pruned);
    tcase_add_test(behaviour, test_name_and_length);
    tcase_add_test(behaviour, test_load_missing);
    tcase_add_test(behaviour, test_process_parse);
    tcase_add_test(behaviour, test_name_tables);
    tcase_add_test(behaviour, test_propagation_table);
    suite_add_tcase(s, bad);
    suite_add_tcase(s, behaviour);
    return s;
}

int main(void)
{
    if (load_bad_docs() < 0) {
        fprintf(stderr, "cannot load %s\n", fixture("bad-configs.txt"));
        return EXIT_FAILURE;
    }
    int rc = unit_run(specs_parser_suite());
    free_bad_docs();
    return rc;
}
