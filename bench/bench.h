/* oci-bench: OCI runtimes side by side on the workloads that decide a
 * choice (lifecycle, cpu, memory, fileio, syscall, network, density), with
 * worst-case times and oci-rt's own phases.
 *
 * The types every part of the tool shares: the options, the runtimes under
 * test, the measured series and phases, the driver that runs a container
 * (directly through a runtime's OCI command line, or through an engine)
 * and the run as a whole (struct bench). */
#ifndef OCI_BENCH_H
#define OCI_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "bench/proc.h"
#include "bench/stats.h"
#include "libcontainer/error.h"

/* The workloads, in the order they run and are reported. */
enum bench_wl {
    BENCH_WL_LIFECYCLE,
    BENCH_WL_CPU,
    BENCH_WL_MEMORY,
    BENCH_WL_FILEIO,
    BENCH_WL_SYSCALL,
    BENCH_WL_NETWORK,
    BENCH_WL_DENSITY,
    BENCH_NWL
};

enum bench_engine { BENCH_DIRECT, BENCH_DOCKER, BENCH_PODMAN, BENCH_CONTAINERD };

/* Sizes of the workloads: options, with the published defaults. */
struct bench_sizes {
    unsigned containers;    /* density: N containers at once */
    unsigned cpu_max_prime; /* sysbench cpu --cpu-max-prime */
    unsigned cpu_events;    /* a fixed amount of work per round */
    uint64_t mem_block;     /* sysbench memory --memory-block-size */
    uint64_t mem_total;     /* --memory-total-size */
    unsigned fio_files;     /* sysbench fileio --file-num */
    uint64_t fio_file_size; /* per file */
    uint64_t fio_block;     /* --file-block-size */
    unsigned fio_time;      /* seconds per mode (0: fio_events requests) */
    unsigned fio_events;
    double syscall_time; /* seconds of the syscall loop */
    unsigned net_time;   /* seconds of iperf3 */
};

struct bench_opts {
    char **rt_specs; /* NAME=COMMAND, as given */
    size_t nrt_specs;
    char **shims; /* containerd shims: [LABEL=]SHIM */
    size_t nshims;
    bool wl[BENCH_NWL]; /* selected workloads */
    enum bench_engine engine;
    char *engine_cmd; /* the engine's client command (default docker, podman, ctr) */
    char *baseline;
    unsigned rounds[BENCH_NWL];
    unsigned warmup;
    bool quick;
    struct bench_sizes sz;
    char *payload; /* lifecycle create/start/kill/delete payload: pause or busy */
    char *json, *html, *svg;
    char *workdir_parent;
    bool keep, cgroup2_view, no_trace, quiet;
    double timeout;        /* seconds for one runtime command (beyond a workload's own time) */
    bool phases;           /* --phases: every runtime's lifecycle under oci-rt profile */
    char *profiler;        /* --profiler: the oci-rt that profiles (default: found) */
    unsigned phase_rounds; /* profiled lifecycle rounds (0: the lifecycle's rounds) */
};

/* One phase of one lifecycle operation (create, start, kill, delete, run),
 * over the rounds. */
struct bench_phase {
    char *op, *proc, *name;
    unsigned depth;
    struct bench_samples dur;   /* ms */
    struct bench_samples start; /* ms after the first span of its command */
};

/* Phases of a runtime beside its totals. source names where they came from:
 * "trace" (oci-rt's own --trace spans, of the timed rounds) or "profile"
 * (`oci-rt profile` of any runtime's commands, in separate rounds). */
struct bench_phases {
    const char *source;
    struct bench_phase *items;
    size_t n;
};

