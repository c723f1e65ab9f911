/* events: cgroup statistics every interval, and OOM events as they come,
 * until the container stops. The caller prints them. */
#include "config.h"
#include "record.h"
#include "util.h"

#include <poll.h>
#include <unistd.h>

int container_events(const char *root, const char *id, int interval_ms, bool once,
                     container_event_fn fn, void *arg, struct oci_err *err)
{
    _cleanup_state_dir_ struct state_dir sd = {.dirfd = -1};
    _cleanup_spec_state_ struct spec_state *s = NULL;
    _cleanup_cgroup_ struct cgroup cg = {.v2_fd = -1};
    int rc = state_open_read(root, id, STATE_LOCK_NONE, &sd, &s, err);
    if (rc == 0 && record_status(&sd, s) == STATUS_STOPPED)
        rc = err_set(err, 0, "container \"%s\" is stopped", id);
    if (rc == 0)
        rc = record_cgroup(s, &cg, err);
    if (rc < 0)
        return -1;
    int oomfd = -1;
    bool per_event = false;
    int64_t ooms = cgroup_oom_kills(&cg);
    if (!once) {
        struct oci_err ignored = {0};
        /* no memory controller: no OOM events */
        oomfd = cgroup_oom_watch(&cg, &per_event, &ignored);
    }
    uint64_t next = now_ms();
    for (;;) {
        if (now_ms() >= next) {
            struct cgroup_stats st;
            if (cgroup_stats(&cg, &st, err) < 0) {
                rc = -1;
                break;
            }
            int stop = fn(CONTAINER_EVENT_STATS, &st, arg);
            cgroup_stats_free(&st);
            if (stop || once)
                break;
            next = now_ms() + (uint64_t)interval_ms;
        }
        struct pollfd p = {.fd = oomfd, .events = POLLIN};
        int wait = (int)(next - now_ms());
        int r = poll(&p, oomfd >= 0 ? 1 : 0, wait > 1000 ? 1000 : wait < 0 ? 0 : wait);
        if (r > 0) {
            union {
                uint64_t count; /* v1: an eventfd's count of OOMs */
                char buf[4096]; /* v2: inotify events */
            } u;
            ssize_t got = read(oomfd, &u, sizeof(u));
            int64_t now = cgroup_oom_kills(&cg);
            /* v2's memory.events changes for other counters too: report
             * when oom_kill grew */
            uint64_t events =
                per_event ? (got == 8 ? u.count : 0) : (now > ooms ? (uint64_t)(now - ooms) : 0);
            ooms = now;
            bool stop = false;
            for (uint64_t i = 0; i < events && !stop; i++)
                stop = fn(CONTAINER_EVENT_OOM, NULL, arg) != 0;
            if (stop)
                break;
        }
        if (!state_process_alive(s))
            break; /* the container stopped */
    }
    if (oomfd >= 0)
        close(oomfd);
    return rc;
}
