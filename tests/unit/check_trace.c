/* The trace span buffer, the merge of child spans, the file format, and
 * each output of `oci-rt trace`. */
#include "config.h"
#include "libcontainer/trace.h"
#include "runtime/trace_format.h"
#include "specs/trace.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

static char tmpl[64];

static const char *tmpfile_path(void)
{
    snprintf(tmpl, sizeof(tmpl), "/tmp/check_trace.XXXXXX");
    int fd = mkstemp(tmpl);
    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(tmpl);
    return tmpl;
}

static struct spec_spans load(const char *path)
{
    struct spec_spans s;
    char *msg = NULL;
    ck_assert_msg(spec_spans_load(path, &s, &msg) == 0, "load: %s", msg ? msg : "?");
    return s;
}

static const struct spec_span *find(const struct spec_spans *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->items[i].name, name))
            return &s->items[i];
    return NULL;
}

/* Check forks every test: the static buffer starts empty in each */
START_TEST(nesting_and_flush)
{
    const char *path = tmpfile_path();
    trace_init(path, "create", 0);
    trace_set_id("c1");
    TRACE_BEGIN(outer, "outer");
    TRACE_BEGIN(inner, "inner");
    usleep(1000);
    TRACE_END(inner);
    TRACE_INSTANT("mark");
    TRACE_END(outer);
    trace_flush(0);
    struct spec_spans s = load(path);
    const struct spec_span *o = find(&s, "outer"), *i = find(&s, "inner"), *m = find(&s, "mark");
    ck_assert_ptr_nonnull(o);
    ck_assert_ptr_nonnull(i);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(o->depth, 0);
    ck_assert_uint_eq(i->depth, 1);
    ck_assert(m->instant);
    ck_assert_uint_ge(i->dur, 1000000); /* slept 1 ms */
    ck_assert_uint_ge(o->dur, i->dur);
    ck_assert_uint_le(o->ts, i->ts);
    ck_assert_str_eq(o->id, "c1");
    ck_assert_str_eq(o->op, "create");
    ck_assert_str_eq(o->proc, "runtime");
    ck_assert_int_eq(o->pid, getpid());
    ck_assert(!o->failed);
    spec_spans_free(&s);
    unlink(path);
}
END_TEST

START_TEST(open_spans_fail_on_flush)
{
    const char *path = tmpfile_path();
    trace_init(path, "create", 0);
    trace_set_id("c2");
    TRACE_BEGIN(done, "done");
    TRACE_END(done);
    TRACE_BEGIN(never, "never ended");
    (void)never;
    trace_flush(1);
    struct spec_spans s = load(path);
    ck_assert(!find(&s, "done")->failed);
    ck_assert(find(&s, "never ended")->failed);
    spec_spans_free(&s);
    unlink(path);
}
END_TEST

START_TEST(end_rc_marks_failed)
{
    const char *path = tmpfile_path();
    trace_init(path, "start", 0);
    TRACE_BEGIN(a, "ok");
    TRACE_END_RC(a, 0);
    TRACE_BEGIN(b, "bad");
    TRACE_END_RC(b, -1);
    trace_flush(0);
    struct spec_spans s = load(path);
    ck_assert(!find(&s, "ok")->failed);
    ck_assert(find(&s, "bad")->failed);
    spec_spans_free(&s);
    unlink(path);
}
END_TEST

/* A child records after trace_child(), exports once; the parent merges and
 * fills in the child's pid. */
START_TEST(child_export_and_merge)
{
    const char *path = tmpfile_path();
    trace_init(path, "run", 0);
    TRACE_BEGIN(p, "parent work");
    TRACE_END(p);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        trace_child(TRACE_PROC_INIT);
        TRACE_BEGIN(c, "child work");
        TRACE_END(c);
        TRACE_BEGIN(e, "execve");
        (void)e; /* left open: the receiver closes it */
        size_t n;
        const struct trace_span *sp = trace_exported(&n);
        size_t again;
        trace_exported(&again);
        if (n != 2 || again != 0)
            _exit(2);
        if (write(fds[1], sp, n * sizeof(*sp)) < 0)
            _exit(3);
        _exit(0);
    }
    close(fds[1]);
    struct trace_span buf[8];
    ssize_t r = read(fds[0], buf, sizeof(buf));
    int status;
    waitpid(pid, &status, 0);
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_int_eq(r, 2 * (ssize_t)sizeof(struct trace_span));
    trace_merge(buf, 2, pid);
    trace_close_open(pid);
    trace_flush(0);
    struct spec_spans s = load(path);
    ck_assert_uint_eq(s.n, 4); /* the three, and the flush's own "trace write" */
    const struct spec_span *c = find(&s, "child work"), *e = find(&s, "execve");
    const struct spec_span *w = find(&s, "trace write");
    ck_assert_ptr_nonnull(w);
    ck_assert_str_eq(w->proc, "runtime");
    ck_assert_int_eq(w->pid, getpid());
    ck_assert_str_eq(c->proc, "init");
    ck_assert_int_eq(c->pid, pid);
    ck_assert(!e->failed); /* closed by trace_close_open */
    ck_assert_ptr_nonnull(find(&s, "parent work"));
    spec_spans_free(&s);
    unlink(path);
}
END_TEST