struct bench_runtime {
    char *name;
    char **argv; /* the command, split like a shell does; NULL-terminated */
    size_t argc;
    char *shim; /* containerd: a shim to run instead of runc.v2 + argv[0] */
    char *version;
    bool ocirt;                /* oci-rt: its --trace gives the phases */
    bool failed;               /* dropped from the run: error says why */
    char *error;               /* one line */
    char *wl_error[BENCH_NWL]; /* a workload that failed for it: the rest of its rounds skipped */
    char *root;                /* direct mode: its --root state directory */
    char *trace;               /* direct mode, oci-rt: its --trace file */
    char **live;               /* ids of containers that may exist */
    size_t nlive;
    struct bench_phases phases;  /* "trace" */
    struct bench_phases profile; /* "profile" (--phases) */
    char *profile_error;         /* its profiled rounds stopped: why (one line) */
};

/* What a container runs. */
struct bench_spec {
    const char *const *args;
    const char *cwd;   /* NULL: / */
    const char *netns; /* join this network namespace (path); NULL: a new one */
    const char *data;  /* a host directory bound read-write at /data; NULL: none */
};

/* One driver operation. In: timeout, capture, async. Out: the rest. */
struct bench_call {
    double timeout;      /* seconds */
    bool capture;        /* keep stdout in out */
    bool async;          /* BENCH_OP_RUN only: return once spawned; bench_call_finish */
    bool trace;          /* direct mode: pass --trace to a runtime that has one (oci-rt) */
    const char *profile; /* direct mode: run it under oci-rt profile, spans (JSON) to this file */
    double ms;           /* wall time of the operation */
    char *out;
    struct bench_proc proc; /* async */
};

enum bench_op { BENCH_OP_CREATE, BENCH_OP_START, BENCH_OP_KILL, BENCH_OP_DELETE, BENCH_OP_RUN };

struct bench;

/* A way to run containers: a runtime's OCI command line, or an engine. */
struct bench_driver {
    const char *name;
    /* false: the driver cannot join a namespace by path; the network workload
     * then moves its veth into the container's own namespace */
    bool netns_by_path;
    int (*init)(struct bench *b, struct oci_err *err);
    void (*fini)(struct bench *b);
    int (*prepare_rt)(struct bench *b, struct bench_runtime *rt, struct oci_err *err);
    char *(*version)(struct bench *b, struct bench_runtime *rt);
    int (*op)(struct bench *b, struct bench_runtime *rt, enum bench_op op, const char *id,
              const struct bench_spec *spec, struct bench_call *call, struct oci_err *err);
    /* after an async BENCH_OP_RUN ended: what a foreground run leaves */
    void (*finish_run)(struct bench *b, struct bench_runtime *rt, const char *id);
    /* until the container's process has ended (untimed) */
    int (*wait_stopped)(struct bench *b, struct bench_runtime *rt, const char *id,
                        struct oci_err *err);
    /* the host pid of the container's first process (0: not running yet) */
    int (*pid)(struct bench *b, struct bench_runtime *rt, const char *id, pid_t *pid,
               struct oci_err *err);
    /* remove it whatever its state; quiet (clean-up) */
    void (*remove)(struct bench *b, struct bench_runtime *rt, const char *id);
};

extern const struct bench_driver bench_driver_direct;
extern const struct bench_driver bench_driver_docker;
extern const struct bench_driver bench_driver_podman;
extern const struct bench_driver bench_driver_containerd;

/* A measured figure of a workload; one series of samples per runtime. */
struct bench_metric {
    enum bench_wl wl;
    const char *name;
    const char *unit;
    const char *what;
    bool higher_better;
    struct bench_samples *rt; /* [b->nrts] */
};

struct bench_env {
    char *date, *os, *kernel, *cgroup, *cpu, *load;
    unsigned cores;
    uint64_t mem_kib;
};

enum bench_profile_state {
    BENCH_PROFILE_OFF,         /* --phases not given */
    BENCH_PROFILE_OK,          /* profiled rounds run (or will) */
    BENCH_PROFILE_UNAVAILABLE, /* oci-rt profile cannot run here: no profile phases */
};

