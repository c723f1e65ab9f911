/* The network workload: iperf3 from a client network namespace to a
 * container's iperf3 server over a veth pair. The suite makes both
 * namespaces (ip netns add, names ocibench-<tag>-srv and -cli) and creates
 * the veth inside the client namespace with its peer in the server's, so no
 * interface ever appears in the host's namespace and no traffic leaves the
 * two. The container joins the server namespace by path; an engine that
 * cannot (Docker) gets its own namespace attached by name instead, and the
 * veth peer moved into it. Everything is deleted at the end, also after
 * Ctrl-C. */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#define SRV_ADDR "10.231.14.1"
#define CLI_ADDR "10.231.14.2"

struct names {
    char srv[64], cli[64], dyn[64]; /* netns: the server's, the client's, an attached one */
    char vs[16], vc[16];            /* the veth ends */
};

static struct names net_names(const struct bench *b)
{
    struct names n;
    snprintf(n.srv, sizeof(n.srv), "ocibench-%s-srv", b->tag);
    snprintf(n.cli, sizeof(n.cli), "ocibench-%s-cli", b->tag);
    snprintf(n.dyn, sizeof(n.dyn), "ocibench-%s-ctr", b->tag);
    snprintf(n.vs, sizeof(n.vs), "ocibench%.5ss", b->tag);
    snprintf(n.vc, sizeof(n.vc), "ocibench%.5sc", b->tag);
    return n;
}

/* ip ARGS... (a NULL-terminated list) */
static int ip(struct oci_err *err, const char *first, ...)
{
    struct bench_argv a = {0};
    va_list ap;
    va_start(ap, first);
    bench_argv_add(&a, "ip");
    for (const char *s = first; s; s = va_arg(ap, const char *))
        bench_argv_add(&a, s);
    va_end(ap);
    int rc = bench_exec_cleanup(a.v, 30, err);
    bench_argv_free(&a);
    return rc;
}

/* the veth from the client namespace into srv, both ends addressed and up */
static int make_veth(const struct names *n, const char *srv, struct oci_err *err)
{
    if (ip(err, "-n", n->cli, "link", "add", n->vc, "type", "veth", "peer", "name", n->vs, "netns",
           srv, NULL) < 0 ||
        ip(err, "-n", n->cli, "addr", "add", CLI_ADDR "/24", "dev", n->vc, NULL) < 0 ||
        ip(err, "-n", n->cli, "link", "set", n->vc, "up", NULL) < 0 ||
        ip(err, "-n", srv, "addr", "add", SRV_ADDR "/24", "dev", n->vs, NULL) < 0 ||
        ip(err, "-n", srv, "link", "set", n->vs, "up", NULL) < 0 ||
        ip(err, "-n", srv, "link", "set", "lo", "up", NULL) < 0)
        return err_wrap(err, "veth %s/%s", n->vc, n->vs);
    return 0;
}

int bench_network_setup(struct bench *b, struct oci_err *err)
{
    struct names n = net_names(b);
    if (!bench_in_path("ip"))
        return err_set(err, 0, "it needs ip (Debian: apt-get install iproute2)");
    if (ip(err, "netns", "add", n.cli, NULL) < 0 ||
        ip(err, "-n", n.cli, "link", "set", "lo", "up", NULL) < 0)
        return -1;
    if (!b->drv->netns_by_path)
        return 0; /* the server's namespace is the container's own, per round */
    if (ip(err, "netns", "add", n.srv, NULL) < 0)
        return -1;
    return make_veth(&n, n.srv, err);
}

void bench_network_teardown(struct bench *b)
{
    struct names n = net_names(b);
    const char *all[] = {n.dyn, n.srv, n.cli};
    for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
        char path[128];
        snprintf(path, sizeof(path), "/run/netns/%s", all[i]);
        struct oci_err err = {0};
        if (access(path, F_OK) == 0 && ip(&err, "netns", "delete", all[i], NULL) < 0)
            bench_say(b, "oci-bench: warning: %s", err.msg);
    }
}

/* end.sum_received of iperf3 -J in Gbit/s; -1 with *error set when iperf3
 * reported an error (it exits 0 when it cannot connect, with -J) */
