/* The system calls profile records, and how (ktrace_sys.c). */
#ifndef OCI_KTRACE_SYS_H
#define OCI_KTRACE_SYS_H

#include <stddef.h>
#include <stdint.h>

#include "ktrace_model.h"

/* The descriptor of nr, or NULL when it is not recorded. */
const struct ks_desc *kt_sys_lookup(int nr);
/* The table the kernel half uses (KT_SC_* flags by number). */
void kt_sys_conf(uint32_t *sc, size_t n);

#endif
