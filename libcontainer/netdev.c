#include "config.h"
#include "netdev.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <stdbool.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define NL_BUF 32768

struct nlreq {
    struct nlmsghdr h;
    union {
        struct ifinfomsg ifi;
        struct ifaddrmsg ifa;
    };
    char attrs[512];
};

struct addr {
    struct ifaddrmsg ifa;
    unsigned char local[16], address[16];
    int alen;
    int has_local;
};

static void add_attr(struct nlreq *r, unsigned short type, const void *data, size_t len)
{
    struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
    a->rta_type = type;
    a->rta_len = (unsigned short)RTA_LENGTH(len);
    memcpy(RTA_DATA(a), data, len);
    r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Send a request and read the ack (or, with cb, every message of a dump). */
static int nl_talk(int fd, struct nlreq *r, void (*cb)(struct nlmsghdr *, void *), void *arg)
{
    static unsigned seq;
    r->h.nlmsg_seq = ++seq;
    r->h.nlmsg_flags |= NLM_F_REQUEST | (cb ? 0 : NLM_F_ACK);
    if (send(fd, r, r->h.nlmsg_len, 0) < 0)
        return -1;
    static char buf[NL_BUF];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0)
            return -1;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE)
                return 0;
            if (h->nlmsg_type == NLMSG_ERROR) {
                int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
                if (e) {
                    errno = -e;
                    return -1;
                }
                if (!cb)
                    return 0;
                continue;
            }
            if (cb)
                cb(h, arg);
        }
    }
}

struct addr_list {
    int index;
    struct addr *v;
    size_t n;
};

/* The permanent addresses of global scope of one interface. */
static void collect_addr(struct nlmsghdr *h, void *arg)
{
    struct addr_list *l = arg;
    struct ifaddrmsg *ifa = NLMSG_DATA(h);
    if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != l->index ||
        ifa->ifa_scope != RT_SCOPE_UNIVERSE)
        return;
    unsigned flags = ifa->ifa_flags;
    struct addr a = {.ifa = *ifa};
    int len = (int)IFA_PAYLOAD(h);
    for (struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
        size_t dl = RTA_PAYLOAD(rta);
        if (rta->rta_type == IFA_FLAGS && dl >= 4)
            memcpy(&flags, RTA_DATA(rta), 4);
        else if (rta->rta_type == IFA_LOCAL && dl <= 16) {
            memcpy(a.local, RTA_DATA(rta), dl);
            a.has_local = 1;
            a.alen = (int)dl;
        } else if (rta->rta_type == IFA_ADDRESS && dl <= 16) {
            memcpy(a.address, RTA_DATA(rta), dl);
            a.alen = (int)dl;
        }
    }
    if (!(flags & IFA_F_PERMANENT))
        return;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = a;
}

/* A link by index, or else by hardware address; records the mac seen. */
struct link_find {
    int want_index;
    unsigned char mac[32];
    size_t mac_len;
    bool by_mac;
    int found;
};

static void find_link(struct nlmsghdr *h, void *arg)
{
    struct link_find *f = arg;
    struct ifinfomsg *ifi = NLMSG_DATA(h);
    if (h->nlmsg_type != RTM_NEWLINK || f->found)
        return;
    unsigned char mac[32];
    size_t mac_len = 0;
    int len = (int)IFLA_PAYLOAD(h);
    for (struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
        if (rta->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(rta) <= sizeof(mac)) {
            mac_len = RTA_PAYLOAD(rta);
            memcpy(mac, RTA_DATA(rta), mac_len);
        }
    if (f->by_mac) {
        if (mac_len == f->mac_len && !memcmp(mac, f->mac, mac_len))
            f->found = ifi->ifi_index;
    } else if (ifi->ifi_index == f->want_index) {
        f->found = ifi->ifi_index;
        memcpy(f->mac, mac, mac_len);
        f->mac_len = mac_len;
    }
}

static int nl_open(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -1;
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A netlink socket in the network namespace of pid: enter, open, return. */
static int nl_open_in(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
    _cleanup_close_ int target = open(path, O_RDONLY | O_CLOEXEC);
    _cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (target < 0 || self < 0 || setns(target, CLONE_NEWNET) < 0)
        return -1;
    int fd = nl_open();
    int saved = errno;
    if (setns(self, CLONE_NEWNET) < 0)
        abort(); /* cannot happen: we were there a moment ago */
    errno = saved;
    return fd;
}

/* Does a link named name exist where fd talks? */
static bool link_exists(int fd, const char *name)
{
    struct nlreq r = {
        .h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_GETLINK}};
    add_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
    return nl_talk(fd, &r, NULL, NULL) == 0;
}

/* Back to the host under its own name, after a failure in the container. */
static void move_back(int inner, int index, const char *host_name)
{
    _cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return;
    struct nlreq r = {
        .h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_NEWLINK}};
    r.ifi.ifi_index = index;
    uint32_t fd32 = (uint32_t)self;
    add_attr(&r, IFLA_NET_NS_FD, &fd32, sizeof(fd32));
    add_attr(&r, IFLA_IFNAME, host_name, strlen(host_name) + 1);
    nl_talk(inner, &r, NULL, NULL);
}

