#!/usr/bin/env python3
"""`oci-rt profile` against ground truth, and what profiling costs.

Runs the demo bundle with `oci-rt --trace T run` N times, interleaved:
  plain:    oci-rt --trace T run ...
  profiled: oci-rt profile --format json --out P -- oci-rt --trace T run ...
Both write oci-rt's own spans, so the tracer's cost is the same on both
sides and the run's wall time (its top-level runtime spans, first start to
last end) is comparable: the difference is the profile's overhead.

In the profiled runs, every phase that oci-rt's spans and the profile both
name in the same process (same host pid, same name) is compared: the
difference of its start and of its end (CLOCK_MONOTONIC on both sides, the
"mono" field). Printed per phase: n, median and max of |difference|.

With --ftrace, a third side: the run traced by ftrace instead (a private
tracefs instance in a private mount namespace, the events a profile would
need from it: raw_syscalls sys_enter/sys_exit and sched_process_fork, exec
and exit, with set_event_pid following forks), to compare what the two
kernel mechanisms cost. The instance is removed at the end.

Standard library only; run as root from a built tree:
    tests/bench/profile_check.py [-n 30] [--json FILE] [--ftrace]
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile

NS_MARKER = "OCIRT_PROFCHECK_PRIVATE_NS"
FTRACE_EVENTS = ["raw_syscalls/sys_enter", "raw_syscalls/sys_exit", "sched/sched_process_fork",
                 "sched/sched_process_exec", "sched/sched_process_exit"]

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def wall(spans):
    """First start to last end of the runtime's top-level spans (ms)."""
    top = [s for s in spans if s["proc"] == "runtime" and s["depth"] == 0]
    if not top:
        return None
    return (max(s["mono"] + s["dur"] for s in top) - min(s["mono"] for s in top)) / 1e6


def compare(own, prof):
    """[(name, proc, d_start_us, d_end_us)] for phases both name in one pid."""
    out = []
    rows = {}
    for r in prof:
        rows.setdefault((r["pid"], r["name"]), []).append(r)
    for s in own:
        if s["instant"]:
            continue
        cand = rows.get((s["pid"], s["name"]))
        if not cand:
            continue
        r = min(cand, key=lambda r: abs(r["mono"] - s["mono"]))
        ds = (r["mono"] - s["mono"]) / 1e3
        de = (r["mono"] + r["dur"] - s["mono"] - s["dur"]) / 1e3
        out.append((s["name"], s["proc"], ds, de))
    return out


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * (len(v) - 1)))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=30, help="rounds (default 30), after one warm-up")
    ap.add_argument("--oci-rt", default=os.path.join(REPO, "oci-rt"))
    ap.add_argument("--json", help="write the raw samples here")
    ap.add_argument("--ftrace", action="store_true", help="also time the run under ftrace")
    ap.add_argument("--ftrace-instance", default=f"ocirt-profcheck-{os.getpid()}",
                    help="the tracefs instance to make (default ocirt-profcheck-PID)")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("profile_check: needs root")
    if a.ftrace and os.environ.get(NS_MARKER) != "1":
        # tracefs is mounted in a private mount namespace only
        env = dict(os.environ, **{NS_MARKER: "1"})
        return subprocess.call(["unshare", "-m", "--propagation", "private",
                                sys.executable] + sys.argv, env=env)
    tmp = tempfile.mkdtemp(prefix="ocirt-profcheck.")
    a.inst = None
    try:
        if a.ftrace:
            a.inst = ftrace_setup(tmp, a.ftrace_instance)
        return run(a, tmp)
    finally:
        if a.inst:
            ftrace_teardown(tmp, a.inst)
        shutil.rmtree(tmp, ignore_errors=True)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def ftrace_setup(tmp, name):
    os.mkdir(f"{tmp}/tracefs")
    subprocess.run(["mount", "-t", "tracefs", "nodev", f"{tmp}/tracefs"], check=True)
    inst = f"{tmp}/tracefs/instances/{name}"
    os.mkdir(inst)
    write(f"{inst}/buffer_size_kb", "8192")
    write(f"{inst}/options/event-fork", "1")
    return inst  # the events are enabled for each ftrace round only


def ftrace_teardown(tmp, inst):
    try:
        for ev in FTRACE_EVENTS:
            write(f"{inst}/events/{ev}/enable", "0")
        write(f"{inst}/set_event_pid", "")
        os.rmdir(inst)
    finally:
        subprocess.run(["umount", f"{tmp}/tracefs"])


