/* libFuzzer target for the config.json parser (specs/).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. specs/json.c \
 *       specs/config_[a-z]*.c tests/fuzz/fuzz_config.c \
 *       $(pkg-config --cflags --libs yajl) -o fuzz_config
 *   ./fuzz_config -max_total_time=180 corpus/ tests/fuzz/seeds/
 *
 * Besides memory errors it checks the parser's contract: a result or one
 * error line "<name>: ...", never both, and that a parsed config has what
 * the parser promises (required fields set, enums in range). */
#include "specs/spec_config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static void check_error(const char *err, const char *name)
{
    CHECK(err != NULL);
    CHECK(strncmp(err, name, strlen(name)) == 0 && err[strlen(name)] == ':');
    for (const char *c = err; *c; c++)
        CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
}

static void check_strv(const struct spec_strv *v)
{
    CHECK(v->n == 0 || v->items != NULL);
    for (size_t i = 0; i < v->n; i++)
        CHECK(v->items[i] != NULL);
}

static void check_process(const struct spec_process *p)
{
    CHECK(p->cwd && p->cwd[0] == '/');
    CHECK(p->args.n >= 1);
    check_strv(&p->args);
    check_strv(&p->env);
    for (size_t i = 0; i < p->n_rlimits; i++) {
        CHECK(strncmp(p->rlimits[i].type, "RLIMIT_", 7) == 0);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(p->rlimits[i].type, p->rlimits[j].type) != 0);
    }
    if (p->scheduler)
        CHECK(p->scheduler->policy != NULL);
    if (p->io_priority)
        CHECK(p->io_priority->class_ != NULL);
}

static void check_linux(const struct spec_config *c)
{
    const struct spec_linux *l = c->linux_;
    unsigned seen = 0;

    for (size_t i = 0; i < l->n_namespaces; i++) {
        CHECK((unsigned)l->namespaces[i].type < SPEC_NS_TYPES);
        CHECK(!(seen & (1u << l->namespaces[i].type)));
        seen |= 1u << l->namespaces[i].type;
        CHECK(spec_config_namespace(c, l->namespaces[i].type) == &l->namespaces[i]);
    }
    for (size_t i = 0; i < l->n_devices; i++)
        CHECK(l->devices[i].type && l->devices[i].path);
    for (size_t i = 0; i < l->sysctl.n; i++)
        CHECK(spec_map_get(&l->sysctl, l->sysctl.items[i].key) == l->sysctl.items[i].value);
    if (l->seccomp) {
        CHECK(l->seccomp->default_action != NULL);
        for (size_t i = 0; i < l->seccomp->n_syscalls; i++)
            CHECK(l->seccomp->syscalls[i].names.n >= 1 && l->seccomp->syscalls[i].action);
    }
    if (l->resources && l->resources->unified.n)
        CHECK(spec_map_get(&l->resources->unified, l->resources->unified.items[0].key));
}

static void check_config(const struct spec_config *c)
{
    CHECK(spec_version_supported(c->oci_version));
    CHECK(c->root_path != NULL);
    for (size_t i = 0; i < c->n_mounts; i++)
        CHECK(c->mounts[i].destination != NULL);
    for (int k = 0; k < SPEC_HOOK_KINDS; k++)
        for (size_t i = 0; i < c->hooks.n[k]; i++)
            CHECK(c->hooks.items[k][i].path[0] == '/');
    for (size_t i = 0; i < c->annotations.n; i++)
        CHECK(spec_map_get(&c->annotations, c->annotations.items[i].key) ==
              c->annotations.items[i].value);
    if (c->process)
        check_process(c->process);
    if (c->linux_)
        check_linux(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *err = (char *)"unset";
    struct spec_config *c = spec_config_parse((const char *)data, size, "config.json", &err);
    struct spec_process *p;

    if (c) {
        CHECK(err == NULL);
        check_config(c);
        spec_config_free(c);
    } else {
        check_error(err, "config.json");
        free(err);
    }

    err = (char *)"unset";
    p = spec_process_parse((const char *)data, size, "process.json", &err);
    if (p) {
        CHECK(err == NULL);
        check_process(p);
        spec_process_free(p);
    } else {
        check_error(err, "process.json");
        free(err);
    }

    if (size < 64) { /* the version check on its own */
        char v[64];
        memcpy(v, data, size);
        v[size] = '\0';
        (void)spec_version_supported(v);
    }
    return 0;
}
