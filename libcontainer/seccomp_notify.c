/* seccomp notify, parent side: send the listener fd and the container
 * process state to the agent at linux.seccomp.listenerPath. */
#include "config.h"
#include "seccomp.h"
#include "seccomp_notify.h"
#include "util.h"

#include "specs/json_gen.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

/* The state inside the message is runtime.md's "State": the fields the spec
 * defines, nothing of oci-rt's. NULL when out of memory or the generator
 * fails. */
char *seccomp_process_state_json(const struct spec_state *st, int pid, const char *metadata)
{
    struct json_gen j;
    json_gen_init(&j, NULL, NULL, 0);
    json_gen_map_open(&j);
    json_gen_kv_str(&j, "ociVersion", SPEC_OCI_VERSION);
    json_gen_key(&j, "fds");
    json_gen_array_open(&j);
    json_gen_str(&j, "seccompFd"); /* index 0 of the SCM_RIGHTS array */
    json_gen_array_close(&j);
    json_gen_kv_int(&j, "pid", pid);
    if (metadata)
        json_gen_kv_str(&j, "metadata", metadata);
    json_gen_key(&j, "state");
    spec_state_gen(&j, st, SPEC_STATE_SPEC);
    json_gen_map_close(&j);
    return json_gen_finish(&j, NULL, NULL);
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
