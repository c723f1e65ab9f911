#include "config.h"
#include "caps.h"
#include "log.h"
#include "trace.h"
#include "util.h"

#include <ctype.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

int caps_last_cap(void)
{
    static int last = -1;
    if (last >= 0)
        return last;
    /* binary search on PR_CAPBSET_READ: EINVAL past the last one */
    int lo = 0, hi = 63;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (prctl(PR_CAPBSET_READ, mid, 0, 0, 0) >= 0)
            lo = mid;
        else
            hi = mid - 1;
    }
    last = lo;
    return last;
}

char *caps_name(int cap)
{
    if (cap < 0)
        return NULL;
    /* libcap spells them in lower case, and an unnamed one as its number */
    char *n = cap_to_name((cap_value_t)cap);
    char *out = NULL;
    if (n && !strncasecmp(n, "cap_", 4)) {
        out = xstrdup(n);
        for (char *p = out; *p; p++)
            *p = (char)toupper((unsigned char)*p);
    }
    cap_free(n);
    return out;
}

int caps_parse_list(const struct spec_strv *names, const char *what, uint64_t *mask,
                    struct oci_err *err)
{
    (void)err;
    int last = caps_last_cap();
    *mask = 0;
    for (size_t i = 0; i < names->n; i++) {
        const char *name = names->items[i];
        cap_value_t v;
        if (cap_from_name(name, &v) < 0 || strncasecmp(name, "CAP_", 4) != 0) {
            log_warn("process.capabilities.%s: unknown capability %s, ignored", what, name);
            continue;
        }
        if (v > last) {
            log_warn("process.capabilities.%s: %s is not supported by this kernel, ignored", what,
                     name);
            continue;
        }
        *mask |= 1ull << v;
    }
    return 0;
}

static void warn_dropped(const char *set, uint64_t mask, const char *why)
{
    for (int i = 0; mask && i < 64; i++) {
        if (!(mask & (1ull << i)))
            continue;
        _cleanup_free_ char *n = caps_name(i);
        log_warn("process.capabilities.%s: %s is %s, ignored", set, n ? n : "?", why);
    }
}

int caps_plan(const struct spec_caps *c, bool new_userns, struct caps_plan *out,
              struct oci_err *err)
{
    memset(out, 0, sizeof(*out));
    out->set = true;
    if (caps_parse_list(&c->bounding, "bounding", &out->bounding, err) < 0 ||
        caps_parse_list(&c->effective, "effective", &out->effective, err) < 0 ||
        caps_parse_list(&c->permitted, "permitted", &out->permitted, err) < 0 ||
        caps_parse_list(&c->inheritable, "inheritable", &out->inheritable, err) < 0 ||
        caps_parse_list(&c->ambient, "ambient", &out->ambient, err) < 0)
        return -1;
    /* what this process does not hold it cannot give */
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0)
        return err_set(err, errno, "capget");
    uint64_t have = (uint64_t)d[0].permitted | ((uint64_t)d[1].permitted << 32);
    uint64_t bnd = 0;
    for (int i = 0; i <= caps_last_cap(); i++)
        if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1)
            bnd |= 1ull << i;
    if (new_userns)
        have = bnd;
    out->held = have;
    uint64_t missing = (out->permitted | out->effective | out->inheritable) & ~have;
    missing |= (out->inheritable | out->bounding) & ~bnd;
    for (int i = 0; missing && i < 64; i++)
        if (missing & (1ull << i)) {
            _cleanup_free_ char *n = caps_name(i);
            log_warn("process.capabilities: %s cannot be granted (oci-rt does not hold it), "
                     "ignored",
                     n ? n : "?");
        }
    out->permitted &= have;
    out->effective &= have & out->permitted;
    out->inheritable &= bnd;
    out->bounding &= bnd;
    /* what the kernel would refuse: inheritable outside the new bounding
     * set, ambient outside permitted and inheritable */
    warn_dropped("inheritable", out->inheritable & ~out->bounding, "not in bounding");
    out->inheritable &= out->bounding;
    warn_dropped("ambient", out->ambient & ~(out->permitted & out->inheritable),
                 "not both permitted and inheritable");
    out->ambient &= out->permitted & out->inheritable;
    return 0;
}

int caps_drop_bounding(const struct caps_plan *p, struct oci_err *err)
{
    if (!p->set)
        return 0;
    int last = caps_last_cap();
    for (int i = 0; i <= last; i++)
        if (!(p->bounding & (1ull << i)) && prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 &&
            errno != EINVAL)
            return err_set(err, errno, "drop capability %d from the bounding set", i);
    return 0;
}

static int capset_masks(uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {
        {(uint32_t)effective, (uint32_t)permitted, (uint32_t)inheritable},
        {(uint32_t)(effective >> 32), (uint32_t)(permitted >> 32), (uint32_t)(inheritable >> 32)}};
    return (int)syscall(SYS_capset, &h, d);
}

/* Without a capabilities object the sets stay as they are, but for keep,
 * raised into the effective set (the user switch cleared it). */
static int raise_kept(uint64_t keep, struct oci_err *err)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0)
        return err_set(err, errno, "capget");
    uint64_t eff = (uint64_t)d[0].effective | ((uint64_t)d[1].effective << 32);
    uint64_t perm = (uint64_t)d[0].permitted | ((uint64_t)d[1].permitted << 32);
    uint64_t inh = (uint64_t)d[0].inheritable | ((uint64_t)d[1].inheritable << 32);
    if ((eff & keep) == (keep & perm))
        return 0;
    if (capset_masks(eff | (keep & perm), perm, inh) < 0)
        return err_set(err, errno, "capset");
    return 0;
}

int caps_apply(const struct caps_plan *p, uint64_t keep, struct oci_err *err)
{
    if (!p->set)
        return keep ? raise_kept(keep, err) : 0;
    TRACE_BEGIN(span, "capabilities");
    int rc = 0;
    keep &= p->held;
    if (capset_masks(p->effective | keep, p->permitted | keep, p->inheritable) < 0) {
        rc = err_set(err, errno, "capset");
        goto out;
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
        rc = err_set(err, errno, "clear ambient capabilities");
        goto out;
    }
    for (int i = 0; i < 64; i++) {
        if (!(p->ambient & (1ull << i)))
            continue;
        /* an ambient capability needs to be permitted and inheritable: the
         * kernel refuses others, as runc and crun let it */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0 && errno != EPERM) {
            rc = err_set(err, errno, "raise ambient capability %d", i);
            break;
        }
    }
out:
    TRACE_END_RC(span, rc);
    return rc;
}
