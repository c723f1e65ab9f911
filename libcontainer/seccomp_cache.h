/* Compiled seccomp programs kept on disk (seccomp_cache.c). */
#ifndef OCI_SECCOMP_CACHE_H
#define OCI_SECCOMP_CACHE_H

#include "error.h"
#include "seccomp.h"
#include "specs/spec_config.h"

/* seccomp_plan_build through a cache of compiled TREE programs in the
 * directory cache_dirfd (-1: none; used only when owned by the euid and not
 * writable by group or others). A hit costs two stats and one small read
 * instead of libseccomp's milliseconds; a miss compiles and writes the
 * entry (best effort). */
int seccomp_plan_build_cached(const struct spec_seccomp *s, int cache_dirfd,
                              struct seccomp_plan *out, struct oci_err *err);

#endif
