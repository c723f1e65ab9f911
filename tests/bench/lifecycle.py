#!/usr/bin/env python3
"""Side-by-side lifecycle benchmark of OCI runtimes (oci-rt, runc, crun, ...).

Times create / start / delete and a whole foreground `run` of /bin/true in a
busybox rootfs, interleaving the runtimes round-robin.  See README.md here.
Standard library only.
"""
import argparse, json, math, os, re, shlex, shutil, signal, statistics
import subprocess, sys, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIM_SRC = os.environ.get("OCIRT_MEMLOCK_SHIM_SRC",
                          os.path.join(REPO, "contrib", "memlock-shim", "memlock-shim.c"))
NS_MARKER = "OCIRT_BENCH_PRIVATE_NS"
CG_PARENT = "ocirt-bench"
TIMEOUT = 30  # seconds, for every subprocess
ALL_OPS = ["create", "start", "delete", "run"]
RSS_HOW = {True: "ru_maxrss of an extra untimed run per round, forked from a small C helper",
           False: "wait4 ru_maxrss of the timed run (no cc: includes Python's pre-exec RSS!)"}
MAXRSS_HELPER = None  # path of the compiled helper below, when cc is available
# wait4's ru_maxrss of a child forked from Python includes the Python image it
# had before exec (~14 MB), hiding the runtime's own peak.  This helper forks
# the runtime from a small process and writes the child's ru_maxrss (KB).
MAXRSS_C = r"""
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <time.h>
static long long mono(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}
/* maxrss OUT CMD...: runs CMD; writes its ru_maxrss (KB) and the
 * CLOCK_MONOTONIC ns just before fork and just after it was reaped */
int main(int argc, char **argv) {
  int st; struct rusage ru; FILE *f; pid_t pid; long long t0, t1;
  if (argc < 3) return 127;
  t0 = mono();
  if ((pid = fork()) < 0) return 127;
  if (pid == 0) { execvp(argv[2], argv + 2); _exit(127); }
  if (wait4(pid, &st, 0, &ru) < 0) return 127;
  t1 = mono();
  if (!(f = fopen(argv[1], "w"))) return 127;
  fprintf(f, "%ld %lld %lld\n", ru.ru_maxrss, t0, t1);
  fclose(f);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
"""


class BenchError(Exception): pass
class CmdTimeout(Exception): pass


def on_alarm(signum, frame):
    raise CmdTimeout()


def on_term(signum, frame):
    raise KeyboardInterrupt()


def check(argv, **kw):
    """Untimed helper command: returns CompletedProcess, raises on failure."""
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=TIMEOUT, **kw)
    except subprocess.TimeoutExpired:
        raise BenchError(f"timeout ({TIMEOUT}s): {shlex.join(argv)}")
    except OSError as e:
        raise BenchError(f"cannot run {shlex.join(argv)}: {e}")
    if r.returncode != 0:
        raise BenchError(f"failed (exit {r.returncode}): {shlex.join(argv)}\n{r.stderr.strip()}")
    return r


def timed(argv):
    """Spawn argv, wait for it with wait4; return (elapsed ns, ru_maxrss KB).

    Only Popen + wait4 lie inside the timed region; the 30 s watchdog is a
    SIGALRM interval timer armed before and disarmed after it.
    """
    with tempfile.TemporaryFile() as errf:
        p = None
        signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
        try:
            t0 = time.perf_counter_ns()
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=errf)
            _, status, ru = os.wait4(p.pid, 0)
            t1 = time.perf_counter_ns()
        except BaseException as e:  # timeout, Ctrl-C: never leave the child behind
            if p is not None:
                p.kill()
                os.wait4(p.pid, 0)
                p.returncode = -9
            if isinstance(e, CmdTimeout):
                raise BenchError(f"timeout ({TIMEOUT}s): {shlex.join(argv)}")
            raise
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            errf.seek(0)
            err = errf.read().decode(errors="replace").strip()
            raise BenchError(f"failed (exit {p.returncode}): {shlex.join(argv)}\n{err}")
    return t1 - t0, ru.ru_maxrss