struct bench {
    struct bench_opts o;
    const struct bench_driver *drv;
    struct bench_runtime *rts;
    size_t nrts;
    struct bench_metric *metrics;
    size_t nmetrics;
    struct bench_env env;
    char *tag;     /* unique to this run: in ids, netns, veth and cgroup names */
    char *workdir; /* everything this run writes (removed at the end) */
    char *rootfs;
    char *image;    /* engine mode: the image made of the rootfs (docker) */
    void *drv_data; /* the driver's own state */
    char **notes;   /* said in every report */
    size_t nnotes;
    double t0;           /* monotonic seconds at the start */
    double wall;         /* seconds, at the end */
    bool interrupted;    /* Ctrl-C: partial results */
    bool probed;         /* set up, the runtimes tried: there is something to report */
    unsigned seq;        /* container id counter */
    const char *mem_how; /* density: where a container's memory was read */
    /* the progress line: where the run is */
    const char *cur_wl, *cur_rt;
    unsigned cur_round, cur_rounds;
    bool cur_warmup;
    bool cur_profiled; /* the rounds under the profiler */
    /* --phases */
    enum bench_profile_state profile_state;
    char *profiler;           /* the oci-rt whose profile command runs */
    char *profile_error;      /* unavailable: why (one line) */
    unsigned profiled_rounds; /* profiled lifecycle rounds done */
};

/* workloads.c */
extern const char *const bench_wl_names[BENCH_NWL];
int bench_wl_lookup(const char *name);
void bench_metrics_init(struct bench *b);
struct bench_metric *bench_metric(struct bench *b, enum bench_wl wl, const char *name);
void bench_record(struct bench *b, enum bench_wl wl, const char *name, size_t rt, double v);
int bench_run_workloads(struct bench *b);
char *bench_new_id(struct bench *b, const struct bench_runtime *rt, const char *what);
void bench_live_add(struct bench_runtime *rt, const char *id);
void bench_live_del(struct bench_runtime *rt, const char *id);
void bench_remove_all(struct bench *b, struct bench_runtime *rt);
/* a runtime dropped from the whole run (its first container failed) */
void bench_rt_fail(struct bench *b, struct bench_runtime *rt, const char *what, const char *msg);
/* a workload failed for a runtime: the rest of its rounds are skipped */
void bench_rt_wl_fail(struct bench *b, struct bench_runtime *rt, enum bench_wl wl, const char *msg);
size_t bench_rt_index(const struct bench *b, const struct bench_runtime *rt);
int bench_call_finish(struct bench *b, struct bench_runtime *rt, const char *id,
                      struct bench_call *call, struct oci_err *err);
void bench_call_clear(struct bench_call *call);
/* a whole foreground run of spec whose stdout is returned in *out */
int bench_run_capture(struct bench *b, struct bench_runtime *rt, const char *what,
                      const struct bench_spec *spec, double timeout, char **out,
                      struct oci_err *err);

/* one lifecycle round: create, start, kill, delete of a container that
 * waits, then a whole run of one that exits (ms[] in that order); profiled:
 * each command under oci-rt profile */
int bench_lifecycle_round(struct bench *b, struct bench_runtime *rt, bool profiled, double ms[5],
                          struct oci_err *err);
/* the workloads (one sample of one runtime; setup/teardown once) */
int bench_wl_lifecycle(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err);
int bench_wl_cpu(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err);
int bench_wl_memory(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err);
int bench_wl_syscall(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err);
int bench_fileio_setup(struct bench *b, struct oci_err *err);
int bench_wl_fileio(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err);
void bench_fileio_teardown(struct bench *b);
int bench_network_setup(struct bench *b, struct oci_err *err);
int bench_wl_network(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err);
void bench_network_teardown(struct bench *b);
int bench_wl_density(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err);

/* options.c */
int bench_options_parse(int argc, char **argv, struct bench_opts *o);
/* The man page oci-bench(8) from the option table (oci-bench --generate-man
 * FILE, run by make); 0, or -1 after printing the error. */
int bench_options_write_man(const char *path);
void bench_options_free(struct bench_opts *o);

