/* The phases of a profiled run, as spans (ktrace_phases.c). */
#ifndef OCI_KTRACE_PHASES_H
#define OCI_KTRACE_PHASES_H

#include <stddef.h>
#include <stdint.h>

#include "ktrace.h"
#include "ktrace_model.h"
#include "specs/trace.h"

/* The phase rows of a finished trace, as spans oci-rt's trace formatter
 * shows: one invocation per run of the runtime (id, op and cmd from its
 * command line), one process name per process ("runtime" for the first). */
void ktrace_spans(const struct ktrace *t, const struct ktrace_end *end, struct spec_spans *out);
/* The same from a model (ktrace_model.h). */
void kt_spans(const struct kt_model *m, struct spec_spans *out);

/* The system call table for ktrace_opts.sysconf. */
void ktrace_sysconf(uint32_t *sc, size_t n);

#endif
