/* The cgroup v2 device filter, loaded with bpf(2) directly.
 *
 * The program (r1 = struct bpf_cgroup_dev_ctx *):
 *
 *     w2 = access_type & 0xffff   device type (BPF_DEVCG_DEV_*)
 *     w3 = access_type >> 16      access bits asked, still undecided
 *     w4 = major, w5 = minor
 *     for each rule, last first:
 *         if type, major or minor differ: next rule
 *         if (w3 & rule.access) == 0: next rule (not for "rwm")
 *         deny:  return 0
 *         allow: w3 &= ~rule.access; if w3 == 0 return 1; next rule
 *     return 0
 *
 * A rule matching every device and every access ends the program: the
 * rules before it cannot decide anything (and unreachable instructions
 * are refused by the verifier). RLIMIT_MEMLOCK is not raised: kernels >=
 * 5.11 charge BPF memory to the memory cgroup. */
#include "config.h"
#include "cgroup_bpf.h"
#include "util.h"

#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

#define MAX_OLD_PROGS 64

struct prog {
    struct bpf_insn *insns;
    size_t n, cap;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->insns = xrealloc(p->insns, p->cap * sizeof(*p->insns));
    }
    p->insns[p->n++] =
        (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* A jump to the next rule: its offset is patched when the block ends. */
static void emit_skip(struct prog *p, uint8_t op, uint8_t reg, int32_t imm, size_t *fix,
                      size_t *nfix)
{
    fix[(*nfix)++] = p->n;
    emit(p, BPF_JMP32 | op | BPF_K, reg, 0, 0, imm);
}

static uint32_t access_bits(const char *a)
{
    if (!a)
        return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    uint32_t bits = 0;
    for (; *a; a++)
        bits |= *a == 'm'   ? BPF_DEVCG_ACC_MKNOD
                : *a == 'r' ? BPF_DEVCG_ACC_READ
                : *a == 'w' ? BPF_DEVCG_ACC_WRITE
                            : 0;
    return bits;
}

/* One rule's block; returns true when it decides every request. */
static bool emit_rule(struct prog *p, const struct spec_device_cgroup *r)
{
    const uint32_t all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    size_t fix[8], nfix = 0;
    uint32_t acc = access_bits(r->access);
    if (acc == 0)
        return false; /* grants and denies nothing */
    if (r->type && r->type[0] == 'c')
        emit_skip(p, BPF_JNE, BPF_REG_2, BPF_DEVCG_DEV_CHAR, fix, &nfix);
    else if (r->type && r->type[0] == 'b')
        emit_skip(p, BPF_JNE, BPF_REG_2, BPF_DEVCG_DEV_BLOCK, fix, &nfix);
    if (r->has_major && r->major >= 0)
        emit_skip(p, BPF_JNE, BPF_REG_4, (int32_t)(uint32_t)r->major, fix, &nfix);
    if (r->has_minor && r->minor >= 0)
        emit_skip(p, BPF_JNE, BPF_REG_5, (int32_t)(uint32_t)r->minor, fix, &nfix);
    if (acc != all) { /* w3 is never 0 here: the kernel asks some access */
        emit(p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
        emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t)acc);
        emit_skip(p, BPF_JEQ, BPF_REG_1, 0, fix, &nfix);
    }
    if (r->allow && acc != all) {
        emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_3, 0, 0, (int32_t)~acc);
        emit_skip(p, BPF_JNE, BPF_REG_3, 0, fix, &nfix);
    }
    emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
    emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    for (size_t i = 0; i < nfix; i++)
        p->insns[fix[i]].off = (int16_t)(p->n - fix[i] - 1);
    return nfix == 0;
}

