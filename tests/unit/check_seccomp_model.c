/* The exported BPF program of a whole profile (Docker's default) against a
 * model of the profile: the runtime's classic BPF interpreter
 * (seccomp_bpf_run) runs the program, in both shapes, on seccomp_data for
 * every syscall number of x86_64, x32 and x86 and a set of argument values,
 * and the model computes from the profile what the answer must be. The
 * model knows x86_64 hosts only: elsewhere this exits 77 (Automake: SKIP)
 * and says why. */
#include "libcontainer/error.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/seccomp_bpf.h"
#include "libcontainer/seccomp_cache.h"
#include "specs/spec_config.h"

#include <check.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_fixtures.h"
#include "skip.h"
#include "unit_run.h"

#if defined(__x86_64__)

/* The program is a binary tree (see SCMP_FLTATR_CTL_OPTIMIZE) or linear;
 * the model answers from the profile alone. */

static uint32_t model_action_value(const char *name, bool has_ret, uint32_t ret)
{
    static const struct {
        const char *name;
        uint32_t act;
    } acts[] = {{"SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW},
                {"SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO},
                {"SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD},
                {"SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS},
                {"SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD},
                {"SCMP_ACT_LOG", SECCOMP_RET_LOG},
                {"SCMP_ACT_NOTIFY", SECCOMP_RET_USER_NOTIF},
                {"SCMP_ACT_TRACE", SECCOMP_RET_TRACE},
                {"SCMP_ACT_TRAP", SECCOMP_RET_TRAP}};
    for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
        if (strcmp(acts[i].name, name) == 0) {
            uint32_t a = acts[i].act;
            if (a == SECCOMP_RET_ERRNO || a == SECCOMP_RET_TRACE)
                a |= has_ret ? ret : EPERM;
            return a;
        }
    ck_abort_msg("model: action %s", name);
    return 0;
}

static bool model_cond(const struct spec_seccomp_arg *c, const uint64_t *args, bool arg32)
{
    uint64_t a = arg32 ? (uint32_t)args[c->index] : args[c->index];
    if (strcmp(c->op, "SCMP_CMP_EQ") == 0)
        return a == c->value;
    if (strcmp(c->op, "SCMP_CMP_NE") == 0)
        return a != c->value;
    if (strcmp(c->op, "SCMP_CMP_LT") == 0)
        return a < c->value;
    if (strcmp(c->op, "SCMP_CMP_LE") == 0)
        return a <= c->value;
    if (strcmp(c->op, "SCMP_CMP_GT") == 0)
        return a > c->value;
    if (strcmp(c->op, "SCMP_CMP_GE") == 0)
        return a >= c->value;
    return (a & c->value) == c->value_two; /* MASKED_EQ */
}

/* The action the profile gives: conditions of one entry all hold (any one
 * of them when two test the same argument, as the plan adds them). */
static uint32_t model(const struct spec_seccomp *s, const char *name, const uint64_t *args,
                      bool arg32)
{
    uint32_t def =
        model_action_value(s->default_action, s->has_default_errno_ret, s->default_errno_ret);
    bool found = false;
    uint32_t act = def;
    for (size_t i = 0; name && i < s->n_syscalls; i++) {
        const struct spec_seccomp_syscall *sc = &s->syscalls[i];
        bool named = false;
        for (size_t j = 0; j < sc->names.n && !named; j++)
            named = strcmp(sc->names.items[j], name) == 0;
        if (!named)
            continue;
        unsigned seen = 0;
        bool dup = false;
        for (size_t k = 0; k < sc->n_args; k++) {
            dup |= (seen >> sc->args[k].index) & 1;
            seen |= 1U << sc->args[k].index;
        }
        bool all = true, any = sc->n_args == 0;
        for (size_t k = 0; k < sc->n_args; k++) {
            bool m = model_cond(&sc->args[k], args, arg32);
            all &= m;
            any |= m;
        }
        if (!(dup ? any : all))
            continue;
        uint32_t a = model_action_value(sc->action, sc->has_errno_ret, sc->errno_ret);
        ck_assert_msg(!found || a == act, "model: %s has two actions", name);
        found = true;
        act = a;
    }
    return act;
}

struct model_arch {
    uint32_t token;      /* libseccomp's, for names */
    uint32_t audit_arch; /* seccomp_data.arch */
    int nr_base;
    bool arg32;  /* libseccomp compares the low 32 bits (x86, x32) */
    bool pass32; /* the process cannot pass more (x86) */
};

/* Returns the number of (syscall, arguments) cases compared. */
static size_t compare_with_model(const struct spec_seccomp *s, const struct seccomp_plan *p,
                                 const struct model_arch *ma)
{
    static const uint64_t vals[] = {
        0,  1,      8,      11,         12,         13,         39,         40,         45,
        46, 131072, 131080, 0x10000000, 0x7E020000, 0x00020000, 0xffffffff, 1ULL << 33, UINT64_MAX};
    size_t cases = 0;
    for (int n = 0; n < 1024; n++) {
        int nr = ma->nr_base + n;
        char *name = seccomp_syscall_resolve_num_arch(ma->token, nr);
        for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
            if (ma->pass32 && vals[v] > UINT32_MAX)
                continue; /* a 32-bit process cannot pass them */
            for (int idx = 0; idx < 2; idx++) {
                struct seccomp_data d = {.nr = nr, .arch = ma->audit_arch};
                d.args[idx] = vals[v];
                uint32_t got;
                ck_assert_msg(seccomp_bpf_run(p->filter, p->len, &d, &got) == 0,
                              "interpreter: bad program");
                uint64_t args[6] = {0};
                args[idx] = vals[v];
                uint32_t want = model(s, name, args, ma->arg32);
                ck_assert_msg(got == want,
                              "arch %#x nr %#x (%s) arg%d=%#llx: filter %#x, profile %#x",
                              ma->audit_arch, nr, name ? name : "?", idx,
                              (unsigned long long)vals[v], got, want);
                cases++;
            }
        }
        free(name);
    }
    return cases;
}

START_TEST(bpf_matches_profile)
{
    static const struct model_arch x86_64 = {SCMP_ARCH_X86_64, AUDIT_ARCH_X86_64, 0, false, false},
                                   x32 = {SCMP_ARCH_X32, AUDIT_ARCH_X86_64, 0x40000000, true,
                                          false},
                                   x86 = {SCMP_ARCH_X86, AUDIT_ARCH_I386, 0, true, true};
    static const enum seccomp_shape shapes[] = {SECCOMP_SHAPE_LINEAR, SECCOMP_SHAPE_TREE};
    size_t cases = 0;
    for (size_t i = 0; i < 2; i++) {
        struct spec_config *c = config_fixture("docker-default.json");
        struct seccomp_plan p;
        compile_ok(c->linux_->seccomp, shapes[i], &p);
        cases += compare_with_model(c->linux_->seccomp, &p, &x86_64) +
                 compare_with_model(c->linux_->seccomp, &p, &x32) +
                 compare_with_model(c->linux_->seccomp, &p, &x86);
        /* an architecture the profile does not list: killed */
        struct seccomp_data d = {.nr = 0, .arch = AUDIT_ARCH_AARCH64};
        uint32_t got;
        ck_assert_int_eq(seccomp_bpf_run(p.filter, p.len, &d, &got), 0);
        ck_assert_uint_eq(got, SECCOMP_RET_KILL_THREAD);
        seccomp_plan_free(&p);
        spec_config_free(c);

        c = config_fixture("args.json");
        compile_ok(c->linux_->seccomp, shapes[i], &p);
        cases += compare_with_model(c->linux_->seccomp, &p, &x86_64);
        seccomp_plan_free(&p);
        spec_config_free(c);
    }
    ck_assert_uint_gt(cases, 200000);
}
END_TEST

#endif

int main(void)
{
#if defined(__x86_64__)
    return unit_run_one("seccomp model", "model", bpf_matches_profile, 30);
#else
    return unit_skip("the model of the profile knows x86_64 hosts only");
#endif
}
