#!/usr/bin/env python3
"""Side-by-side lifecycle benchmark of OCI runtimes (oci-rt, runc, crun, ...).

Times create / start / delete and a whole foreground `run` of /bin/true in a
busybox rootfs, interleaving the runtimes round-robin.  See README.md here.
Standard library only; the helpers it shares with targets.py are in benchlib.py.
"""
import argparse, json, os, re, shlex, shutil, statistics, sys, tempfile, time

sys.dont_write_bytecode = True  # no __pycache__ left in the tree
import benchlib as bl  # noqa: E402
from benchlib import BenchError, check, timed  # noqa: E402

REPO = bl.REPO
CG_PARENT = "ocirt-bench"
ALL_OPS = ["create", "start", "delete", "run"]
RSS_HOW = {True: "ru_maxrss of an extra untimed run per round, forked from a small C helper",
           False: "wait4 ru_maxrss of the timed run (no cc: includes Python's pre-exec RSS!)"}


class Runtime(bl.Runtime):
    """A runtime with what the lifecycle rounds record of it."""

    def __init__(self, name, cmd, workdir):
        super().__init__(name, cmd, workdir)
        self.left_behind = 0       # foreground runs that left the container
        self.samples = {op: [] for op in ALL_OPS}
        self.rss_kb = []
        self.version = "?"


