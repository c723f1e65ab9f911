#include "config.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *const trace_proc_names[] = {"runtime", "stage", "init", "hook"};

bool trace_enabled;

static struct {
    struct trace_span spans[TRACE_MAX_SPANS];
    unsigned n;
    unsigned export_from; /* first span made by this (child) process */
    uint8_t depth;
    uint8_t proc;
    int32_t pid;
    int32_t cmd_pid; /* the runtime process of this command */
    const char *file;
    const char *op;
    char id[256];
    uint64_t anchor_real, anchor_mono;
    bool flushed;
    unsigned fault_at, events; /* the test hook OCI_RT_FAULT_AT */
} T;

/* Fault injection for the crash tests (tests/faults): with
 * OCI_RT_FAULT_AT=N in its environment (and tracing on), the runtime
 * process SIGKILLs itself at its Nth span boundary, a begin or an end. */
static void fault_point(void)
{
    if (T.fault_at && T.proc == TRACE_PROC_RUNTIME && ++T.events == T.fault_at)
        kill(getpid(), SIGKILL);
}

uint64_t trace_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time this process used before main: exec, dynamic loading, libc
 * start-up (and the caller's fork before its exec). The thread's CPU clock
 * counts from the fork; the time since main is taken off (the runtime is
 * on CPU from main to here). */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t main_cpu_ns;

void trace_mark_main_cpu(void)
{
    main_cpu_ns = thread_cpu_ns();
}

static uint64_t cpu_before_main(uint64_t main_ns)
{
    if (main_cpu_ns) /* read at main: exact */
        return main_cpu_ns;
    /* else an estimate, lost when the process was preempted since main */
    uint64_t cpu = thread_cpu_ns();
    uint64_t since_main = trace_now() - main_ns;
    return cpu > since_main ? cpu - since_main : 0;
}

void trace_init(const char *file, const char *op, uint64_t main_ns)
{
    trace_enabled = true;
    T.file = file;
    T.op = op;
    T.pid = T.cmd_pid = getpid();
    T.anchor_mono = trace_now();
    T.anchor_real = realtime_ns();
    const char *f = getenv("OCI_RT_FAULT_AT");
    T.fault_at = f ? (unsigned)strtoul(f, NULL, 10) : 0;
    uint64_t pre = cpu_before_main(main_ns);
    if (pre && main_ns)
        trace_add_("exec and dynamic loading (cpu before main)", main_ns - pre, main_ns, 0);
}

void trace_set_id(const char *id)
{
    snprintf(T.id, sizeof(T.id), "%s", id ? id : "");
}

void trace_child(enum trace_proc proc)
{
    T.proc = (uint8_t)proc;
    T.pid = 0; /* filled in by the parent, which knows the host pid */
    T.export_from = T.n;
    T.depth = 0;
}

static struct trace_span *new_span(void)
{
    if (T.n >= TRACE_MAX_SPANS)
        return NULL;
    struct trace_span *s = &T.spans[T.n++];
    memset(s, 0, sizeof(*s));
    s->pid = T.pid;
    s->proc = T.proc;
    s->depth = T.depth;
    return s;
}

int trace_begin_(const char *name)
{
    fault_point();
    struct trace_span *s = new_span();
    if (!s)
        return -1;
    snprintf(s->name, sizeof(s->name), "%s", name);
    T.depth++;
    s->start = trace_now();
    return (int)(s - T.spans);
}

int trace_beginf_(const char *fmt, ...)
{
    char name[TRACE_NAME_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof(name), fmt, ap);
    va_end(ap);
    return trace_begin_(name);
}

void trace_end_(int idx, int failed)
{
    fault_point();
    struct trace_span *s = &T.spans[idx];
    s->end = trace_now();
    s->failed = (uint8_t)(failed != 0);
    if (T.depth > 0)
        T.depth--;
}

void trace_instant_(const char *name)
{
    struct trace_span *s = new_span();
    if (!s)
        return;
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->start = s->end = trace_now();
    s->instant = 1;
}

void trace_add_(const char *name, uint64_t start, uint64_t end, int failed)
{
    if (!trace_enabled)
        return;
    struct trace_span *s = new_span();
    if (!s)
        return;
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->start = start;
    s->end = end;
    s->failed = (uint8_t)(failed != 0);
}

const struct trace_span *trace_exported(size_t *n)
{
    /* spans still open (the execve) are closed by the receiver; each span
     * is shipped once */
    unsigned from = T.export_from;
    *n = T.n - from;
    T.export_from = T.n;
    return &T.spans[from];
}

void trace_merge(const struct trace_span *spans, size_t n, pid_t pid)
{
    for (size_t i = 0; i < n && T.n < TRACE_MAX_SPANS; i++) {
        struct trace_span *s = &T.spans[T.n++];
        *s = spans[i];
        s->name[TRACE_NAME_MAX - 1] = '\0';
        if (!s->pid)
            s->pid = pid;
    }
}

void trace_close_open(pid_t pid)
{
    uint64_t now = trace_now();
    for (unsigned i = 0; i < T.n; i++)
        if (!T.spans[i].end && T.spans[i].pid == pid)
            T.spans[i].end = now;
}

static size_t json_escape(char *out, size_t cap, const char *in)
{
    size_t o = 0;
    for (; *in && o + 7 < cap; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return o;
}

/* Lines go out through a static buffer, written when nearly full: no
 * allocation, and one write() for a whole command in the common case.
 *
 * This is the one JSON writer that does not go through specs/json_gen, on
 * purpose: the spans are fixed-size records that the stage and the init
 * fill after fork, where the tracer allocates nothing, and writing them out
 * is itself timed (the "trace write" span) at the end of every traced
 * command. A yajl generator would put heap allocation and its own cost into
 * the figures the trace exists to measure. The shape is fixed and the
 * strings are short (json_escape); `oci-rt trace` reads the lines back with
 * yajl and writes every output format through json_gen. */
static char out_buf[65536];
static size_t out_len;

static void out_flush(int fd)
{
    if (out_len && fd >= 0)
        write_all(fd, out_buf, out_len);
    out_len = 0;
}

static void format_span(int fd, const char *id, const struct trace_span *s)
{
    static char name[TRACE_NAME_MAX * 6 + 8];
    json_escape(name, sizeof(name), s->name);
    uint64_t ts = T.anchor_real + (s->start - T.anchor_mono);
    if (out_len + 600 + sizeof(name) + 400 > sizeof(out_buf))
        out_flush(fd);
    out_len += (size_t)snprintf(
        out_buf + out_len, sizeof(out_buf) - out_len,
        "{\"id\":\"%s\",\"op\":\"%s\",\"cmd\":\"%d@%llu\",\"proc\":\"%s\",\"pid\":%d,"
        "\"name\":\"%s\",\"ts\":%llu,\"mono\":%llu,\"dur\":%llu,\"depth\":%u,\"instant\":%s,"
        "\"failed\":%s}\n",
        id, T.op, T.cmd_pid, (unsigned long long)T.anchor_real, trace_proc_names[s->proc & 3],
        s->pid, name, (unsigned long long)ts, (unsigned long long)s->start,
        (unsigned long long)(s->end - s->start), s->depth, s->instant ? "true" : "false",
        s->failed ? "true" : "false");
}

void trace_flush(int failed)
{
    if (!trace_enabled || T.flushed || !T.file)
        return;
    T.flushed = true;
    uint64_t now = trace_now();
    for (unsigned i = 0; i < T.n; i++)
        if (!T.spans[i].end) {
            T.spans[i].end = now;
            T.spans[i].failed = (uint8_t)(failed != 0);
        }
    static char id[600];
    json_escape(id, sizeof(id), T.id);
    int fd = open(T.file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    for (unsigned i = 0; i < T.n; i++)
        format_span(fd, id, &T.spans[i]);
    /* the time this took, up to its one write(), is part of the command */
    struct trace_span w = {.start = now, .pid = T.pid, .proc = T.proc, .name = "trace write"};
    w.end = trace_now();
    format_span(fd, id, &w);
    out_flush(fd);
    if (fd >= 0)
        close(fd);
}
