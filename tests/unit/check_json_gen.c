/* specs/json_gen: what yajl writes for strings and numbers through it, and
 * that every misuse and failure reaches the caller instead of being lost
 * (or, for yajl 2.1, corrupting the generator). */
#include "config.h"
#include "specs/json_gen.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

/* The finished document, which must have succeeded. */
static char *finish_ok(struct json_gen *j)
{
    char *msg = (char *)"unset";
    size_t len = 0;
    char *doc = json_gen_finish(j, &len, &msg);
    ck_assert_msg(doc != NULL, "finish failed: %s", msg ? msg : "(no message)");
    ck_assert_ptr_null(msg);
    ck_assert_uint_eq(len, strlen(doc));
    return doc;
}

/* The finish, which must fail with this message. */
static void finish_fails(struct json_gen *j, yajl_gen_status st, const char *want)
{
    char *msg = NULL;
    char *doc = json_gen_finish(j, NULL, &msg);
    yajl_gen_status got = j->status; /* kept after the finish */
    ck_assert_msg(doc == NULL, "finish succeeded: %s", doc);
    ck_assert_ptr_nonnull(msg);
    ck_assert_str_eq(msg, want);
    if (st != yajl_gen_status_ok)
        ck_assert_int_eq(got, st);
    free(msg);
}

static char *one_string(const char *s)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_str(&j, s);
    return finish_ok(&j);
}

static void assert_string(const char *in, const char *want)
{
    char *doc = one_string(in);
    ck_assert_str_eq(doc, want);
    /* and yajl's parser (which checks UTF-8) reads it back */
    char ebuf[128];
    yajl_val v = yajl_tree_parse(doc, ebuf, sizeof(ebuf));
    ck_assert_msg(v != NULL && YAJL_IS_STRING(v), "%s does not parse: %s", doc, ebuf);
    yajl_tree_free(v);
    free(doc);
}

START_TEST(escapes_quotes_backslash_control)
{
    assert_string("a\"b\\c", "\"a\\\"b\\\\c\"");
    assert_string("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
    assert_string("\x01\x1f", "\"\\u0001\\u001F\"");
    /* no escape needed: '/', DEL, the space */
    assert_string("/a b\x7f", "\"/a b\x7f\"");
    assert_string("", "\"\"");
}
END_TEST

START_TEST(utf8_passes_through)
{
    /* e-acute, euro sign, U+FFFF, U+10FFFF and a 4-byte emoji: unchanged */
    const char *s = "\xc3\xa9\xe2\x82\xac\xef\xbf\xbf\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80";
    char want[64];
    snprintf(want, sizeof(want), "\"%s\"", s);
    assert_string(s, want);
}
END_TEST

START_TEST(invalid_utf8_becomes_replacement)
{
#define FFFD "\xef\xbf\xbd"
    assert_string("a\xff"
                  "b",
                  "\"a" FFFD "b\"");
    /* overlong '/', a surrogate, past U+10FFFF: one U+FFFD per byte */
    assert_string("\xc0\xaf", "\"" FFFD FFFD "\"");
    assert_string("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");
    assert_string("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
    /* a sequence cut short, at the end and before ASCII */
    assert_string("x\xe2\x82", "\"x" FFFD FFFD "\"");
    assert_string("\xe2\x82z", "\"" FFFD FFFD "z\"");
    /* valid around invalid is kept */
    assert_string("\xc3\xa9\x80\xc3\xa9", "\"\xc3\xa9" FFFD "\xc3\xa9\"");
    /* in a key too */
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_map_open(&j);
    json_gen_kv_str(&j, "k\xfe", "v");
    json_gen_map_close(&j);
    char *doc = finish_ok(&j);
    ck_assert_str_eq(doc, "{\"k" FFFD "\":\"v\"}");
    free(doc);
#undef FFFD
}
END_TEST

START_TEST(integers_at_limits)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_array_open(&j);
    json_gen_int(&j, INT64_MIN);
    json_gen_int(&j, INT64_MAX);
    json_gen_int(&j, 0);
    json_gen_uint(&j, UINT64_MAX);
    json_gen_uint(&j, (uint64_t)INT64_MAX + 1);
    json_gen_uint(&j, 0);
    json_gen_array_close(&j);
    char *doc = finish_ok(&j);
    ck_assert_str_eq(doc, "[-9223372036854775808,9223372036854775807,0,"
                          "18446744073709551615,9223372036854775808,0]");
    free(doc);
}
END_TEST

START_TEST(numbers_as_text_and_fixed)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_array_open(&j);
    json_gen_number(&j, "0");
    json_gen_number(&j, "-12.5e+3");
    json_gen_number(&j, "18446744073709551616");
    json_gen_fixed(&j, 1.5, 3);
    json_gen_fixed(&j, 1234.5678, 0);
    json_gen_fixed(&j, 0.0004, 3);
    json_gen_array_close(&j);
    char *doc = finish_ok(&j);
    ck_assert_str_eq(doc, "[0,-12.5e+3,18446744073709551616,1.500,1235,0.000]");
    free(doc);

    static const char *const bad[] = {"",   "max", "01",   "-",  "1.", ".5",
                                      "1e", "1e+", "0x10", "1 ", "+1", "NaN"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_gen_init(&j, NULL, NULL, 0);
        json_gen_number(&j, bad[i]);
        finish_fails(&j, yajl_gen_invalid_number, "JSON output: number: not a JSON number");
    }
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_fixed(&j, NAN, 3);
    finish_fails(&j, yajl_gen_invalid_number,
                 "JSON output: fixed-point number: not a finite number");
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_fixed(&j, INFINITY, 3);
    finish_fails(&j, yajl_gen_invalid_number,
                 "JSON output: fixed-point number: not a finite number");
}
END_TEST