static double received_gbits(const char *json, char *error, size_t size)
{
    char ebuf[128];
    yajl_val v = yajl_tree_parse(json, ebuf, sizeof(ebuf));
    const char *path[] = {"end", "sum_received", "bits_per_second", NULL}, *ep[] = {"error", NULL};
    yajl_val bps = v ? yajl_tree_get(v, path, yajl_t_number) : NULL;
    yajl_val e = v ? yajl_tree_get(v, ep, yajl_t_string) : NULL;
    double g = bps && !e ? YAJL_GET_DOUBLE(bps) / 1e9 : -1;
    snprintf(error, size, "%s", e ? YAJL_GET_STRING(e) : v ? "no end.sum_received" : ebuf);
    yajl_tree_free(v);
    return g;
}

/* iperf3 -c from the client namespace, retried until the server listens
 * (or its container ended: then its error is the one to tell) */
static int client(struct bench *b, const struct bench_proc *server, double *gbits,
                  struct oci_err *err)
{
    struct names n = net_names(b);
    char secs[16];
    snprintf(secs, sizeof(secs), "%u", b->o.sz.net_time);
    char *const argv[] = {"ip",     "netns", "exec", n.cli, "iperf3", "-c",
                          SRV_ADDR, "-t",    secs,   "-J",  NULL};
    double end = bench_now() + b->o.timeout;
    for (;;) {
        _cleanup_free_ char *out = NULL;
        char why[256] = "";
        if (bench_exec(argv, b->o.timeout + b->o.sz.net_time * 2, NULL, &out, err) == 0) {
            *gbits = received_gbits(out, why, sizeof(why));
            if (*gbits >= 0)
                return 0;
            err_set(err, 0, "iperf3 -c %s: %s", SRV_ADDR, why);
        }
        /* the server may not listen yet */
        if (bench_stop || bench_now() > end || bench_proc_exited(server))
            return -1;
        err_clear(err);
        bench_sleep(0.05);
    }
}

/* Docker: the container's own namespace, attached by name, gets the veth */
static int attach(struct bench *b, struct bench_runtime *rt, const char *id, struct oci_err *err)
{
    struct names n = net_names(b);
    pid_t pid = 0;
    double end = bench_now() + b->o.timeout;
    while (pid <= 0) {
        if (b->drv->pid(b, rt, id, &pid, err) < 0)
            err_clear(err); /* not created yet */
        if (pid <= 0 && (bench_now() > end || !bench_sleep(0.02)))
            return err_set(err, 0, "container %s did not start", id);
    }
    char pids[16];
    snprintf(pids, sizeof(pids), "%d", pid);
    if (ip(err, "netns", "attach", n.dyn, pids, NULL) < 0)
        return -1;
    return make_veth(&n, n.dyn, err);
}

static void detach(struct bench *b)
{
    struct names n = net_names(b);
    struct oci_err err = {0};
    ip(&err, "-n", n.cli, "link", "delete", n.vc, NULL);
    err_clear(&err);
    ip(&err, "netns", "delete", n.dyn, NULL);
}

int bench_wl_network(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err)
{
    struct names n = net_names(b);
    char srv[128];
    snprintf(srv, sizeof(srv), "/run/netns/%s", n.srv);
    static const char *const args[] = {"/usr/bin/iperf3", "-s", "-1", NULL};
    const struct bench_spec spec = {.args = args, .netns = b->drv->netns_by_path ? srv : NULL};
    _cleanup_free_ char *id = bench_new_id(b, rt, "n");
    struct bench_call call = {.timeout = b->o.timeout + b->o.sz.net_time * 3, .async = true};
    bench_live_add(rt, id);
    if (b->drv->op(b, rt, BENCH_OP_RUN, id, &spec, &call, err) < 0)
        return -1;
    double gbits = 0;
    int rc = 0;
    if (!b->drv->netns_by_path)
        rc = attach(b, rt, id, err);
    if (rc == 0)
        rc = client(b, &call.proc, &gbits, err);
    if (rc < 0 && bench_proc_exited(&call.proc)) {
        /* the server's container ended before a client got through: its error */
        err_clear(err);
        if (bench_call_finish(b, rt, id, &call, err) == 0)
            err_set(err, 0, "the iperf3 server ended before a client connected");
    }
    if (rc < 0) {
        bench_call_clear(&call);
        if (!b->drv->netns_by_path)
            detach(b);
        return -1;
    }
    rc = bench_call_finish(b, rt, id, &call, err);
    if (!b->drv->netns_by_path)
        detach(b);
    bench_call_clear(&call);
    if (rc < 0)
        return err_wrap(err, "the iperf3 server");
    bench_live_del(rt, id);
    if (record)
        bench_record(b, BENCH_WL_NETWORK, "throughput", bench_rt_index(b, rt), gbits);
    return 0;
}
