/* The fileio workload: sysbench fileio in a container on a host directory
 * bound at /data (the work directory's file system, not a tmpfs), one
 * container per mode: seqrd, rndrd and rndwr on one file set prepared once
 * (untimed, with the host's sysbench), seqwr on an empty scratch directory
 * of its own that is removed after each round (sysbench's seqwr rewrites
 * its files from the start). The figure is sysbench's MiB/s. */
#include "config.h"
#include "bench/bench.h"
#include "libcontainer/util.h"

#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static const char *const modes[] = {"seqrd", "rndrd", "seqwr", "rndwr"};

static char *fio_dir(const struct bench *b, const char *sub)
{
    char *d;
    xasprintf(&d, "%s/fileio%s%s", b->workdir, sub ? "/" : "", sub ? sub : "");
    return d;
}

/* sysbench fileio's options of the file set; argv gets them appended */
static void set_opts(const struct bench *b, struct bench_argv *a)
{
    char sz[32];
    bench_argv_addf(a, "--file-num=%u", b->o.sz.fio_files);
    bench_size_arg(b->o.sz.fio_file_size * b->o.sz.fio_files, sz, sizeof(sz));
    bench_argv_addf(a, "--file-total-size=%s", sz);
    bench_size_arg(b->o.sz.fio_block, sz, sizeof(sz));
    bench_argv_addf(a, "--file-block-size=%s", sz);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int bench_fileio_setup(struct bench *b, struct oci_err *err)
{
    uint64_t total = b->o.sz.fio_file_size * b->o.sz.fio_files;
    _cleanup_free_ char *dir = fio_dir(b, NULL), *set = fio_dir(b, "set");
    struct statvfs vfs;
    if (mkdir(dir, 0700) < 0 || mkdir(set, 0700) < 0)
        return err_set(err, errno, "mkdir %s", set);
    if (statvfs(dir, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < total * 2 + (64 << 20))
        return err_set(err, 0, "it needs %.1f GiB free in %s (--workdir)",
                       (double)(total * 2) / (1 << 30), dir);
    struct bench_argv a = {0};
    bench_argv_addv(&a, (char *[]){"env", "-C", set, "sysbench", "fileio", NULL});
    set_opts(b, &a);
    bench_argv_add(&a, "prepare");
    int rc = bench_exec(a.v, b->o.timeout * 20, NULL, NULL, err);
    bench_argv_free(&a);
    return rc < 0 ? err_wrap(err, "preparing the file set") : 0;
}

void bench_fileio_teardown(struct bench *b)
{
    _cleanup_free_ char *dir = fio_dir(b, NULL);
    rm_tree(dir);
}

static int one_mode(struct bench *b, struct bench_runtime *rt, const char *mode, const char *data,
                    double *mibs, struct oci_err *err)
{
    struct bench_argv a = {0};
    bench_argv_addv(&a, (char *[]){"/usr/bin/sysbench", "fileio", NULL});
    set_opts(b, &a);
    bench_argv_addf(&a, "--file-test-mode=%s", mode);
    bench_argv_addf(&a, "--time=%u", b->o.sz.fio_time);
    if (b->o.sz.fio_time == 0)
        bench_argv_addf(&a, "--events=%u", b->o.sz.fio_events);
    bench_argv_add(&a, "run");
    const struct bench_spec spec = {.args = (const char *const *)a.v, .cwd = "/data", .data = data};
    _cleanup_free_ char *out = NULL;
    double timeout = b->o.timeout * 10 + b->o.sz.fio_time;
    int rc = bench_run_capture(b, rt, "f", &spec, timeout, &out, err);
    bench_argv_free(&a);
    if (rc < 0)
        return -1;
    const char *key = mode[3] == 'r' ? "read, MiB/s:" : "written, MiB/s:";
    if (!bench_find_number(out, key, mibs))
        return err_set(err, 0, "sysbench fileio %s printed no \"%s\"", mode, key);
    return 0;
}

int bench_wl_fileio(struct bench *b, struct bench_runtime *rt, bool record, struct oci_err *err)
{
    _cleanup_free_ char *set = fio_dir(b, "set"), *scratch = NULL;
    xasprintf(&scratch, "%s/fileio/seqwr-%s", b->workdir, rt->name);
    for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
        bool seqwr = !strcmp(modes[m], "seqwr");
        if (seqwr && mkdir(scratch, 0700) < 0)
            return err_set(err, errno, "mkdir %s", scratch);
        double mibs;
        int rc = one_mode(b, rt, modes[m], seqwr ? scratch : set, &mibs, err);
        if (seqwr)
            rm_tree(scratch);
        if (rc < 0)
            return -1;
        if (record)
            bench_record(b, BENCH_WL_FILEIO, modes[m], bench_rt_index(b, rt), mibs);
    }
    return 0;
}
