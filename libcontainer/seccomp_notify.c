/* seccomp notify, parent side: send the listener fd and the container
 * process state to the agent at linux.seccomp.listenerPath. */
#include "config.h"
#include "seccomp.h"
#include "seccomp_notify.h"
#include "util.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <yajl/yajl_gen.h>

#define GS(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static void gen_kv(yajl_gen g, const char *k, const char *v)
{
    if (!v)
        return;
    GS(g, k);
    GS(g, v);
}

/* runtime.md "State": the fields the spec defines, nothing of oci-rt's. */
static void gen_state(yajl_gen g, const struct spec_state *st)
{
    yajl_gen_map_open(g);
    gen_kv(g, "ociVersion", st->oci_version ? st->oci_version : SPEC_OCI_VERSION);
    gen_kv(g, "id", st->id);
    gen_kv(g, "status", st->status);
    GS(g, "pid");
    yajl_gen_integer(g, st->pid);
    gen_kv(g, "bundle", st->bundle);
    if (st->annotations.n) {
        GS(g, "annotations");
        yajl_gen_map_open(g);
        for (size_t i = 0; i < st->annotations.n; i++)
            gen_kv(g, st->annotations.items[i].key, st->annotations.items[i].value);
        yajl_gen_map_close(g);
    }
    yajl_gen_map_close(g);
}

char *seccomp_process_state_json(const struct spec_state *st, int pid, const char *metadata)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return NULL;
    yajl_gen_map_open(g);
    gen_kv(g, "ociVersion", SPEC_OCI_VERSION);
    GS(g, "fds");
    yajl_gen_array_open(g);
    GS(g, "seccompFd"); /* index 0 of the SCM_RIGHTS array */
    yajl_gen_array_close(g);
    GS(g, "pid");
    yajl_gen_integer(g, pid);
    gen_kv(g, "metadata", metadata);
    GS(g, "state");
    gen_state(g, st);
    yajl_gen_map_close(g);
    const unsigned char *buf;
    size_t len;
    char *out = NULL;
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
        out = strndup((const char *)buf, len);
    yajl_gen_free(g);
    return out;
}

int seccomp_notify_send(const char *listener_path, int listener_fd, const char *state_json,
                        struct oci_err *err)
{
    if (!listener_path || !*listener_path)
        return err_set(err, 0, "linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY");
    _cleanup_close_ int sk = unix_connect(listener_path, err);
    if (sk < 0)
        return err_wrap(err, "linux.seccomp.listenerPath");
    if (unix_send_fd(sk, listener_fd, state_json, strlen(state_json), err) < 0)
        return err_wrap(err, "linux.seccomp.listenerPath %s: the container process state",
                        listener_path);
    return 0; /* one state per connection: closed here */
}
