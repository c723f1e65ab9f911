/* Trace spans as oci-rt writes them: one JSON object per line, appended to
 * the trace file by every command (libcontainer/trace.c writes them), and as
 * `oci-rt profile` makes them from a kernel trace of any runtime. */
#ifndef OCI_SPECS_TRACE_H
#define OCI_SPECS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spec_span {
    char *id;      /* container id */
    char *op;      /* the command: create, start, run, delete, ... */
    char *cmd;     /* one command invocation: "<runtime pid>@<anchor ns>" */
    char *proc;    /* runtime, stage, init, hook */
    int pid;       /* host pid of the recording process */
    char *name;    /* the phase */
    uint64_t ts;   /* start, ns since the epoch (CLOCK_REALTIME anchored) */
    uint64_t mono; /* start, CLOCK_MONOTONIC ns (0: not recorded) */
    uint64_t dur;  /* ns */
    unsigned depth;
    bool instant;
    bool failed;
};

struct spec_spans {
    struct spec_span *items;
    size_t n;
};

/* Parse one line; NULL-safe errors in *errmsg ("line N: ..."). */
int spec_span_parse(const char *line, size_t len, struct spec_span *out, char **errmsg);
/* Read a whole trace file; lines that do not parse are an error. */
int spec_spans_load(const char *path, struct spec_spans *out, char **errmsg);
void spec_spans_free(struct spec_spans *s);

#endif