def write_config(base, rt, cid):
    cfg = json.loads(json.dumps(base))
    cfg["linux"]["cgroupsPath"] = f"/{CG_PARENT}/{cid}"
    with open(os.path.join(rt.bundle, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)


def one_round(rt, base, ops, rnd, record):
    """One create/start/wait/delete cycle and one whole run, for one runtime."""
    if set(ops) & {"create", "start", "delete"}:
        cid = f"bench-{rt.name}-{rnd}-c"
        write_config(base, rt, cid)
        rt.live.add(cid)
        t_create, _ = timed(rt.argv("create", "--bundle", rt.bundle, cid))
        t_start, _ = timed(rt.argv("start", cid))
        rt.wait_stopped(cid)  # untimed
        t_delete, _ = timed(rt.argv("delete", cid))
        rt.live.discard(cid)
        if record:
            for op, t in (("create", t_create), ("start", t_start), ("delete", t_delete)):
                if op in ops:
                    rt.samples[op].append(t)
    if "run" in ops:
        t_run, rss = whole_run(rt, base, f"bench-{rt.name}-{rnd}-r", [], record)
        if bl.MAXRSS_HELPER:  # untimed second run, spawned from a small process
            out = os.path.join(rt.bundle, "maxrss")
            whole_run(rt, base, f"bench-{rt.name}-{rnd}-m", [bl.MAXRSS_HELPER, out], False)
            with open(out) as f:
                rss = int(f.read().split()[0])
        if record:
            rt.samples["run"].append(t_run)
            rt.rss_kb.append(rss)


def whole_run(rt, base, cid, prefix, record):
    write_config(base, rt, cid)
    rt.live.add(cid)
    t, rss = timed(prefix + rt.argv("run", "--bundle", rt.bundle, cid))
    if rt.state(cid) is not None:  # untimed cleanup if it was left behind
        rt.left_behind += record
        timed(rt.argv("delete", "--force", cid))
    rt.live.discard(cid)
    return t, rss


# ---------------------------------------------------------------- setup

def default_runtimes(workdir, notes):
    specs = []
    ocirt = os.path.join(REPO, "oci-rt")
    if os.access(ocirt, os.X_OK) and os.path.isfile(ocirt):
        specs.append(("oci-rt", [ocirt]))
        # the tracer's overhead: the same binary with --trace
        specs.append(("oci-rt-trace", [ocirt, "--trace", os.path.join(workdir, "bench.trace")]))
    else:
        notes.append(f"oci-rt skipped: {ocirt} is not built")
    if shutil.which("runc"):
        specs.append(("runc", ["runc"]))
    else:
        notes.append("runc skipped: not installed")
    crun = bl.crun_command(workdir)
    if crun is None:
        notes.append("crun skipped: not installed")
    else:
        if crun == ["crun"]:
            notes.append(f"crun runs without the memlock shim ({bl.SHIM_SRC} or cc missing)")
        specs.append(("crun", crun))
    return specs


def base_config(workdir, rootfs, runtimes):
    d = os.path.join(workdir, "spec")
    os.makedirs(d)
    check(["runc", "spec", "--bundle", d])
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    cfg["process"]["terminal"] = False
    cfg["process"]["args"] = ["/bin/true"]
    cfg["root"] = {"path": os.path.abspath(rootfs), "readonly": True}
    return cfg


def cleanup_cgroups(private):
    roots = [f"/sys/fs/cgroup/{CG_PARENT}"]
    if not private:  # runtimes made /ocirt-bench under each host hierarchy
        roots += [os.path.join("/sys/fs/cgroup", h, CG_PARENT)
                  for h in os.listdir("/sys/fs/cgroup")]
    for root in roots:
        bl.remove_cgroup_tree(root)

# ---------------------------------------------------------------- report

def trace_coverage(ocirt, base, workdir, k=20):
    """Runs of /bin/true with --trace, each timed from outside: how much of
    that wall time the runtime's top-level spans cover."""
    rt = Runtime("coverage", [ocirt], workdir)
    tf = os.path.join(workdir, "coverage.trace")
    out = os.path.join(workdir, "coverage.times")
    ratios = []
    for i in range(k):
        cid = f"cov{i}"
        write_config(base, rt, cid)
        argv = rt.cmd + ["--root", rt.root, "--trace", tf, "run", "--bundle", rt.bundle, cid]
        if bl.MAXRSS_HELPER:  # fork to reap, timed by a small C process
            check([bl.MAXRSS_HELPER, out] + argv)
            with open(out) as f:
                _, t0, t1 = (int(x) for x in f.read().split())
            t = t1 - t0
        else:  # from Python: Popen's own cost counts as untraced
            t, _ = timed(argv)
        with open(tf) as f:
            spans = [json.loads(l) for l in f if l.strip()]
        top = [s for s in spans if s["id"] == cid and s["proc"] == "runtime" and s["depth"] == 0]
        ratios.append(bl.union_ns(top) / t)
    ratios.sort()
    return ratios


def summarize(runtimes, ops):
    ref = next((rt for rt in runtimes if rt.name == "oci-rt"), runtimes[0])
    summary = {}
    for op in ops:
        summary[op] = {}
        for rt in runtimes:
            ms = sorted(v / 1e6 for v in rt.samples[op])
            if ms:
                summary[op][rt.name] = {"n": len(ms), "p50": bl.nearest_rank(ms, 50),
                                        "p99": bl.nearest_rank(ms, 99), "max": ms[-1],
                                        "mean": statistics.fmean(ms)}
        refp50 = summary[op].get(ref.name, {}).get("p50")
        for s in summary[op].values():
            s["ratio"] = s["p50"] / refp50 if refp50 else None
    rss = {rt.name: {"max_mb": max(rt.rss_kb) / 1024, "median_mb": statistics.median(rt.rss_kb) / 1024}
           for rt in runtimes if rt.rss_kb}
    return ref.name, summary, rss


def print_report(ref, summary, rss, runtimes):
    w = max([7] + [len(rt.name) for rt in runtimes])
    for op, rows in summary.items():
        print(f"\n{op} (ms)")
        print(f"  {'runtime':<{w}} {'p50':>8} {'p99':>8} {'max':>8} {'mean':>8}  p50/{ref}  p99/p50")
        for rt in runtimes:
            s = rows.get(rt.name)
            if s:
                ratio = f"{s['ratio']:.2f}x" if s["ratio"] else "-"
                print(f"  {rt.name:<{w}} {s['p50']:8.2f} {s['p99']:8.2f} {s['max']:8.2f} "
                      f"{s['mean']:8.2f}  {ratio:>{len(ref) + 4}}  {s['p99'] / s['p50']:.2f}x")
    if rss:
        print("\npeak RSS of run (MB, max / median over rounds): " +
              ", ".join(f"{n} {v['max_mb']:.1f} / {v['median_mb']:.1f}" for n, v in rss.items()))
    for rt in runtimes:
        if rt.left_behind:
            print(f"note: {rt.name} left the container behind after a foreground run "
                  f"{rt.left_behind} times (deleted untimed)")


# ---------------------------------------------------------------- main

def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runtime", action="append", default=[], metavar="NAME=COMMAND",
                    help="runtime to measure (repeatable; COMMAND split with shlex); "
                         "replaces the default set oci-rt, runc, crun")
    ap.add_argument("-n", type=int, default=40, help="timed rounds (default 40)")
    ap.add_argument("--rootfs", help="rootfs dir to use (built there if it lacks bin/true)")
    ap.add_argument("--json", help="write raw samples and summary to this file")
    ap.add_argument("--ops", default=",".join(ALL_OPS), help="subset of create,start,delete,run")
    ap.add_argument("--seccomp", metavar="PROFILE",
                    help="put this linux.seccomp object (e.g. tests/unit/data/seccomp/"
                         "docker-default.json) into every runtime's config")
    ap.add_argument("--no-private-cgroup", action="store_true",
                    help="run in the host's mount namespace and cgroup layout")
    a = ap.parse_args()
    a.ops = [o.strip() for o in a.ops.split(",") if o.strip()]
    bad = [o for o in a.ops if o not in ALL_OPS]
    if bad or not a.ops:
        ap.error(f"--ops: unknown {bad}; choose from {','.join(ALL_OPS)}")
    if a.n < 1:
        ap.error("-n must be >= 1")
    return a


