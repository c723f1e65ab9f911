/* What the container's own filter would answer, computed before it is
 * loaded: a classic BPF interpreter over the compiled program. After the
 * load every system call of the runtime goes through the user's filter, so
 * the init asks first and takes a way the filter allows (an exec that the
 * profile permits, no error channel when fcntl is denied, ...). */
#include "config.h"
#include "seccomp.h"
#include "seccomp_bpf.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <string.h>

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_I386
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_S390X
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_RISCV64
#endif

static int alu(uint16_t op, uint32_t *a, uint32_t src)
{
    switch (op) {
    case BPF_AND:
        *a &= src;
        return 0;
    case BPF_OR:
        *a |= src;
        return 0;
    case BPF_ADD:
        *a += src;
        return 0;
    case BPF_SUB:
        *a -= src;
        return 0;
    case BPF_RSH:
        *a = src < 32 ? *a >> src : 0;
        return 0;
    case BPF_LSH:
        *a = src < 32 ? *a << src : 0;
        return 0;
    default:
        return -1;
    }
}

static int jump(uint16_t op, uint32_t a, uint32_t src, bool *taken)
{
    switch (op) {
    case BPF_JEQ:
        *taken = a == src;
        return 0;
    case BPF_JGT:
        *taken = a > src;
        return 0;
    case BPF_JGE:
        *taken = a >= src;
        return 0;
    case BPF_JSET:
        *taken = (a & src) != 0;
        return 0;
    default:
        return -1;
    }
}

static int load(const struct sock_filter *i, const struct seccomp_data *d, const uint32_t *m,
                uint32_t *a)
{
    if (i->code == (BPF_LD | BPF_W | BPF_ABS) && i->k % 4 == 0 && i->k < sizeof(*d))
        memcpy(a, (const char *)d + i->k, 4);
    else if (i->code == (BPF_LD | BPF_IMM))
        *a = i->k;
    else if (i->code == (BPF_LD | BPF_MEM) && i->k < BPF_MEMWORDS)
        *a = m[i->k];
    else if (i->code == (BPF_LD | BPF_W | BPF_LEN))
        *a = sizeof(*d);
    else
        return -1;
    return 0;
}

int seccomp_bpf_run(const struct sock_filter *f, unsigned len, const struct seccomp_data *d,
                    uint32_t *ret)
{
    uint32_t a = 0, x = 0, m[BPF_MEMWORDS] = {0};
    for (unsigned pc = 0; pc < len; pc++) {
        const struct sock_filter *i = &f[pc];
        uint32_t src = BPF_SRC(i->code) == BPF_X ? x : i->k;
        bool taken;
        switch (BPF_CLASS(i->code)) {
        case BPF_LD:
            if (load(i, d, m, &a) < 0)
                return -1;
            break;
        case BPF_LDX:
            if (i->code == (BPF_LDX | BPF_IMM))
                x = i->k;
            else if (i->code == (BPF_LDX | BPF_MEM) && i->k < BPF_MEMWORDS)
                x = m[i->k];
            else if (i->code == (BPF_LDX | BPF_W | BPF_LEN))
                x = sizeof(*d);
            else
                return -1;
            break;
        case BPF_ST:
        case BPF_STX:
            if (i->k >= BPF_MEMWORDS)
                return -1;
            m[i->k] = BPF_CLASS(i->code) == BPF_ST ? a : x;
            break;
        case BPF_ALU:
            if (BPF_OP(i->code) == BPF_NEG)
                a = -a;
            else if (alu(BPF_OP(i->code), &a, src) < 0)
                return -1;
            break;
        case BPF_JMP:
            if (BPF_OP(i->code) == BPF_JA) {
                pc += i->k;
                continue;
            }
            if (jump(BPF_OP(i->code), a, src, &taken) < 0)
                return -1;
            pc += taken ? i->jt : i->jf;
            break;
        case BPF_RET:
            *ret = BPF_RVAL(i->code) == BPF_A ? a : i->k;
            return 0;
        case BPF_MISC:
            if (BPF_MISCOP(i->code) == BPF_TAX)
                x = a;
            else
                a = x;
            break;
        default:
            return -1;
        }
    }
    return -1; /* fell off the end */
}

uint32_t seccomp_plan_action(const struct seccomp_plan *p, long nr, const uint64_t args[6])
{
    if (!p->filter)
        return SECCOMP_RET_ALLOW;
#ifdef NATIVE_AUDIT_ARCH
    struct seccomp_data d;
    memset(&d, 0, sizeof(d));
    d.nr = (int)nr;
    d.arch = NATIVE_AUDIT_ARCH;
    for (int i = 0; args && i < 6; i++)
        d.args[i] = args[i];
    uint32_t ret;
    if (seccomp_bpf_run(p->filter, p->len, &d, &ret) == 0)
        return ret;
#else
    (void)nr;
    (void)args;
#endif
    return SECCOMP_RET_KILL_PROCESS; /* unknown: assume the worst */
}

bool seccomp_plan_allows(const struct seccomp_plan *p, long nr, const uint64_t args[6])
{
    uint32_t action = seccomp_plan_action(p, nr, args) & SECCOMP_RET_ACTION_FULL;
    return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG;
}