/* a trace of two commands of one container, written by hand */
static const char *const sample[] = {
    "{\"id\":\"web\",\"op\":\"create\",\"cmd\":\"10@1\",\"proc\":\"runtime\",\"pid\":10,"
    "\"name\":\"config parse\",\"ts\":1000000000,\"dur\":100000,\"depth\":0,\"instant\":false,"
    "\"failed\":false}",
    "{\"id\":\"web\",\"op\":\"create\",\"cmd\":\"10@1\",\"proc\":\"runtime\",\"pid\":10,"
    "\"name\":\"clone init\",\"ts\":1000200000,\"dur\":300000,\"depth\":0,\"instant\":false,"
    "\"failed\":false}",
    "{\"id\":\"web\",\"op\":\"create\",\"cmd\":\"10@1\",\"proc\":\"init\",\"pid\":11,"
    "\"name\":\"mount /proc\",\"ts\":1000300000,\"dur\":50000,\"depth\":0,\"instant\":false,"
    "\"failed\":false}",
    "{\"id\":\"web\",\"op\":\"start\",\"cmd\":\"12@2\",\"proc\":\"runtime\",\"pid\":12,"
    "\"name\":\"release init and execve\",\"ts\":2000000000,\"dur\":200000,\"depth\":0,"
    "\"instant\":false,\"failed\":true}",
};

static struct spec_spans sample_spans(void)
{
    const char *path = tmpfile_path();
    FILE *f = fopen(path, "w");
    for (size_t i = 0; i < sizeof(sample) / sizeof(sample[0]); i++)
        fprintf(f, "%s\n", sample[i]);
    fclose(f);
    struct spec_spans s = load(path);
    unlink(path);
    trace_filter_sort(&s, NULL);
    return s;
}

static char *render(void (*fn)(FILE *, const struct spec_spans *), const struct spec_spans *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(f, s);
    fclose(f);
    return buf;
}

/* A JSON format, which must succeed. */
static char *render_json(int (*fn)(FILE *, const struct spec_spans *, char **),
                         const struct spec_spans *s)
{
    char *buf = NULL, *msg = (char *)"unset";
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(fn(f, s, &msg), 0);
    ck_assert_ptr_null(msg);
    fclose(f);
    return buf;
}

START_TEST(format_table)
{
    struct spec_spans s = sample_spans();
    char *out = render(trace_format_table, &s);
    ck_assert_ptr_nonnull(strstr(out, "container web"));
    ck_assert_ptr_nonnull(strstr(out, "create web"));
    ck_assert_ptr_nonnull(strstr(out, "mount /proc"));
    ck_assert_ptr_nonnull(strstr(out, "init 11"));
    /* create's runtime spans cover 0.4 of its 0.5 ms: the gap is shown */
    ck_assert_ptr_nonnull(strstr(out, "traced 80.0%"));
    ck_assert_ptr_nonnull(strstr(out, "(untraced)"));
    ck_assert_ptr_nonnull(strstr(out, "start web  at +1000.000 ms"));
    ck_assert_ptr_nonnull(strstr(out, "FAILED"));
    free(out);
    spec_spans_free(&s);
}
END_TEST

START_TEST(format_json_roundtrip)
{
    struct spec_spans s = sample_spans();
    char *out = render_json(trace_format_json, &s);
    size_t lines = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        struct spec_span sp;
        ck_assert_int_eq(spec_span_parse(line, strlen(line), &sp, NULL), 0);
        ck_assert_str_eq(sp.id, "web");
        free(sp.id);
        free(sp.op);
        free(sp.cmd);
        free(sp.proc);
        free(sp.name);
        lines++;
    }
    ck_assert_uint_eq(lines, 4);
    free(out);
    spec_spans_free(&s);
}
END_TEST

START_TEST(format_chrome_is_json)
{
    struct spec_spans s = sample_spans();
    char *out = render_json(trace_format_chrome, &s);
    char ebuf[256];
    yajl_val root = yajl_tree_parse(out, ebuf, sizeof(ebuf));
    ck_assert_msg(root != NULL, "chrome output is not JSON: %s", ebuf);
    const char *p[] = {"traceEvents", NULL};
    yajl_val ev = yajl_tree_get(root, p, yajl_t_array);
    ck_assert_ptr_nonnull(ev);
    size_t complete = 0, names = 0;
    for (size_t i = 0; i < YAJL_GET_ARRAY(ev)->len; i++) {
        yajl_val e = YAJL_GET_ARRAY(ev)->values[i];
        const char *ph[] = {"ph", NULL}, *nm[] = {"name", NULL};
        const char *phv = YAJL_GET_STRING(yajl_tree_get(e, ph, yajl_t_string));
        const char *name = YAJL_GET_STRING(yajl_tree_get(e, nm, yajl_t_string));
        if (!strcmp(phv, "X")) {
            complete++;
            if (!strcmp(name, "mount /proc") || !strcmp(name, "clone init"))
                names++;
        }
    }
    ck_assert_uint_eq(complete, 4);
    ck_assert_uint_eq(names, 2);
    yajl_tree_free(root);
    free(out);
    spec_spans_free(&s);
}
END_TEST