static int move_one(int host, int inner, pid_t pid, const struct spec_net_device *d,
                    struct oci_err *err)
{
    const char *want = d->name && *d->name ? d->name : d->host_name;
    int index = (int)if_nametoindex(d->host_name);
    if (!index)
        return err_set(err, errno, "linux.netDevices[\"%s\"]: no such device on the host",
                       d->host_name);
    /* checked before the move: a failed rename would leave the device in
     * the container's namespace, and it would go with it */
    if (!strchr(want, '%') && link_exists(inner, want))
        return err_set(err, EEXIST, "linux.netDevices[\"%s\"]: the container already has a %s",
                       d->host_name, want);
    struct link_find mac = {.want_index = index};
    struct nlreq r = {.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
                            .nlmsg_type = RTM_GETLINK,
                            .nlmsg_flags = NLM_F_DUMP}};
    if (nl_talk(host, &r, find_link, &mac) < 0)
        return err_set(err, errno, "linux.netDevices[\"%s\"]: read the link", d->host_name);
    struct addr_list addrs = {.index = index};
    r = (struct nlreq){.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
                             .nlmsg_type = RTM_GETADDR,
                             .nlmsg_flags = NLM_F_DUMP}};
    if (nl_talk(host, &r, collect_addr, &addrs) < 0)
        return err_set(err, errno, "linux.netDevices[\"%s\"]: read addresses", d->host_name);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
    _cleanup_close_ int nsfd = open(path, O_RDONLY | O_CLOEXEC);
    memset(&r, 0, sizeof(r));
    r.h = (struct nlmsghdr){.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
                            .nlmsg_type = RTM_NEWLINK};
    r.ifi.ifi_index = index;
    uint32_t fd32 = (uint32_t)nsfd;
    add_attr(&r, IFLA_NET_NS_FD, &fd32, sizeof(fd32));
    add_attr(&r, IFLA_IFNAME, want, strlen(want) + 1);
    int rc = 0;
    if (nsfd < 0 || nl_talk(host, &r, NULL, NULL) < 0) {
        rc = err_set(err, errno, "linux.netDevices[\"%s\"]: move into the container as %s",
                     d->host_name, want);
        goto out;
    }
    /* its index in the container: the same one when free there; a name
     * template ("eth%d") is resolved by the kernel, so look for the mac */
    struct link_find find = {
        .want_index = index, .mac_len = mac.mac_len, .by_mac = mac.mac_len > 0};
    memcpy(find.mac, mac.mac, mac.mac_len);
    memset(&r, 0, sizeof(r));
    r.h = (struct nlmsghdr){.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
                            .nlmsg_type = RTM_GETLINK,
                            .nlmsg_flags = NLM_F_DUMP};
    if (nl_talk(inner, &r, find_link, &find) < 0 || !find.found) {
        rc = err_set(err, errno ? errno : ENODEV,
                     "linux.netDevices[\"%s\"]: not found in the container after the move",
                     d->host_name);
        goto out;
    }
    int inner_index = find.found;
    /* from here on a failure puts the device back on the host */
    for (size_t i = 0; rc == 0 && i < addrs.n; i++) {
        memset(&r, 0, sizeof(r));
        r.h = (struct nlmsghdr){.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
                                .nlmsg_type = RTM_NEWADDR,
                                .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL};
        r.ifa = addrs.v[i].ifa;
        r.ifa.ifa_index = (unsigned)inner_index;
        if (addrs.v[i].has_local)
            add_attr(&r, IFA_LOCAL, addrs.v[i].local, (size_t)addrs.v[i].alen);
        add_attr(&r, IFA_ADDRESS, addrs.v[i].address, (size_t)addrs.v[i].alen);
        if (nl_talk(inner, &r, NULL, NULL) < 0 && errno != EEXIST)
            rc = err_set(err, errno, "linux.netDevices[\"%s\"]: restore an address", d->host_name);
    }
    if (rc == 0) {
        memset(&r, 0, sizeof(r));
        r.h = (struct nlmsghdr){.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
                                .nlmsg_type = RTM_NEWLINK};
        r.ifi.ifi_index = inner_index;
        r.ifi.ifi_flags = IFF_UP;
        r.ifi.ifi_change = IFF_UP;
        if (nl_talk(inner, &r, NULL, NULL) < 0)
            rc = err_set(err, errno, "linux.netDevices[\"%s\"]: set up", d->host_name);
    }
    if (rc < 0)
        move_back(inner, inner_index, d->host_name);
out:
    free(addrs.v);
    return rc;
}

int netdev_move_all(const struct spec_linux *l, pid_t pid, struct oci_err *err)
{
    if (!l || !l->n_net_devices)
        return 0;
    TRACE_BEGIN(span, "network devices");
    int rc = -1;
    _cleanup_close_ int host = nl_open();
    _cleanup_close_ int inner = nl_open_in(pid);
    if (host < 0 || inner < 0) {
        err_set(err, errno, "linux.netDevices: netlink");
    } else {
        rc = 0;
        for (size_t i = 0; rc == 0 && i < l->n_net_devices; i++)
            rc = move_one(host, inner, pid, &l->net_devices[i], err);
    }
    TRACE_END_RC(span, rc);
    return rc;
}