START_TEST(scalars_and_nesting)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, JSON_GEN_NEWLINE);
    json_gen_map_open(&j);
    json_gen_kv_str(&j, "s", "x");
    json_gen_kv_int(&j, "i", -1);
    json_gen_kv_uint(&j, "u", 2);
    json_gen_kv_bool(&j, "t", true);
    json_gen_kv_bool(&j, "f", false);
    json_gen_key(&j, "n");
    json_gen_null(&j);
    json_gen_key(&j, "sn");
    json_gen_str_or_null(&j, NULL);
    json_gen_key(&j, "ss");
    json_gen_str_or_null(&j, "y");
    json_gen_key(&j, "a");
    json_gen_array_open(&j);
    json_gen_map_open(&j);
    json_gen_map_close(&j);
    json_gen_array_open(&j);
    json_gen_array_close(&j);
    json_gen_str(&j, "z");
    json_gen_array_close(&j);
    json_gen_key(&j, "last");
    json_gen_int(&j, 0);
    json_gen_map_close(&j);
    char *doc = finish_ok(&j);
    ck_assert_str_eq(doc, "{\"s\":\"x\",\"i\":-1,\"u\":2,\"t\":true,\"f\":false,\"n\":null,"
                          "\"sn\":null,\"ss\":\"y\",\"a\":[{},[],\"z\"],\"last\":0}\n");
    free(doc);
}
END_TEST

START_TEST(pretty_output)
{
    struct json_gen j;
    json_gen_init(&j, "  ", NULL, JSON_GEN_NEWLINE);
    json_gen_map_open(&j);
    json_gen_kv_str(&j, "a", "b");
    json_gen_key(&j, "c");
    json_gen_array_open(&j);
    json_gen_int(&j, 1);
    json_gen_array_close(&j);
    json_gen_map_close(&j);
    char *doc = finish_ok(&j);
    /* yajl ends a pretty document with '\n'; JSON_GEN_NEWLINE adds one */
    ck_assert_str_eq(doc, "{\n  \"a\": \"b\",\n  \"c\": [\n    1\n  ]\n}\n\n");
    free(doc);

    json_gen_init(&j, "\tx", NULL, 0);
    json_gen_int(&j, 1);
    finish_fails(&j, yajl_gen_in_error_state, "JSON output: init: the indent is not white space");
}
END_TEST

