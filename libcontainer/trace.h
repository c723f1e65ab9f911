/* Lifecycle tracing: named spans with CLOCK_MONOTONIC nanoseconds.
 *
 * Off by default; when off every TRACE_* macro is one predictable branch:
 * no system call, no allocation (clock_gettime is a vDSO call and is only
 * made when tracing is on). Spans live in a static buffer; a child process
 * (stage, init) records into its inherited copy and ships the spans it made
 * to the parent over the sync socket, where trace_merge() appends them. */
#ifndef OCI_TRACE_H
#define OCI_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

enum trace_proc { TRACE_PROC_RUNTIME, TRACE_PROC_STAGE, TRACE_PROC_INIT, TRACE_PROC_HOOK };
extern const char *const trace_proc_names[];

#define TRACE_NAME_MAX 64
#define TRACE_MAX_SPANS 1024

struct trace_span {
    uint64_t start; /* CLOCK_MONOTONIC ns */
    uint64_t end;   /* 0 while open */
    int32_t pid;    /* host pid of the recording process (0: unknown yet) */
    uint8_t proc;   /* enum trace_proc */
    uint8_t depth;
    uint8_t failed;
    uint8_t instant;
    char name[TRACE_NAME_MAX];
};

extern bool trace_enabled;

/* Start tracing for this command: remembers the file, the container id and
 * the operation, and takes the one CLOCK_REALTIME anchor. main_ns is the
 * CLOCK_MONOTONIC time taken at the entry of main. */
void trace_init(const char *file, const char *op, uint64_t main_ns);
/* Called at the entry of main when tracing is asked for (one system call):
 * the thread's CPU time then is what exec, dynamic loading and libc's
 * start-up took. Without it trace_init estimates it, which a preemption
 * between main and trace_init spoils. */
void trace_mark_main_cpu(void);
void trace_set_id(const char *id);
/* Mark this process (after fork/clone) as a child role: spans made from now
 * on are shipped by trace_export(). */
void trace_child(enum trace_proc proc);

int trace_begin_(const char *name);
int trace_beginf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void trace_end_(int idx, int failed);
void trace_instant_(const char *name);
/* A span with explicit times (e.g. the time before main, a wait measured
 * by the parent). */
void trace_add_(const char *name, uint64_t start, uint64_t end, int failed);
uint64_t trace_now(void);

#define TRACE_BEGIN(var, name) int var = unlikely(trace_enabled) ? trace_begin_(name) : -1
#define TRACE_BEGINF(var, ...) int var = unlikely(trace_enabled) ? trace_beginf_(__VA_ARGS__) : -1
#define TRACE_END(var)                                                                             \
    do {                                                                                           \
        if (unlikely((var) >= 0))                                                                  \
            trace_end_((var), 0);                                                                  \
    } while (0)
/* End a span, failed when rc < 0. */
#define TRACE_END_RC(var, rc)                                                                      \
    do {                                                                                           \
        if (unlikely((var) >= 0))                                                                  \
            trace_end_((var), (rc) < 0);                                                           \
    } while (0)
#define TRACE_INSTANT(name)                                                                        \
    do {                                                                                           \
        if (unlikely(trace_enabled))                                                               \
            trace_instant_(name);                                                                  \
    } while (0)

/* Child side: the spans this process recorded since trace_child(). */
const struct trace_span *trace_exported(size_t *n);
/* Parent side: append spans received from a child whose host pid is pid. */
void trace_merge(const struct trace_span *spans, size_t n, pid_t pid);
/* Close the open spans of a child (its execve, seen from the parent as
 * the end of the sync channel). */
void trace_close_open(pid_t pid);
/* Close every open span (marked failed when failed != 0) and append all
 * spans as JSON lines to the trace file. Safe to call once per command. */
void trace_flush(int failed);

#endif