/* Escapes, an instant span, numbers at their limits, exactly. */
static struct spec_span odd_spans[] = {
    {.id = "web",
     .op = "create",
     .cmd = "10@1",
     .proc = "runtime",
     .pid = 10,
     .name = "mount \"/a\\b\"\n\x01 \xc3\xa9",
     .ts = 1000000000,
     .mono = 0,
     .dur = 1500,
     .depth = 0},
    {.id = "web",
     .op = "create",
     .cmd = "10@1",
     .proc = "init",
     .pid = -1,
     .name = "seccomp",
     .ts = 1000002500,
     .mono = UINT64_MAX,
     .dur = UINT64_MAX,
     .depth = 7,
     .instant = true,
     .failed = true},
};

START_TEST(format_json_exact)
{
    struct spec_spans s = {odd_spans, 2};
    char *out = render_json(trace_format_json, &s);
    ck_assert_str_eq(
        out, "{\"id\":\"web\",\"op\":\"create\",\"cmd\":\"10@1\",\"proc\":\"runtime\",\"pid\":10,"
             "\"name\":\"mount \\\"/a\\\\b\\\"\\n\\u0001 \xc3\xa9\",\"ts\":1000000000,\"dur\":1500,"
             "\"depth\":0,\"instant\":false,\"failed\":false}\n"
             "{\"id\":\"web\",\"op\":\"create\",\"cmd\":\"10@1\",\"proc\":\"init\",\"pid\":-1,"
             "\"name\":\"seccomp\",\"ts\":1000002500,\"mono\":18446744073709551615,"
             "\"dur\":18446744073709551615,\"depth\":7,\"instant\":true,\"failed\":true}\n");
    free(out);
}
END_TEST

START_TEST(format_chrome_exact)
{
    struct spec_spans s = {odd_spans, 2};
    char *out = render_json(trace_format_chrome, &s);
    ck_assert_str_eq(
        out,
        "{\"displayTimeUnit\":\"ms\",\"traceEvents\":["
        "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"web\"}},"
        "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":10,"
        "\"args\":{\"name\":\"create: runtime 10\"}},"
        "{\"ph\":\"X\",\"pid\":1,\"tid\":10,\"ts\":0.000,\"dur\":1.500,\"cat\":\"create\","
        "\"name\":\"mount \\\"/a\\\\b\\\"\\n\\u0001 \xc3\xa9\",\"args\":{\"failed\":false}},"
        "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":-1,"
        "\"args\":{\"name\":\"create: init -1\"}},"
        "{\"ph\":\"i\",\"pid\":1,\"tid\":-1,\"ts\":2.500,\"s\":\"t\",\"cat\":\"create\","
        "\"name\":\"seccomp\",\"args\":{\"failed\":true}}"
        "]}\n");
    free(out);
}
END_TEST

START_TEST(format_summary)
{
    struct spec_spans s = sample_spans();
    char *out = render(trace_format_summary, &s);
    ck_assert_ptr_nonnull(strstr(out, "1 containers, 2 commands"));
    ck_assert_ptr_nonnull(strstr(out, "(whole command, wall)"));
    ck_assert_ptr_nonnull(strstr(out, "clone init"));
    ck_assert_ptr_nonnull(strstr(out, "0.300")); /* clone init p50 */
    free(out);
    spec_spans_free(&s);
}
END_TEST

START_TEST(filter_by_id)
{
    struct spec_spans s = sample_spans();
    trace_filter_sort(&s, "other");
    ck_assert_uint_eq(s.n, 0);
    spec_spans_free(&s);
}
END_TEST

START_TEST(bad_line_is_an_error)
{
    const char *path = tmpfile_path();
    FILE *f = fopen(path, "w");
    fprintf(f, "%s\nnot json\n", sample[0]);
    fclose(f);
    struct spec_spans s;
    char *msg = NULL;
    ck_assert_int_lt(spec_spans_load(path, &s, &msg), 0);
    ck_assert_ptr_nonnull(strstr(msg, "line 2"));
    free(msg);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trace");
    TCase *tc = tcase_create("trace");
    tcase_add_test(tc, nesting_and_flush);
    tcase_add_test(tc, open_spans_fail_on_flush);
    tcase_add_test(tc, end_rc_marks_failed);
    tcase_add_test(tc, child_export_and_merge);
    tcase_add_test(tc, format_table);
    tcase_add_test(tc, format_json_roundtrip);
    tcase_add_test(tc, format_chrome_is_json);
    tcase_add_test(tc, format_json_exact);
    tcase_add_test(tc, format_chrome_exact);
    tcase_add_test(tc, format_summary);
    tcase_add_test(tc, filter_by_id);
    tcase_add_test(tc, bad_line_is_an_error);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
