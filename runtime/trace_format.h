/* The outputs of `oci-rt trace`: a waterfall table, JSON (one object per
 * span), Chrome Trace Event JSON (Perfetto, chrome://tracing) and a
 * summary over many containers. Pure functions of the spans. */
#ifndef OCI_TRACE_FORMAT_H
#define OCI_TRACE_FORMAT_H

#include <stdio.h>

#include "specs/trace.h"

/* Keep only the spans of id (NULL: all); sorts by start time. */
void trace_filter_sort(struct spec_spans *s, const char *id);
void trace_format_table(FILE *f, const struct spec_spans *s);
/* The JSON formats: 0, or -1 with *errmsg (malloc'd, or NULL when out of
 * memory) when the generator or f fails; what was written stays. */
int trace_format_json(FILE *f, const struct spec_spans *s, char **errmsg);
int trace_format_chrome(FILE *f, const struct spec_spans *s, char **errmsg);
void trace_format_summary(FILE *f, const struct spec_spans *s);

#endif