/* text.c: a command line split as a shell splits it (quotes, backslashes) */
int bench_split_command(const char *s, char ***argv, size_t *argc, struct oci_err *err);
/* the number after key in out (spaces, ':' and '(' skipped) */
bool bench_find_number(const char *out, const char *key, double *v);
/* a size as sysbench reads it: 1M, 100G, 16K, or bytes */
void bench_size_arg(uint64_t bytes, char *buf, size_t size);

/* runtimes.c */
int bench_runtimes_init(struct bench *b, struct oci_err *err);
int bench_runtimes_probe(struct bench *b);
void bench_runtimes_free(struct bench *b);
/* forget runtime i (before the figures are set up) */
void bench_runtimes_drop(struct bench *b, size_t i);
int bench_in_path(const char *cmd);
/* the absolute path of cmd (PATH searched when it has no '/'), or NULL */
char *bench_which(const char *cmd);
/* oci-rt next to oci-bench (a build tree, or the same bin directory), else on PATH */
char *bench_find_ocirt(void);

/* env.c */
void bench_env_collect(struct bench_env *e, bool cgroup2_view);
void bench_env_free(struct bench_env *e);
int bench_cgroup2_view(struct oci_err *err);
void bench_note(struct bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the memory a container's cgroup holds, bytes; how says from which file */
int bench_cgroup_memory(pid_t pid, uint64_t *bytes, const char **how);
int bench_meminfo_available(uint64_t *kib);
void bench_cgroups_remove(const char *parent);

/* bundle.c: a bundle (config.json) for spec, in dir */
int bench_bundle_write(const struct bench *b, const char *dir, const char *id,
                       const struct bench_spec *spec, struct oci_err *err);

/* rootfs.c */
int bench_rootfs_build(struct bench *b, struct oci_err *err);
int bench_copy_file(const char *from, const char *to, mode_t mode, struct oci_err *err);

/* phases.c */
int bench_phases_collect(struct bench *b, struct bench_runtime *rt, bool record,
                         struct oci_err *err);
void bench_phases_free(struct bench_phases *p);
/* the phase of that key, added (without samples) when it is new */
struct bench_phase *bench_phase_get(struct bench_phases *ph, const char *op, const char *proc,
                                    const char *name, unsigned depth);

/* profile.c: --phases, every runtime's lifecycle commands under oci-rt
 * profile, in rounds of their own after the timed lifecycle rounds */
extern const char *const bench_op_names[5]; /* create, start, kill, delete, run */
#define BENCH_LIFE_PHASE "(whole life)"     /* a process's whole life, from the profile */
/* the profiler found (--profiler or oci-rt next to oci-bench or on PATH) */
int bench_profile_init(struct bench *b, struct oci_err *err);
/* can it profile here (root, BPF, BTF)? If not, said once; the run goes on */
void bench_profile_check(struct bench *b);
/* the profiled lifecycle rounds, interleaved across runtimes */
void bench_profile_rounds(struct bench *b);
/* after a command ran under the profile: its spans folded into rt->profile */
int bench_profile_collect(struct bench *b, struct bench_runtime *rt, enum bench_op op,
                          const char *file, struct oci_err *err);
/* the role of a process row: "runtime", "init" (the container's first
 * process, whatever the runtime calls it), else the row's own name */
const char *bench_phase_role(const struct bench_phases *ph, const char *proc);

/* profile_report.c: the profile's phases of every runtime side by side */
void bench_profile_table_print(const struct bench *b);
void bench_profile_html(FILE *f, const struct bench *b);

/* output */
int bench_json_write(const struct bench *b, const char *path, struct oci_err *err);
int bench_html_write(const struct bench *b, const char *path, struct oci_err *err);
/* the bar chart alone, as one SVG file */
int bench_svg_write(const struct bench *b, const char *path, struct oci_err *err);
void bench_table_print(const struct bench *b);
void bench_progress(struct bench *b, bool done);
/* one line on stderr (clearing and redrawing the progress line) */
void bench_say(struct bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the baseline runtime's index, or -1 */
long bench_baseline(const struct bench *b);

#endif
