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
void trace_format_json(FILE *f, const struct spec_spans *s);
void trace_format_chrome(FILE *f, const struct spec_spans *s);
void trace_format_summary(FILE *f, const struct spec_spans *s);

#endif