def print_header(args, private, runtimes, notes, rootfs, how, cpu):
    print("# oci-rt lifecycle benchmark")
    print(f"date:     {time.strftime('%Y-%m-%d %H:%M:%S %z')}")
    print(f"kernel:   {os.uname().release}")
    print(f"cpu:      {cpu}, {os.cpu_count()} cores")
    for rt in runtimes:
        print(f"runtime:  {rt.name:<8} {rt.version:<28} ({shlex.join(rt.cmd)})")
    for n in notes:
        print(f"note:     {n}")
    print(f"rootfs:   {os.path.abspath(rootfs)} ({how}), /bin/true, readonly")
    if args.seccomp:
        print(f"seccomp:  {args.seccomp} in every config")
    print(f"cgroups:  {'private cgroup2 mount on /sys/fs/cgroup' if private else 'host layout'}, "
          f"cgroupsPath /{CG_PARENT}/<id>")
    if "run" in args.ops:
        print("rss:      " + RSS_HOW[bool(bl.MAXRSS_HELPER)])
    print(f"rounds:   N={args.n} (+1 untimed warm-up), runtimes interleaved, order rotated each round")
    print("NOTE: wall-clock of spawn+wait from Python; noisy absolute numbers, compare")
    print("      runtimes only within one run. p99 is nearest-rank (with N < 100 it equals max).")
    sys.stdout.flush()


def run(args, private, workdir, runtimes):
    """The benchmark; runtimes: filled here, cleaned up by the caller."""
    notes = []
    if args.runtime:
        specs = []
        for r in args.runtime:
            name, sep, cmd = r.partition("=")
            if not re.fullmatch(r"[A-Za-z0-9._-]+", name) or not sep or not cmd.strip():
                raise BenchError(f"--runtime wants NAME=COMMAND (NAME: [A-Za-z0-9._-]), got {r!r}")
            specs.append((name, shlex.split(cmd)))
    else:
        specs = default_runtimes(workdir, notes)
    if not specs:
        raise BenchError("no runtime to measure")
    runtimes.extend(Runtime(n, c, workdir) for n, c in specs)
    if "run" in args.ops:
        bl.build_maxrss_helper(workdir)
    for rt in runtimes:
        out = check(rt.cmd + ["--version"]).stdout.strip().splitlines()
        rt.version = out[0] if out else "?"

    rootfs = args.rootfs or os.path.join(workdir, "rootfs")
    if os.path.exists(os.path.join(rootfs, "bin", "true")):
        how = "given"
    else:
        os.makedirs(rootfs, exist_ok=True)
        how = bl.build_rootfs(rootfs)
    try:  # a dynamic busybox would fail here, not in the first create
        check(["chroot", rootfs, "/bin/true"])
    except BenchError as e:
        raise BenchError(f"rootfs {rootfs} cannot run /bin/true (static busybox?): {e}")
    base = base_config(workdir, rootfs, runtimes)
    if args.seccomp:
        with open(args.seccomp) as f:
            base.setdefault("linux", {})["seccomp"] = json.load(f)

    cpu = bl.cpu_model()
    print_header(args, private, runtimes, notes, rootfs, how, cpu)

    for rnd in range(args.n + 1):
        for rt in bl.rotated(runtimes, rnd):
            one_round(rt, base, args.ops, rnd, record=rnd > 0)

    ref, summary, rss = summarize(runtimes, args.ops)
    print_report(ref, summary, rss, runtimes)
    ocirt = next((rt.cmd[0] for rt in runtimes if rt.name == "oci-rt"), None)
    if ocirt and "run" in args.ops:
        cov = trace_coverage(ocirt, base, workdir)
        print(f"\ntrace coverage of `oci-rt run` (/bin/true), {len(cov)} runs: the runtime's "
              f"top-level spans cover p50 {100 * cov[len(cov) // 2]:.1f}% "
              f"(min {100 * cov[0]:.1f}%, max {100 * cov[-1]:.1f}%) of the wall time "
              f"measured from outside ({'fork to reaped, by a C helper' if bl.MAXRSS_HELPER else 'Popen to reaped, from Python'})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": {"date": time.time(), "kernel": os.uname().release, "cpu": cpu,
                                "cores": os.cpu_count(), "n": args.n, "ops": args.ops,
                                "private_cgroup": private, "rootfs": os.path.abspath(rootfs),
                                "percentiles": "nearest-rank", "reference": ref,
                                "rss_method": RSS_HOW[bool(bl.MAXRSS_HELPER)],
                                "runtimes": {rt.name: {"command": rt.cmd, "version": rt.version}
                                             for rt in runtimes}},
                       "samples_ns": {rt.name: {op: rt.samples[op] for op in args.ops}
                                      for rt in runtimes},
                       "run_maxrss_kb": {rt.name: rt.rss_kb for rt in runtimes},
                       "summary_ms": summary, "run_peak_rss_mb": rss}, f, indent=1)
        print(f"\nraw samples and summary written to {args.json}")
    return 0


def main():
    args = parse_args()
    private = not args.no_private_cgroup
    if private:
        bl.enter_private_cgroup(__file__)
    workdir = tempfile.mkdtemp(prefix="ocirt-bench.")
    runtimes = []

    def cleanup():
        for rt in runtimes:
            rt.force_delete_all()
        cleanup_cgroups(private)
        shutil.rmtree(workdir, ignore_errors=True)
    return bl.guarded(lambda: run(args, private, workdir, runtimes), cleanup)

if __name__ == "__main__":
    sys.exit(main())