START_TEST(to_a_file)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct json_gen j;
    json_gen_init(&j, NULL, f, JSON_GEN_NEWLINE);
    json_gen_map_open(&j);
    json_gen_kv_str(&j, "k", "v");
    json_gen_map_close(&j);
    char *msg = (char *)"unset";
    ck_assert_int_eq(json_gen_finish_file(&j, &msg), 0);
    ck_assert_ptr_null(msg);
    fclose(f);
    ck_assert_str_eq(buf, "{\"k\":\"v\"}\n");
    free(buf);

    /* the in-memory finish of a document that went to a file */
    f = open_memstream(&buf, &len);
    json_gen_init(&j, NULL, f, 0);
    json_gen_int(&j, 1);
    finish_fails(&j, yajl_gen_no_buf, "JSON output: finish: no buffer to take the document from");
    fclose(f);
    free(buf);

    /* and the other way round */
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_int(&j, 1);
    ck_assert_int_eq(json_gen_finish_file(&j, &msg), -1);
    ck_assert_str_eq(msg, "JSON output: finish: the document was made in memory");
    free(msg);
}
END_TEST

START_TEST(a_write_error_is_reported)
{
    FILE *f = fopen("/dev/full", "w");
    ck_assert_ptr_nonnull(f);
    setvbuf(f, NULL, _IONBF, 0);
    struct json_gen j;
    json_gen_init(&j, NULL, f, 0);
    json_gen_str(&j, "x");
    char *msg = NULL;
    ck_assert_int_eq(json_gen_finish_file(&j, &msg), -1);
    ck_assert_str_eq(msg, "JSON output: finish: the output file reports a write error");
    free(msg);
    fclose(f);
}
END_TEST

/* ---- misuse: reported, and nothing after it reaches yajl ---- */

START_TEST(close_of_a_map_never_opened)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_map_close(&j);
    /* yajl 2.1 would now index its state array at depth (unsigned)-1 */
    json_gen_map_open(&j);
    json_gen_kv_str(&j, "k", "v");
    json_gen_map_close(&j);
    finish_fails(&j, yajl_gen_generation_complete, "JSON output: map close: no map is open");
}
END_TEST

START_TEST(mismatched_and_misplaced_calls)
{
    struct json_gen j;

    json_gen_init(&j, NULL, NULL, 0);
    json_gen_map_open(&j);
    json_gen_array_close(&j);
    finish_fails(&j, yajl_gen_in_error_state,
                 "JSON output: array close: the open container is a map");

    json_gen_init(&j, NULL, NULL, 0);
    json_gen_array_open(&j);
    json_gen_map_close(&j);
    finish_fails(&j, yajl_gen_in_error_state,
                 "JSON output: map close: the open container is an array");

    json_gen_init(&j, NULL, NULL, 0);
    json_gen_array_open(&j);
    json_gen_key(&j, "k");
    finish_fails(&j, yajl_gen_in_error_state, "JSON output: key: a key outside a map");

    json_gen_init(&j, NULL, NULL, 0);
    json_gen_map_open(&j);
    json_gen_int(&j, 1);
    finish_fails(&j, yajl_gen_keys_must_be_strings, "JSON output: integer: a key is expected here");

    json_gen_init(&j, NULL, NULL, 0);
    json_gen_map_open(&j);
    json_gen_key(&j, "k");
    json_gen_key(&j, "k2");
    finish_fails(&j, yajl_gen_in_error_state,
                 "JSON output: key: a key where the last key's value goes");

    json_gen_init(&j, NULL, NULL, 0);
    json_gen_map_open(&j);
    json_gen_key(&j, "k");
    json_gen_map_close(&j);
    finish_fails(&j, yajl_gen_in_error_state, "JSON output: map close: the last key has no value");

    json_gen_init(&j, NULL, NULL, 0);
    json_gen_int(&j, 1);
    json_gen_int(&j, 2);
    finish_fails(&j, yajl_gen_generation_complete,
                 "JSON output: integer: the document is already complete");

    json_gen_init(&j, NULL, NULL, 0);
    json_gen_str(&j, NULL);
    finish_fails(&j, yajl_gen_invalid_string, "JSON output: string: a NULL string");

    json_gen_init(&j, NULL, NULL, 0);
    json_gen_map_open(&j);
    json_gen_key(&j, NULL);
    finish_fails(&j, yajl_gen_invalid_string, "JSON output: key: a NULL key");
}
END_TEST