struct bpf_insn *cgroup_bpf_devices_prog(const struct spec_device_cgroup *rules, size_t n_rules,
                                         size_t *n)
{
    struct prog p = {0};
    emit(&p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0); /* access_type */
    emit(&p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
    emit(&p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
    emit(&p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
    emit(&p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0); /* major */
    emit(&p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0); /* minor */
    bool ended = false;
    for (size_t i = n_rules; i-- > 0 && !ended;)
        ended = emit_rule(&p, &rules[i]);
    if (!ended) {
        emit(&p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
        emit(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
    *n = p.n;
    return p.insns;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
    return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int cgroup_bpf_load(const struct bpf_insn *insns, size_t n, struct oci_err *err)
{
    static const char license[] = "Apache";
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = (uint64_t)(uintptr_t)insns;
    a.insn_cnt = (uint32_t)n;
    a.license = (uint64_t)(uintptr_t)license;
    int fd = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd >= 0)
        return fd;
    int saved = errno;
    if (saved == EPERM)
        return err_set(err, saved,
                       "bpf(BPF_PROG_LOAD) (CAP_BPF or CAP_SYS_ADMIN needed; before "
                       "Linux 5.11 also RLIMIT_MEMLOCK)");
    /* again with the verifier's log, for the message */
    char log[512] = "";
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = sizeof(log);
    a.log_level = 1;
    fd = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd >= 0)
        return fd;
    log[strcspn(log, "\n")] = '\0';
    return err_set(err, saved, "bpf(BPF_PROG_LOAD)%s%s", log[0] ? ": " : "", log);
}

/* The ids of the device programs attached to cgroup_fd itself. */
static int query(int cgroup_fd, uint32_t *ids, uint32_t *n)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.query.target_fd = (uint32_t)cgroup_fd;
    a.query.attach_type = BPF_CGROUP_DEVICE;
    a.query.prog_ids = (uint64_t)(uintptr_t)ids;
    a.query.prog_cnt = *n;
    if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
        return -1;
    *n = a.query.prog_cnt;
    return 0;
}

int cgroup_bpf_devices_count(int cgroup_fd)
{
    uint32_t ids[MAX_OLD_PROGS], n = MAX_OLD_PROGS;
    return query(cgroup_fd, ids, &n) < 0 ? -1 : (int)n;
}

static int detach_id(int cgroup_fd, uint32_t id, struct oci_err *err)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_id = id;
    _cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
    if (fd < 0 && errno == ENOENT)
        return 0; /* gone meanwhile */
    if (fd < 0)
        return err_set(err, errno, "bpf(BPF_PROG_GET_FD_BY_ID %u)", id);
    memset(&a, 0, sizeof(a));
    a.target_fd = (uint32_t)cgroup_fd;
    a.attach_bpf_fd = (uint32_t)fd;
    a.attach_type = BPF_CGROUP_DEVICE;
    if (sys_bpf(BPF_PROG_DETACH, &a) < 0 && errno != ENOENT)
        return err_set(err, errno, "bpf(BPF_PROG_DETACH) of the previous device filter %u", id);
    return 0;
}

/* The one program loaded ahead in this process (O_CLOEXEC, as every bpf
 * fd), with its instructions to know it again. */
static struct {
    int fd;
    size_t n;
    struct bpf_insn *insns;
} preloaded = {.fd = -1};

void cgroup_bpf_devices_preload(const struct spec_device_cgroup *rules, size_t n_rules)
{
    if (preloaded.fd >= 0)
        return;
    size_t n;
    struct bpf_insn *insns = cgroup_bpf_devices_prog(rules, n_rules, &n);
    struct oci_err ignored = {0};
    int fd = cgroup_bpf_load(insns, n, &ignored);
    if (fd < 0) {
        free(insns);
        return;
    }
    preloaded.fd = fd;
    preloaded.n = n;
    preloaded.insns = insns;
}

/* The preloaded program when it is insns, else -1; either way it is
 * used up. */
static int take_preloaded(const struct bpf_insn *insns, size_t n)
{
    int fd = preloaded.fd;
    if (fd >= 0 && (preloaded.n != n || memcmp(preloaded.insns, insns, n * sizeof(*insns)))) {
        close(fd);
        fd = -1;
    }
    free(preloaded.insns);
    preloaded.insns = NULL;
    preloaded.fd = -1;
    return fd;
}

int cgroup_bpf_devices_apply(int cgroup_fd, const struct spec_device_cgroup *rules, size_t n_rules,
                             struct oci_err *err)
{
    size_t n;
    _cleanup_free_ struct bpf_insn *insns = cgroup_bpf_devices_prog(rules, n_rules, &n);
    _cleanup_close_ int prog = take_preloaded(insns, n);
    if (prog < 0)
        prog = cgroup_bpf_load(insns, n, err);
    if (prog < 0)
        return -1;
    uint32_t old[MAX_OLD_PROGS], n_old = MAX_OLD_PROGS;
    if (query(cgroup_fd, old, &n_old) < 0)
        return err_set(err, errno, "bpf(BPF_PROG_QUERY)");
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.target_fd = (uint32_t)cgroup_fd;
    a.attach_bpf_fd = (uint32_t)prog;
    a.attach_type = BPF_CGROUP_DEVICE;
    a.attach_flags = BPF_F_ALLOW_MULTI;
    if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
        return err_set(err, errno, "bpf(BPF_PROG_ATTACH)");
    /* both filters apply until the old one is gone: never more than either allows */
    for (uint32_t i = 0; i < n_old; i++)
        if (detach_id(cgroup_fd, old[i], err) < 0)
            return -1;
    return 0;
}