def one(a, tmp, i, profiled, ftrace=False):
    ocirt = a.oci_rt
    root, trace, prof = f"{tmp}/root", f"{tmp}/t{i}.json", f"{tmp}/p{i}.json"
    cid = f"pc{os.getpid()}-{i}"
    inner = [ocirt, "--root", root, "--trace", trace, "run", "--bundle", f"{tmp}/bundle", cid]
    argv = [ocirt, "profile", "--format", "json", "--out", prof, "--"] + inner if profiled else inner
    if ftrace:  # the shell puts itself in the pid filter, enables the events, becomes the run
        enable = " && ".join(f'echo 1 > "$0/events/{ev}/enable"' for ev in FTRACE_EVENTS)
        argv = ["sh", "-c", f'echo $$ > "$0/set_event_pid" && {enable} && exec "$@"',
                a.inst] + inner
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    if r.returncode != 0:
        raise SystemExit(f"profile_check: {' '.join(argv)} failed: {r.stderr.strip()}")
    if ftrace:
        for ev in FTRACE_EVENTS:
            write(f"{a.inst}/events/{ev}/enable", "0")
        write(f"{a.inst}/set_event_pid", "")
        write(f"{a.inst}/trace", "")
    own = load(trace)
    return own, (load(prof) if profiled else None)


def run(a, tmp):
    subprocess.run([os.path.join(REPO, "contrib/mkbundle.sh"), f"{tmp}/bundle", a.oci_rt],
                   check=True, stdout=subprocess.DEVNULL)
    one(a, tmp, "warm", False)
    one(a, tmp, "warm-p", True)
    plain, prof_wall, ft_wall, diffs = [], [], [], []
    sides = ["plain", "profile"] + (["ftrace"] if a.ftrace else [])
    if a.ftrace:
        one(a, tmp, "warm-f", False, True)
    for i in range(a.n):
        for side in sides[i % len(sides):] + sides[:i % len(sides)]:  # rotated
            own, prof = one(a, tmp, f"{i}{side}", side == "profile", side == "ftrace")
            {"plain": plain, "profile": prof_wall, "ftrace": ft_wall}[side].append(wall(own))
            if prof:
                diffs += compare(own, prof)
    by = {}
    for name, proc, ds, de in diffs:
        by.setdefault((proc, name), []).append((abs(ds), abs(de)))
    print(f"oci-rt profile vs oci-rt's own spans: {a.n} profiled runs of the demo bundle")
    print(f"  {'process':8} {'phase':34} {'n':>3} {'start p50':>10} {'start max':>10}"
          f" {'end p50':>9} {'end max':>9}  (us)")
    allb = []
    for (proc, name), v in sorted(by.items(), key=lambda kv: -len(kv[1])):
        st, en = [x[0] for x in v], [x[1] for x in v]
        allb += st + en
        print(f"  {proc:8} {name[:34]:34} {len(v):3} {statistics.median(st):10.1f} {max(st):10.1f}"
              f" {statistics.median(en):9.1f} {max(en):9.1f}")
    if allb:
        print(f"  all boundaries: n {len(allb)}, median {statistics.median(allb):.1f} us,"
              f" p90 {pct(allb, 90):.1f} us, max {max(allb):.1f} us")
    # each round ran both, back to back: its difference is one overhead sample
    ov = [p - q for p, q in zip(prof_wall, plain)]
    print(f"run wall time (oci-rt's own spans), ms: plain p50 {statistics.median(plain):.3f}"
          f" max {max(plain):.3f}; profiled p50 {statistics.median(prof_wall):.3f}"
          f" max {max(prof_wall):.3f}")
    print(f"  overhead (profiled - plain, paired by round): p50 {statistics.median(ov):+.3f} ms"
          f" ({100 * statistics.median(ov) / statistics.median(plain):+.1f}% of the plain p50),"
          f" max {max(ov):+.3f} ms")
    if ft_wall:
        ovf = [p - q for p, q in zip(ft_wall, plain)]
        print(f"  under ftrace instead: p50 {statistics.median(ft_wall):.3f} max {max(ft_wall):.3f};"
              f" overhead p50 {statistics.median(ovf):+.3f} ms"
              f" ({100 * statistics.median(ovf) / statistics.median(plain):+.1f}%),"
              f" max {max(ovf):+.3f} ms")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"plain_ms": plain, "profiled_ms": prof_wall, "ftrace_ms": ft_wall,
                       "diffs_us": [list(d) for d in diffs]}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