START_TEST(unfinished_documents)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, 0);
    finish_fails(&j, yajl_gen_in_error_state, "JSON output: finish: no value was written");

    json_gen_init(&j, NULL, NULL, 0);
    json_gen_array_open(&j);
    json_gen_map_open(&j);
    finish_fails(&j, yajl_gen_in_error_state, "JSON output: finish: a map or array is still open");
}
END_TEST

START_TEST(too_deep)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, 0);
    for (int i = 0; i < JSON_GEN_MAX_DEPTH; i++)
        json_gen_array_open(&j);
    ck_assert_int_eq(j.status, yajl_gen_status_ok);
    json_gen_array_open(&j);
    finish_fails(&j, yajl_max_depth_exceeded,
                 "JSON output: array open: nested deeper than JSON_GEN_MAX_DEPTH");
}
END_TEST

START_TEST(the_first_failure_is_kept)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_map_open(&j);
    json_gen_number(&j, "1"); /* no key: the first failure */
    json_gen_array_close(&j); /* a second */
    json_gen_map_close(&j);   /* would be fine on its own */
    finish_fails(&j, yajl_gen_keys_must_be_strings, "JSON output: number: a key is expected here");
}
END_TEST

START_TEST(calls_after_finish_and_free)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_int(&j, 1);
    free(finish_ok(&j));
    json_gen_free(&j); /* twice is fine */
    json_gen_int(&j, 2);
    ck_assert_int_eq(j.status, yajl_gen_in_error_state);
    ck_assert_str_eq(j.cause, "the document is finished");

    json_gen_init(&j, NULL, NULL, 0);
    json_gen_map_open(&j);
    json_gen_free(&j); /* abandoned half-way */
    ck_assert_ptr_null(j.g);
}
END_TEST

START_TEST(errmsg_is_optional)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_map_close(&j);
    ck_assert_ptr_null(json_gen_finish(&j, NULL, NULL));
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_array_close(&j);
    ck_assert_int_eq(json_gen_finish_file(&j, NULL), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("json_gen");
    TCase *out = tcase_create("output");
    tcase_add_test(out, escapes_quotes_backslash_control);
    tcase_add_test(out, utf8_passes_through);
    tcase_add_test(out, invalid_utf8_becomes_replacement);
    tcase_add_test(out, integers_at_limits);
    tcase_add_test(out, numbers_as_text_and_fixed);
    tcase_add_test(out, scalars_and_nesting);
    tcase_add_test(out, pretty_output);
    tcase_add_test(out, to_a_file);
    tcase_add_test(out, a_write_error_is_reported);
    suite_add_tcase(s, out);
    TCase *bad = tcase_create("failures");
    tcase_add_test(bad, close_of_a_map_never_opened);
    tcase_add_test(bad, mismatched_and_misplaced_calls);
    tcase_add_test(bad, unfinished_documents);
    tcase_add_test(bad, too_deep);
    tcase_add_test(bad, the_first_failure_is_kept);
    tcase_add_test(bad, calls_after_finish_and_free);
    tcase_add_test(bad, errmsg_is_optional);
    suite_add_tcase(s, bad);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
