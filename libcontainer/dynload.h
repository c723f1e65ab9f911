/* Shared libraries loaded on demand (libsystemd for the systemd cgroup
 * driver, libbpf for profile), and the static runtime.
 *
 * oci-rt is linked statically where the toolchain can (configure
 * --enable-static-runtime): a container start no longer pays the dynamic
 * loader (about 0.1 to 0.2 ms of every command). A static glibc program
 * cannot load a shared library safely (the library brings a second libc),
 * so the static oci-rt has no dlopen at all: oci_dl is empty there, and the
 * few commands that need a library are run by oci-rt-dynamic, the same
 * program linked dynamically, which the static one execs with its own
 * arguments (oci_dl_need). The link object decides: runtime/link_static.c
 * defines an empty oci_dl; without it, dynload_dl.c's (dlopen and friends)
 * comes from libcontainer.a. */
#ifndef OCI_DYNLOAD_H
#define OCI_DYNLOAD_H

#include "error.h"

struct oci_dl {
    void *(*open)(const char *file, int mode);
    void *(*sym)(void *handle, const char *name);
    char *(*error)(void);
    int (*close)(void *handle);
};
extern const struct oci_dl oci_dl;

/* The arguments the program was started with (main keeps them). */
void oci_dl_keep_argv(char **argv);
/* what needs a shared library: in the dynamic program 0 at once; in the
 * static one, exec oci-rt-dynamic with the same arguments (found beside
 * this program, else in PKGLIBEXECDIR); -1 with err when it cannot. Only
 * where nothing of the command's work is done yet, or where running it
 * again from the start does the same. */
int oci_dl_need(const char *what, struct oci_err *err);

#endif