class Runtime:
    def __init__(self, name, cmd, workdir):
        self.name, self.cmd = name, cmd
        self.root = os.path.join(workdir, "state", name)
        self.bundle = os.path.join(workdir, "bundle", name)
        os.makedirs(self.root)
        os.makedirs(self.bundle)
        self.live = set()          # container ids that may still exist
        self.left_behind = 0       # foreground runs that left the container
        self.samples = {op: [] for op in ALL_OPS}
        self.rss_kb = []
        self.version = "?"

    def argv(self, *args):
        return self.cmd + ["--root", self.root] + list(args)

    def state(self, cid):
        """Container status, or None when the runtime does not know cid."""
        try:
            return json.loads(check(self.argv("state", cid)).stdout)["status"]
        except BenchError as e:
            if str(e).startswith("timeout"):
                raise
            return None
        except (ValueError, KeyError):
            raise BenchError(f"{self.name}: bad `state {cid}` output")

    def wait_stopped(self, cid):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.state(cid) == "stopped":
                return
            time.sleep(0.001)
        raise BenchError(f"{self.name}: container {cid} not stopped after {TIMEOUT}s")

    def force_delete_all(self):
        for cid in sorted(self.live):
            try:
                subprocess.run(self.argv("delete", "--force", cid), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=TIMEOUT)
            except (subprocess.TimeoutExpired, OSError) as e:
                print(f"warning: cleanup of {self.name} {cid}: {e}", file=sys.stderr)
        self.live.clear()


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
        if MAXRSS_HELPER:  # untimed second run, spawned from a small process
            out = os.path.join(rt.bundle, "maxrss")
            whole_run(rt, base, f"bench-{rt.name}-{rnd}-m", [MAXRSS_HELPER, out], False)
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

def build_rootfs(path):
    mk = os.path.join(REPO, "tests", "lib", "mkrootfs.sh")
    if os.path.isfile(mk):
        check(([mk] if os.access(mk, os.X_OK) else ["sh", mk]) + [path])
        return "built by tests/lib/mkrootfs.sh"
    bb = shutil.which("busybox") or "/bin/busybox"
    if not os.path.isfile(bb):
        raise BenchError("no busybox found (apt-get install busybox-static)")
    for d in ("bin", "proc", "sys", "dev", "tmp", "etc"):
        os.makedirs(os.path.join(path, d), exist_ok=True)
    shutil.copy2(bb, os.path.join(path, "bin", "busybox"))
    for link in ("true", "sh"):
        if not os.path.lexists(os.path.join(path, "bin", link)):
            os.symlink("busybox", os.path.join(path, "bin", link))
    return f"minimal busybox-static rootfs (from {bb})"


def compile_c(workdir, out, src, *flags):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or not os.path.isfile(src):
        return None
    out = os.path.join(workdir, out)
    check([cc, "-O2", *flags, "-o", out, src])
    return out


def build_maxrss_helper(workdir):
    global MAXRSS_HELPER
    with open(os.path.join(workdir, "maxrss.c"), "w") as f:
        f.write(MAXRSS_C)
    MAXRSS_HELPER = compile_c(workdir, "maxrss", os.path.join(workdir, "maxrss.c"))


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
    if shutil.which("crun"):
        shim = compile_c(workdir, "memlock-shim.so", SHIM_SRC, "-shared", "-fPIC", "-ldl")
        if shim:
            specs.append(("crun", ["env", f"LD_PRELOAD={shim}", "crun"]))
        else:
            notes.append(f"crun runs without the memlock shim ({SHIM_SRC} or cc missing)")
            specs.append(("crun", ["crun"]))
    else:
        notes.append("crun skipped: not installed")
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
        if not os.path.isdir(root):
            continue
        for dirpath, _, _ in os.walk(root, topdown=False):  # leaves first
            try:
                os.rmdir(dirpath)
            except OSError as e:
                print(f"warning: cannot remove cgroup {dirpath}: {e}", file=sys.stderr)


# ---------------------------------------------------------------- report

def union_ns(spans):
    """Length of the union of [ts, ts+dur) intervals."""
    total, end = 0, None
    for s in sorted(spans, key=lambda s: s["ts"]):
        a, b = s["ts"], s["ts"] + s["dur"]
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


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
        if MAXRSS_HELPER:  # fork to reap, timed by a small C process
            check([MAXRSS_HELPER, out] + argv)
            with open(out) as f:
                _, t0, t1 = (int(x) for x in f.read().split())
            t = t1 - t0
        else:  # from Python: Popen's own cost counts as untraced
            t, _ = timed(argv)
        with open(tf) as f:
            spans = [json.loads(l) for l in f if l.strip()]
        top = [s for s in spans if s["id"] == cid and s["proc"] == "runtime" and s["depth"] == 0]
        ratios.append(union_ns(top) / t)
    ratios.sort()
    return ratios


def nearest_rank(sorted_vals, p):
    return sorted_vals[max(1, math.ceil(p / 100 * len(sorted_vals))) - 1]


