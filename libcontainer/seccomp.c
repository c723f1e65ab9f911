/* seccomp: compile linux.seccomp with libseccomp in the parent, load the
 * BPF program with seccomp(2) in the child. */
#include "config.h"
#include "seccomp.h"
#include "log.h"
#include "trace.h"
#include "util.h"

#include <ctype.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define SECCOMP_ARGS_MAX 6

/* Every table is sorted by name (bsearch). */
struct action_def {
    const char *name;
    uint32_t act;
    bool takes_errno; /* errnoRet is the ERRNO / TRACE data */
};

static const struct action_def actions[] = {
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
};

struct op_def {
    const char *name;
    enum scmp_compare op;
};

static const struct op_def ops[] = {
    {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
    {"SCMP_CMP_NE", SCMP_CMP_NE},
};

struct flag_def {
    const char *name;
    unsigned int flag;
};

static const struct flag_def flags[] = {
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

static int name_cmp(const void *key, const void *entry)
{
    return strcmp(key, *(const char *const *)entry);
}

/* Entries start with their name. */
#define TABLE_FIND(table, key)                                                                     \
    ((key) ? (__typeof__(&(table)[0]))bsearch((key), (table), ARRAY_SIZE(table),                   \
                                              sizeof((table)[0]), name_cmp)                        \
           : NULL)

DEFINE_TRIVIAL_CLEANUP_FUNC(scmp_filter_ctx, seccomp_release)

/* The libseccomp action for an action name and its errnoRet. obj is the
 * object holding them: "linux.seccomp" (the default) or a syscalls entry. */
static int resolve_action(const char *obj, bool is_default, const char *name, bool has_ret,
                          uint32_t ret, uint32_t *act, struct oci_err *err)
{
    const struct action_def *a = TABLE_FIND(actions, name);
    const char *ret_field = is_default ? "defaultErrnoRet" : "errnoRet";
    if (!a)
        return err_set(err, 0, "%s%s: unknown action \"%s\"", obj,
                       is_default ? ".defaultAction" : "", name ? name : "");
    if (!a->takes_errno) {
        if (has_ret)
            return err_set(err, 0,
                           "%s: %s is only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not %s",
                           obj, ret_field, a->name);
        *act = a->act;
        return 0;
    }
    if (has_ret && ret > 0xffff)
        return err_set(err, 0, "%s: %s %u is out of range (0-65535)", obj, ret_field, ret);
    /* EPERM when unset, for TRACE too (runc) */
    *act = a->act | (has_ret ? ret : EPERM);
    return 0;
}

static int parse_flags(const struct spec_seccomp *s, unsigned int *out, struct oci_err *err)
{
    for (size_t i = 0; i < s->flags.n; i++) {
        const struct flag_def *f = TABLE_FIND(flags, s->flags.items[i]);
        if (!f)
            return err_set(err, 0, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i,
                           s->flags.items[i]);
        *out |= f->flag;
    }
    return 0;
}

int seccomp_arch_token(const char *name, uint32_t *token)
{
    static const char prefix[] = "SCMP_ARCH_";
    const char *const *a = spec_seccomp_archs;
    while (*a && (!name || strcmp(*a, name)))
        a++;
    if (!*a)
        return -1;
    /* libseccomp's name is the rest in lower case: SCMP_ARCH_X86_64 -> x86_64 */
    char low[32];
    size_t i = 0;
    for (const char *p = name + strlen(prefix); *p && i + 1 < sizeof(low); p++)
        low[i++] = (char)tolower((unsigned char)*p);
    low[i] = '\0';
    *token = seccomp_arch_resolve_name(low);
    return *token != 0; /* 0 is SCMP_ARCH_NATIVE: never the answer for a name */
}

static int add_archs(scmp_filter_ctx ctx, const struct spec_seccomp *s, struct oci_err *err)
{
    for (size_t i = 0; i < s->architectures.n; i++) {
        const char *name = s->architectures.items[i];
        uint32_t token;
        int known = seccomp_arch_token(name, &token);
        if (known < 0)
            return err_set(err, 0, "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"",
                           i, name);
        if (!known) {
            /* newer than this libseccomp; not an architecture this host runs */
            log_debug("linux.seccomp.architectures[%zu]: %s is not supported by libseccomp "
                      "%u.%u.%u, skipped",
                      i, name, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
            continue;
        }
        int rc = seccomp_arch_add(ctx, token);
        if (rc == -EDOM) {
            /* the other endianness: never runs here, and a syscall of an
             * architecture the filter lacks is killed anyway */
            log_debug("linux.seccomp.architectures[%zu]: %s has another byte order than this "
                      "host, skipped",
                      i, name);
            continue;
        }
        if (rc < 0 && rc != -EEXIST) /* the native one is there already */
            return err_set(err, -rc, "linux.seccomp.architectures[%zu]: add %s", i, name);
    }
    return 0;
}

/* The argument conditions of a syscalls entry. *one_each: two conditions
 * test the same argument, which libseccomp cannot AND in one rule; like runc
 * each condition then becomes a rule of its own. */
static int make_conds(const struct spec_seccomp_syscall *sc, const char *where,
                      struct scmp_arg_cmp **out, bool *one_each, struct oci_err *err)
{
    _cleanup_free_ struct scmp_arg_cmp *c = xzalloc(sc->n_args * sizeof(*c));
    unsigned seen = 0;
    for (size_t k = 0; k < sc->n_args; k++) {
        const struct spec_seccomp_arg *a = &sc->args[k];
        const struct op_def *op = TABLE_FIND(ops, a->op);
        if (!op)
            return err_set(err, 0, "%s.args[%zu]: unknown operator \"%s\"", where, k,
                           a->op ? a->op : "");
        if (a->index >= SECCOMP_ARGS_MAX)
            return err_set(err, 0, "%s.args[%zu]: index %u is out of range (0-5)", where, k,
                           a->index);
        if (seen & (1U << a->index))
            *one_each = true;
        seen |= 1U << a->index;
        /* MASKED_EQ: value is the mask, valueTwo what the masked argument equals */
        c[k] = (struct scmp_arg_cmp){.arg = a->index,
                                     .op = op->op,
                                     .datum_a = a->value,
                                     .datum_b = op->op == SCMP_CMP_MASKED_EQ ? a->value_two : 0};
    }
    *out = TAKE_PTR(c);
    return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t act, int nr, const struct scmp_arg_cmp *conds,
                    size_t n, bool one_each)
{
    if (!one_each)
        return seccomp_rule_add_array(ctx, act, nr, (unsigned)n, conds);
    for (size_t k = 0; k < n; k++) {
        int rc = seccomp_rule_add_array(ctx, act, nr, 1, &conds[k]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int add_entry(scmp_filter_ctx ctx, const struct spec_seccomp_syscall *sc, size_t i,
                     uint32_t def_act, struct seccomp_plan *p, struct oci_err *err)
{
    char where[64];
    snprintf(where, sizeof(where), "linux.seccomp.syscalls[%zu]", i);
    uint32_t act;
    if (resolve_action(where, false, sc->action, sc->has_errno_ret, sc->errno_ret, &act, err) < 0)
        return -1;
    _cleanup_free_ struct scmp_arg_cmp *conds = NULL;
    bool one_each = false;
    if (sc->n_args && make_conds(sc, where, &conds, &one_each, err) < 0)
        return -1;
    if (act == SCMP_ACT_NOTIFY)
        p->listener = true;
    if (act == def_act) { /* libseccomp refuses it; the spec says ignore */
        log_debug("%s: the default action, skipped", where);
        return 0;
    }
    for (size_t j = 0; j < sc->names.n; j++) {
        const char *name = sc->names.items[j];
        /* the init passes the listener up with sendmsg after the load */
        if (act == SCMP_ACT_NOTIFY && strcmp(name, "sendmsg") == 0)
            return err_set(err, 0,
                           "%s: SCMP_ACT_NOTIFY cannot be used for sendmsg (the runtime needs "
                           "it to pass the listener on)",
                           where);
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR) {
            p->n_skipped++;
            log_debug("%s: unknown syscall \"%s\" skipped", where, name);
            continue;
        }
        int rc = add_rule(ctx, act, nr, conds, sc->n_args, one_each);
        if (rc < 0)
            return err_set(err, -rc, "%s: add the rule for \"%s\"", where, name);
    }
    return 0;
}

/* libseccomp 2.5 has no seccomp_export_bpf_mem: export into a memfd. */
static int export_bpf(scmp_filter_ctx ctx, struct seccomp_plan *p, struct oci_err *err)
{
    _cleanup_close_ int fd = memfd_create("oci-rt-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno, "linux.seccomp: memfd_create");
    int rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0)
        return err_set(err, -rc, "linux.seccomp: export the BPF program");
    off_t size = lseek(fd, 0, SEEK_END);
    if (size < 0)
        return err_set(err, errno, "linux.seccomp: export the BPF program");
    size_t n = (size_t)size / sizeof(struct sock_filter);
    if (n == 0 || (size_t)size % sizeof(struct sock_filter))
        return err_set(err, 0, "linux.seccomp: libseccomp exported %lld bytes of BPF",
                       (long long)size);
    if (n > BPF_MAXINSNS)
        return err_set(err, 0,
                       "linux.seccomp: the filter has %zu instructions, more than the "
                       "kernel's limit of %d",
                       n, BPF_MAXINSNS);
    _cleanup_free_ struct sock_filter *f = xmalloc((size_t)size);
    for (size_t got = 0; got < (size_t)size;) {
        ssize_t r = pread(fd, (char *)f + got, (size_t)size - got, (off_t)got);
        if (r <= 0)
            return err_set(err, r < 0 ? errno : EIO, "linux.seccomp: read the BPF program");
        got += (size_t)r;
    }
    p->filter = TAKE_PTR(f);
    p->len = (unsigned short)n;
    return 0;
}

static int build(const struct spec_seccomp *s, enum seccomp_shape shape, struct seccomp_plan *p,
                 struct oci_err *err)
{
    uint32_t def_act;
    if (resolve_action("linux.seccomp", true, s->default_action, s->has_default_errno_ret,
                       s->default_errno_ret, &def_act, err) < 0 ||
        parse_flags(s, &p->flags, err) < 0)
        return -1;
    /* every syscall, the init's sendmsg of the listener included, would
     * wait for an agent that has no listener yet (runc refuses it too) */
    if (def_act == SCMP_ACT_NOTIFY)
        return err_set(err, 0,
                       "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the "
                       "default action");
    _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(def_act);
    if (!ctx)
        return err_set(err, 0, "linux.seccomp.defaultAction: libseccomp refuses %s",
                       s->default_action);
    /* oci-rt sets no_new_privs itself, as process.noNewPrivileges says */
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (rc < 0)
        return err_set(err, -rc, "linux.seccomp: libseccomp: clear SCMP_FLTATR_CTL_NNP");
    if (shape == SECCOMP_SHAPE_TREE) {
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (rc < 0)
            log_debug("linux.seccomp: libseccomp: SCMP_FLTATR_CTL_OPTIMIZE 2: %s", strerror(-rc));
    }
    if (seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1) < 0)
        log_debug("linux.seccomp: libseccomp has no SCMP_FLTATR_API_SYSRAWRC");
    if (add_archs(ctx, s, err) < 0)
        return -1;
    for (size_t i = 0; i < s->n_syscalls; i++)
        if (add_entry(ctx, &s->syscalls[i], i, def_act, p, err) < 0)
            return -1;
    if (!p->listener && (p->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) {
        /* meaningless without a listener, and the kernel refuses it */
        log_debug("linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without "
                  "SCMP_ACT_NOTIFY, dropped");
        p->flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    }
    if (p->listener) {
        if (!s->listener_path || !*s->listener_path)
            return err_set(err, 0, "linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY");
        p->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        /* TSYNC and a listener only go together with TSYNC_ESRCH */
        if (p->flags & SECCOMP_FILTER_FLAG_TSYNC)
            p->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
    return export_bpf(ctx, p, err);
}

int seccomp_plan_compile(const struct spec_seccomp *s, enum seccomp_shape shape,
                         struct seccomp_plan *out, struct oci_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!s)
        return 0;
    TRACE_BEGIN(span, "seccomp compile");
    int rc = build(s, shape, out, err);
    TRACE_END_RC(span, rc);
    if (rc < 0)
        seccomp_plan_free(out);
    return rc;
}

int seccomp_plan_build(const struct spec_seccomp *s, struct seccomp_plan *out, struct oci_err *err)
{
    return seccomp_plan_compile(s, SECCOMP_SHAPE_LINEAR, out, err);
}

void seccomp_plan_free(struct seccomp_plan *p)
{
    free(p->filter);
    memset(p, 0, sizeof(*p));
}

static int load_error(const struct seccomp_plan *p, int e, struct oci_err *err)
{
    if (e == EACCES)
        return err_set(err, e,
                       "load the seccomp filter: the process has neither no_new_privs nor "
                       "CAP_SYS_ADMIN (set process.noNewPrivileges, or keep CAP_SYS_ADMIN)");
    if (e == EINVAL && p->flags)
        return err_set(err, e, "load the seccomp filter (flags 0x%x: does the kernel know them?)",
                       p->flags);
    return err_set(err, e, "load the seccomp filter");
}

int seccomp_plan_load(const struct seccomp_plan *p, int *listener_fd, struct oci_err *err)
{
    if (listener_fd)
        *listener_fd = -1;
    if (!p->filter)
        return 0;
    TRACE_BEGIN(span, "seccomp load");
    struct sock_fprog prog = {.len = p->len, .filter = p->filter};
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
    int rc = 0;
    if (r < 0)
        rc = load_error(p, errno, err);
    else if (p->listener && listener_fd)
        *listener_fd = (int)r;
    else if (p->listener)
        close((int)r);
    else if (r > 0) /* TSYNC without TSYNC_ESRCH: the thread that could not follow */
        rc = err_set(err, 0, "load the seccomp filter: thread %ld cannot be synchronized", r);
    TRACE_END_RC(span, rc);
    return rc;
}

bool seccomp_flag_supported(const char *name)
{
    const struct flag_def *f = TABLE_FIND(flags, name);
    if (!f)
        return false;
    unsigned int flag = f->flag;
    if (flag & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
        flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER; /* only valid with it */
    /* with no program the kernel says EFAULT for a flag it knows, EINVAL
     * for one it does not */
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
    return r < 0 && errno == EFAULT;
}