def summarize(runtimes, ops):
    ref = next((rt for rt in runtimes if rt.name == "oci-rt"), runtimes[0])
    summary = {}
    for op in ops:
        summary[op] = {}
        for rt in runtimes:
            ms = sorted(v / 1e6 for v in rt.samples[op])
            if ms:
                summary[op][rt.name] = {"n": len(ms), "p50": nearest_rank(ms, 50),
                                        "p99": nearest_rank(ms, 99), "max": ms[-1],
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


def reexec_private():
    env = dict(os.environ, **{NS_MARKER: "1"})
    argv = ["unshare", "-m", "--propagation", "private", "sh", "-c",
            'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"', "sh",
            sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    os.execvpe("unshare", argv, env)


def main():
    args = parse_args()
    private = not args.no_private_cgroup
    if private and os.environ.get(NS_MARKER) != "1":
        reexec_private()
    if private and not os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        raise SystemExit("error: /sys/fs/cgroup is not a cgroup2 mount inside the namespace")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)

    workdir = tempfile.mkdtemp(prefix="ocirt-bench.")
    runtimes, notes = [], []
    try:
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
        runtimes = [Runtime(n, c, workdir) for n, c in specs]
        if "run" in args.ops:
            build_maxrss_helper(workdir)
        for rt in runtimes:
            out = check(rt.cmd + ["--version"]).stdout.strip().splitlines()
            rt.version = out[0] if out else "?"

        rootfs = args.rootfs or os.path.join(workdir, "rootfs")
        if os.path.exists(os.path.join(rootfs, "bin", "true")):
            how = "given"
        else:
            os.makedirs(rootfs, exist_ok=True)
            how = build_rootfs(rootfs)
        try:  # a dynamic busybox would fail here, not in the first create
            check(["chroot", rootfs, "/bin/true"])
        except BenchError as e:
            raise BenchError(f"rootfs {rootfs} cannot run /bin/true (static busybox?): {e}")
        base = base_config(workdir, rootfs, runtimes)
        if args.seccomp:
            with open(args.seccomp) as f:
                base.setdefault("linux", {})["seccomp"] = json.load(f)

        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                    if l.startswith("model name")), "?")
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
            print("rss:      " + RSS_HOW[bool(MAXRSS_HELPER)])
        print(f"rounds:   N={args.n} (+1 untimed warm-up), runtimes interleaved, order rotated each round")
        print("NOTE: wall-clock of spawn+wait from Python; noisy absolute numbers, compare")
        print("      runtimes only within one run. p99 is nearest-rank (with N < 100 it equals max).")
        sys.stdout.flush()

        for rnd in range(args.n + 1):
            k = rnd % len(runtimes)
            for rt in runtimes[k:] + runtimes[:k]:
                one_round(rt, base, args.ops, rnd, record=rnd > 0)

        ref, summary, rss = summarize(runtimes, args.ops)
        print_report(ref, summary, rss, runtimes)
        ocirt = next((rt.cmd[0] for rt in runtimes if rt.name == "oci-rt"), None)
        if ocirt and "run" in args.ops:
            cov = trace_coverage(ocirt, base, workdir)
            print(f"\ntrace coverage of `oci-rt run` (/bin/true), {len(cov)} runs: the runtime's "
                  f"top-level spans cover p50 {100 * cov[len(cov) // 2]:.1f}% "
                  f"(min {100 * cov[0]:.1f}%, max {100 * cov[-1]:.1f}%) of the wall time "
                  f"measured from outside ({'fork to reaped, by a C helper' if MAXRSS_HELPER else 'Popen to reaped, from Python'})")
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"meta": {"date": time.time(), "kernel": os.uname().release, "cpu": cpu,
                                    "cores": os.cpu_count(), "n": args.n, "ops": args.ops,
                                    "private_cgroup": private, "rootfs": os.path.abspath(rootfs),
                                    "percentiles": "nearest-rank", "reference": ref,
                                    "rss_method": RSS_HOW[bool(MAXRSS_HELPER)],
                                    "runtimes": {rt.name: {"command": rt.cmd, "version": rt.version}
                                                 for rt in runtimes}},
                           "samples_ns": {rt.name: {op: rt.samples[op] for op in args.ops}
                                          for rt in runtimes},
                           "run_maxrss_kb": {rt.name: rt.rss_kb for rt in runtimes},
                           "summary_ms": summary, "run_peak_rss_mb": rss}, f, indent=1)
            print(f"\nraw samples and summary written to {args.json}")
        return 0
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted, cleaning up", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for rt in runtimes:
            rt.force_delete_all()
        cleanup_cgroups(private)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
