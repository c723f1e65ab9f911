#!/usr/bin/env python3
"""Performance targets of oci-rt, side by side with crun and runc.

One program, one measurement per subcommand (floor, scale, concurrency,
engines, bigconfig, seccomp; `all` runs them in turn).  Every subcommand
interleaves the runtimes (order rotated each round), prints p50/p90/p99/max
and the ratios against the targets of issue 16.  See README.md here.
Standard library only; the helpers it shares with lifecycle.py are in benchlib.py.
"""
import argparse, concurrent.futures, json, os, shlex, shutil, signal, subprocess
import sys, tempfile, time

sys.dont_write_bytecode = True  # no __pycache__ left in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

REPO = bl.REPO
TAG = f"i16b{os.getpid()}"          # prefix of every container id, cgroup, dir
CG_PARENT = f"ocirt-{TAG}"
DOCKER_PROFILE = os.path.join(REPO, "tests", "unit", "data", "seccomp", "docker-default.json")
RUNTIMES = ("oci-rt", "crun", "runc")


# ---------------------------------------------------------------- stats

def stats(vals):
    v = sorted(vals)
    if not v:
        return None
    return {"n": len(v), "p50": bl.nearest_rank(v, 50), "p90": bl.nearest_rank(v, 90),
            "p99": bl.nearest_rank(v, 99), "max": v[-1]}


def print_table(title, unit, rows, ref=None):
    """rows: {name: [values]}; ratio column against rows[ref]'s p50."""
    w = max([8] + [len(n) for n in rows])
    print(f"\n{title} ({unit})")
    print(f"  {'':<{w}} {'n':>5} {'p50':>9} {'p90':>9} {'p99':>9} {'max':>9}  p99/p50"
          + (f"  p50/{ref}" if ref else ""))
    out = {}
    for name, vals in rows.items():
        s = stats(vals)
        if not s:
            continue
        out[name] = s
        line = (f"  {name:<{w}} {s['n']:5d} {s['p50']:9.3f} {s['p90']:9.3f} {s['p99']:9.3f} "
                f"{s['max']:9.3f}  {s['p99'] / s['p50']:6.2f}x")
        if ref and ref in rows and rows[ref]:
            line += f"  {s['p50'] / stats(rows[ref])['p50']:6.2f}x"
        print(line)
    return out


def target(label, value, limit, higher_is_better=False):
    ok = value >= limit if higher_is_better else value <= limit
    rel = ">=" if higher_is_better else "<="
    print(f"  target: {label} = {value:.3f} (want {rel} {limit}) -> {'MET' if ok else 'NOT MET'}")
    return {"label": label, "value": value, "limit": limit, "met": ok}


def quiet(argv):
    """Run argv with stdio that a container's process may keep open (a created
    container's init holds them: a pipe would never see EOF)."""
    with tempfile.TemporaryFile() as errf:
        try:
            run_argv, run_env = bl.split_env(argv)
            r = subprocess.run(run_argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=errf, timeout=bl.TIMEOUT, env=run_env)
        except subprocess.TimeoutExpired:
            raise bl.BenchError(f"timeout ({bl.TIMEOUT}s): {shlex.join(argv)}")
        if r.returncode != 0:
            errf.seek(0)
            raise bl.BenchError(f"failed (exit {r.returncode}): {shlex.join(argv)}\n"
                                + errf.read().decode(errors="replace").strip())


# ---------------------------------------------------------------- setup

class Env:
    """Work dir, rootfs, runtimes, base config (`oci-rt spec`), cleanup."""

    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix=f"ocirt-{TAG}.")
        os.chmod(self.work, 0o755)
        self.rootfs = os.path.join(self.work, "rootfs")
        bl.build_rootfs(self.rootfs)
        bl.check(["chroot", self.rootfs, "/bin/true"])
        bl.build_maxrss_helper(self.work)
        self.notes, self.runtimes, self.cleanups = [], [], []
        self.extra = []  # runtimes not measured on their own (scale's full roots)
        # a snapshot: a concurrent `make` must not swap the binary mid-run
        ocirt = os.path.join(self.work, "bin", "oci-rt")
        if os.path.isfile(os.path.join(REPO, "oci-rt")):
            os.makedirs(os.path.dirname(ocirt))
            shutil.copy2(os.path.join(REPO, "oci-rt"), ocirt)
        want = {"oci-rt": [ocirt], "runc": ["runc"]}
        crun = bl.crun_command(self.work)
        if crun:
            want["crun"] = crun
        for name in RUNTIMES:
            cmd = want.get(name)
            if cmd is None or not shutil.which(cmd[-1] if name != "oci-rt" else cmd[0]):
                self.notes.append(f"{name} skipped: not installed/built")
                continue
            self.runtimes.append(bl.Runtime(name, cmd, self.work))
        for extra in args.also:
            name, _, cmd = extra.partition("=")
            if not name or not cmd:
                raise bl.BenchError(f"--also wants NAME=COMMAND, got {extra!r}")
            self.runtimes.append(bl.Runtime(name, shlex.split(cmd), self.work))
        d = os.path.join(self.work, "spec")
        os.makedirs(d)
        bl.check([ocirt, "spec", "--bundle", d] if self._spec_has_bundle(ocirt) else
                 ["sh", "-c", f'cd "{d}" && exec "{ocirt}" spec'])
        with open(os.path.join(d, "config.json")) as f:
            cfg = json.load(f)
        cfg["process"]["terminal"] = False
        cfg["process"]["args"] = ["/bin/true"]
        cfg["root"]["path"] = self.rootfs
        # crun 1.8.1 refuses ociVersion 1.3.0 ("unknown version specified");
        # nothing in this config is newer than 1.0
        cfg["ociVersion"] = "1.0.2"
        self.base = cfg

    @staticmethod
    def _spec_has_bundle(ocirt):
        r = subprocess.run([ocirt, "spec", "--help"], capture_output=True, text=True)
        return "--bundle" in r.stdout

    def rt(self, name):
        return next((r for r in self.runtimes if r.name == name), None)

    def config(self, rt, cid, bundle=None, **extra):
        cfg = json.loads(json.dumps(self.base))
        cfg["linux"]["cgroupsPath"] = f"/{CG_PARENT}/{cid}"
        for k, v in extra.items():
            if k == "seccomp":
                cfg["linux"]["seccomp"] = v
            else:
                cfg[k] = v
        b = bundle or rt.bundle
        os.makedirs(b, exist_ok=True)
        with open(os.path.join(b, "config.json"), "w") as f:
            json.dump(cfg, f)
        return b

    def run_once(self, rt, cid, bundle=None):
        """A timed foreground `run`; ms."""
        b = bundle or rt.bundle
        rt.live.add(cid)
        t, _ = bl.timed(rt.argv("run", "--bundle", b, cid))
        if rt.state(cid) is not None:
            bl.timed(rt.argv("delete", "--force", cid))
        rt.live.discard(cid)
        return t / 1e6

    def maxrss(self, rt, op, cid, bundle):
        """Peak RSS (KB) of `op` (run or create) forked from a small C helper."""
        out = os.path.join(self.work, "maxrss.out")
        rt.live.add(cid)
        quiet([bl.MAXRSS_HELPER, out] + rt.argv(op, "--bundle", bundle, cid))
        with open(out) as f:
            kb = int(f.read().split()[0])
        subprocess.run(rt.argv("delete", "--force", cid), capture_output=True, timeout=bl.TIMEOUT)
        rt.live.discard(cid)
        return kb

    def header(self, what):
        cpu = bl.cpu_model()
        print(f"# oci-rt targets: {what}")
        print(f"date: {time.strftime('%Y-%m-%d %H:%M:%S %z')}  kernel {os.uname().release}  "
              f"{cpu}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
        for rt in self.runtimes:
            v = subprocess.run(rt.cmd + ["--version"], capture_output=True, text=True).stdout
            print(f"runtime: {rt.name:<7} {(v.splitlines() or ['?'])[0]:<28} ({shlex.join(rt.cmd)})")
        for n in self.notes:
            print(f"note: {n}")
        print(f"config: `oci-rt spec` with args [/bin/true], terminal false, "
              f"cgroupsPath /{CG_PARENT}/<id>; private cgroup2 view")
        print("NOTE: wall clock of spawn+wait from Python on a machine others may share: compare "
              "runtimes within one run only; p99 is nearest-rank.")
        sys.stdout.flush()

    def cleanup(self):
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as e:  # keep cleaning
                print(f"warning: cleanup: {e}", file=sys.stderr)
        for rt in self.runtimes + self.extra:
            rt.force_delete_all()
        bl.remove_cgroup_tree(f"/sys/fs/cgroup/{CG_PARENT}")
        bl.check(["sh", "-c", f'grep -F " {self.work}" /proc/self/mountinfo | cut -d" " -f5 | '
                  f'sort -r | xargs -r -n1 umount -l'])
        shutil.rmtree(self.work, ignore_errors=True)


# ---------------------------------------------------------------- floor

def floor_cmd(env):
    return ["unshare", "-m", "-u", "-i", "-n", "-p", "-f", "chroot", env.rootfs, "/bin/true"]


def do_floor(env, n):
    env.header(f"floor: `run` of /bin/true against {shlex.join(floor_cmd(env))}")
    rows = {"floor": []}
    rows.update({rt.name: [] for rt in env.runtimes})
    for rt in env.runtimes:
        env.config(rt, "x")
    for rnd in range(n + 1):
        for name in bl.rotated(list(rows), rnd):
            if name == "floor":
                t = bl.timed(floor_cmd(env))[0] / 1e6
            else:
                t = env.run_once(env.rt(name), f"{TAG}-f{rnd}-{name}")
            if rnd:
                rows[name].append(t)
    s = print_table("run of /bin/true", "ms", rows, ref="floor")
    res = {"stats": s, "targets": []}
    if "oci-rt" in s:
        res["targets"].append(target("oci-rt p50 / floor p50", s["oci-rt"]["p50"] / s["floor"]["p50"], 1.3))
        if "crun" in s:
            res["targets"].append(target("oci-rt p50 / crun p50", s["oci-rt"]["p50"] / s["crun"]["p50"], 0.45))
        res["targets"].append(target("oci-rt run p99 / p50", s["oci-rt"]["p99"] / s["oci-rt"]["p50"], 1.5))
    return res


# ---------------------------------------------------------------- scale

def populate(env, rt, count, workers=4):
    """count stopped containers (create + start of /bin/true) in rt's root."""
    def one(i):
        cid = f"{TAG}-p{i}"
        b = os.path.join(env.work, "pop", rt.name, str(i))
        env.config(rt, cid, bundle=b)
        rt.live.add(cid)
        quiet(rt.argv("create", "--bundle", b, cid))
        quiet(rt.argv("start", cid))
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        list(ex.map(one, range(count)))


def create_round(env, rt, cid):
    """Timed create (ms), untimed delete --force."""
    env.config(rt, cid)
    rt.live.add(cid)
    t, _ = bl.timed(rt.argv("create", "--bundle", rt.bundle, cid))
    quiet(rt.argv("delete", "--force", cid))
    rt.live.discard(cid)
    return t / 1e6


def do_scale(env, n, count):
    env.header(f"scale: create on an empty root vs with {count} containers; list and state at {count}")
    rts = env.runtimes
    # each runtime twice: its root kept empty, and a second root holding
    # `count` stopped containers; both are measured in the same rounds
    fulls = {rt.name: bl.Runtime(rt.name + "-full", rt.cmd, env.work) for rt in rts}
    env.extra += list(fulls.values())  # cleaned up with the others
    t0 = time.monotonic()
    for rt in rts:
        populate(env, fulls[rt.name], count)
    print(f"(populated {count} stopped containers per runtime in {time.monotonic() - t0:.0f} s)")
    empty, full, lst, st = ({rt.name: [] for rt in rts} for _ in range(4))
    for rnd in range(n + 1):
        for rt in bl.rotated(rts, rnd):
            fr = fulls[rt.name]
            for which in bl.rotated(["empty", "full"], rnd):
                t = create_round(env, rt if which == "empty" else fr, f"{TAG}-s{rnd}")
                if rnd:
                    (empty if which == "empty" else full)[rt.name].append(t)
            tl = bl.timed(fr.argv("list"))[0] / 1e6
            ts = bl.timed(fr.argv("state", f"{TAG}-p{rnd % count}"))[0] / 1e6
            if rnd:
                lst[rt.name].append(tl)
                st[rt.name].append(ts)
    se = print_table("create, empty root", "ms", empty, ref="oci-rt")
    sf = print_table(f"create, {count} containers in the root", "ms", full, ref="oci-rt")
    sl = print_table(f"list of {count} containers", "ms", lst, ref="oci-rt")
    ss = print_table(f"state of one of {count} containers", "ms", st, ref="oci-rt")
    print("\ncreate with containers / create on empty root (p50):")
    for rt in rts:
        print(f"  {rt.name:<8} {sf[rt.name]['p50'] / se[rt.name]['p50']:.3f}x")
    res = {"empty": se, "full": sf, "list": sl, "state": ss, "count": count, "targets": []}
    if "oci-rt" in se:
        res["targets"].append(target(f"oci-rt create p50 at {count} / empty",
                                     sf["oci-rt"]["p50"] / se["oci-rt"]["p50"], 1.10))
    return res


# ---------------------------------------------------------------- concurrency

def do_concurrency(env, n, count, callers):
    env.header(f"concurrency: {count} containers created and started by {callers} concurrent callers")
    rts = env.runtimes
    rows = {rt.name: [] for rt in rts}
    for rnd in range(n + 1):
        for rt in bl.rotated(rts, rnd):
            ids = [f"{TAG}-c{rnd}-{i}" for i in range(count)]
            for i, cid in enumerate(ids):  # bundles written untimed
                env.config(rt, cid, bundle=os.path.join(env.work, "conc", rt.name, str(i)))
                rt.live.add(cid)

            def one(i):
                b = os.path.join(env.work, "conc", rt.name, str(i))
                quiet(rt.argv("create", "--bundle", b, ids[i]))
                quiet(rt.argv("start", ids[i]))
            t0 = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(callers) as ex:
                list(ex.map(one, range(count)))
            dt = time.perf_counter() - t0
            if rnd:
                rows[rt.name].append(count / dt)
            rt.force_delete_all()
            print(f"  round {rnd} {rt.name}: {count / dt:.1f} containers/s", file=sys.stderr)
    s = print_table(f"throughput, {count} containers, {callers} callers", "containers/s", rows,
                    ref="crun" if "crun" in rows else None)
    res = {"stats": s, "targets": []}
    if "oci-rt" in s and "crun" in s:
        res["targets"].append(target("oci-rt p50 / crun p50 (containers/s)",
                                     s["oci-rt"]["p50"] / s["crun"]["p50"], 2.0, True))
    return res


# ---------------------------------------------------------------- big config

def big_config(env, rt, cid, size):
    """A config.json of about `size` bytes: the base config plus annotations."""
    b = os.path.join(env.work, "big", rt.name)
    env.config(rt, cid, bundle=b)
    if size:
        path = os.path.join(b, "config.json")
        with open(path) as f:
            cfg = json.load(f)
        have = os.path.getsize(path)
        k = max(1, (size - have) // 100)
        cfg["annotations"] = {f"org.example.k{i:08d}": "v" * 70 for i in range(k)}
        with open(path, "w") as f:
            json.dump(cfg, f)
    return b


def do_bigconfig(env, n, sizes_mb):
    env.header("peak RSS of run and create against config size (annotations pad the config)")
    rts = env.runtimes
    res = {"targets": [], "sizes": {}}
    for size_mb in [0] + sizes_mb:
        size = int(size_mb * 1024 * 1024)
        rows_run, rows_create = {rt.name: [] for rt in rts}, {rt.name: [] for rt in rts}
        real = 0
        rounds = n if size_mb == 0 else max(1, min(n, 3))
        for rnd in range(rounds):
            for rt in bl.rotated(rts, rnd):
                b = big_config(env, rt, f"{TAG}-b{rnd}", size)
                real = os.path.getsize(os.path.join(b, "config.json"))
                rows_run[rt.name].append(env.maxrss(rt, "run", f"{TAG}-b{rnd}r", b) / 1024)
                rows_create[rt.name].append(env.maxrss(rt, "create", f"{TAG}-b{rnd}c", b) / 1024)
        label = f"config.json {real / 1048576:.3f} MB"
        sr = print_table(f"peak RSS of run, {label}", "MB", rows_run, ref="oci-rt")
        sc = print_table(f"peak RSS of create, {label}", "MB", rows_create, ref="oci-rt")
        res["sizes"][real] = {"run": sr, "create": sc}
        if "oci-rt" not in sr:
            continue
        if size_mb == 0:
            res["targets"].append(target("oci-rt peak RSS of a normal run, max (MB)",
                                         sr["oci-rt"]["max"], 2.2))
        else:
            for op, s in (("run", sr), ("create", sc)):
                res["targets"].append(target(f"oci-rt peak RSS of {op} / config size ({size_mb} MB)",
                                             s["oci-rt"]["max"] * 1048576 / real, 5.0))
    return res


# ---------------------------------------------------------------- seccomp

def do_seccomp(env, n, profile):
    env.header(f"seccomp: a cache hit of {os.path.relpath(profile, REPO)} as a fraction of a run")
    with open(profile) as f:
        prof = json.load(f)
    rows = {}
    for rt in env.runtimes:
        rows[rt.name] = []
        rows[rt.name + "+seccomp"] = []
    ocirt = env.rt("oci-rt")
    tracef = os.path.join(env.work, "seccomp.trace")
    spans = []
    for rnd in range(n + 1):
        for rt in bl.rotated(env.runtimes, rnd):
            for sc in bl.rotated([False, True], rnd):
                b = os.path.join(env.work, "sc", rt.name + ("s" if sc else ""))
                if sc:
                    env.config(rt, "x", bundle=b, seccomp=prof)
                else:
                    env.config(rt, "x", bundle=b)
                t = env.run_once(rt, f"{TAG}-sc{rnd}{int(sc)}", bundle=b)
                if rnd:
                    rows[rt.name + ("+seccomp" if sc else "")].append(t)
        if ocirt and rnd:  # oci-rt's own spans of a warm hit, in a separate traced run
            b = os.path.join(env.work, "sc", "oci-rts")
            if os.path.exists(tracef):
                os.unlink(tracef)
            cid = f"{TAG}-sct{rnd}"
            ocirt.live.add(cid)
            bl.check(ocirt.cmd + ["--root", ocirt.root, "--trace", tracef, "run", "--bundle", b, cid])
            ocirt.live.discard(cid)
            with open(tracef) as f:
                sp = [json.loads(line) for line in f if line.strip()]
            top = [s for s in sp if s["proc"] == "runtime" and s["depth"] == 0]
            look = sum(s["dur"] for s in sp if s["name"] == "seccomp cache lookup")
            load = sum(s["dur"] for s in sp if s["name"] == "seccomp load")
            whole = bl.union_ns(top)
            spans.append((look / 1e6, load / 1e6, whole / 1e6))
    s = print_table("run of /bin/true, without and with the profile", "ms", rows, ref="oci-rt")
    res = {"stats": s, "targets": []}
    if ocirt:
        d = s["oci-rt+seccomp"]["p50"] - s["oci-rt"]["p50"]
        print(f"\noci-rt: p50 with the profile (cache warm) - p50 without = {d:.3f} ms")
        def med(v):
            v = sorted(v)
            return v[len(v) // 2], v[-1]
        look, load = med(x[0] for x in spans), med(x[1] for x in spans)
        fl, fb = med(x[0] / x[2] for x in spans), med((x[0] + x[1]) / x[2] for x in spans)
        print(f"oci-rt trace, {len(spans)} warm runs (ms p50 / max): cache lookup and hit "
              f"{look[0]:.3f} / {look[1]:.3f}; seccomp(2) load of the program in the init "
              f"{load[0]:.3f} / {load[1]:.3f} (the kernel's, paid by every runtime)")
        print(f"  fraction of the traced run: the hit p50 {fl[0]:.3f} (max {fl[1]:.3f}); "
              f"hit + load p50 {fb[0]:.3f} (max {fb[1]:.3f})")
        res["spans_ms"] = spans
        res["targets"].append(target("oci-rt cache hit / traced run (p50)", fl[0], 0.05))
        res["targets"].append(target("oci-rt cache hit + load / traced run (p50)", fb[0], 0.05))
        res["targets"].append(target("oci-rt run with the profile - without, / run without (p50)",
                                     max(d, 0) / s["oci-rt"]["p50"], 0.05))
    return res


# ---------------------------------------------------------------- engines

def wrapper(env, name, cmd):
    """An executable named `name` that execs cmd (so engines see the name)."""
    d = os.path.join(env.work, "wrap", name)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, name)
    argv, run_env = bl.split_env(cmd)
    exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in (run_env or {}).items()
                      if os.environ.get(k) != v)
    with open(p, "w") as f:
        f.write("#!/bin/sh\n" + exports + "exec " + shlex.join(argv) + ' "$@"\n')
    os.chmod(p, 0o755)
    return p


def start_dockerd(env, rootfs_tar, wrappers):
    D = os.path.join(env.work, "docker")
    for sub in ("data", "exec", "cli"):
        os.makedirs(os.path.join(D, sub))
    # "runc" is a reserved runtime name in dockerd: every one gets a prefix
    cfg = {"runtimes": {f"{TAG}-{n}": {"path": p} for n, p in wrappers.items()},
           "default-runtime": f"{TAG}-oci-rt", "data-root": f"{D}/data", "exec-root": f"{D}/exec",
           "pidfile": f"{D}/dockerd.pid", "hosts": [f"unix://{D}/docker.sock"],
           "iptables": False, "ip6tables": False, "bridge": "none", "ip-forward": False,
           "ip-masq": False, "userland-proxy": False,
           "exec-opts": ["native.cgroupdriver=cgroupfs"], "cgroup-parent": f"/{CG_PARENT}",
           "storage-driver": "overlay2",
           "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 1024},
                               "nproc": {"Name": "nproc", "Soft": 1024, "Hard": 1024}}}
    with open(f"{D}/daemon.json", "w") as f:
        json.dump(cfg, f)
    log = open(f"{D}/dockerd.log", "w")
    p = subprocess.Popen(["dockerd", "--config-file", f"{D}/daemon.json"], stdin=subprocess.DEVNULL,
                         stdout=log, stderr=log, start_new_session=True)
    dk = ["env", f"DOCKER_CONFIG={D}/cli", "docker", "-H", f"unix://{D}/docker.sock"]

    def stop():
        subprocess.run(["sh", "-c", f'{shlex.join(dk)} rm -f $({shlex.join(dk)} ps -aq) '],
                       capture_output=True, timeout=60)
        p.terminate()
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        try:
            with open(f"{D}/exec/containerd/containerd.pid") as f:
                cpid = int(f.read())
            for _ in range(100):
                os.kill(cpid, 0)
                time.sleep(0.1)
            os.kill(cpid, signal.SIGKILL)
        except (OSError, ValueError):
            pass
    env.cleanups.append(stop)
    for _ in range(600):
        if subprocess.run(dk + ["version"], capture_output=True).returncode == 0:
            break
        if p.poll() is not None:
            break
        time.sleep(0.1)
    else:
        raise bl.BenchError(f"dockerd did not come up; see {D}/dockerd.log")
    if p.poll() is not None:
        with open(f"{D}/dockerd.log") as f:
            raise bl.BenchError("dockerd exited: " + f.read()[-2000:])
    bl.check(dk + ["import", rootfs_tar, f"{TAG}:latest"])
    return dk


def podman_cmd(env, rootfs_tar):
    P = os.path.join(env.work, "podman")
    for sub in ("root", "run", "tmp", "net", "volumes"):
        os.makedirs(os.path.join(P, sub))
    with open(f"{P}/containers.conf", "w") as f:
        f.write(f'[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n'
                f'netns = "none"\ncgroupns = "host"\npids_limit = 0\n[engine]\ncgroup_manager = "cgroupfs"\n'
                f'events_logger = "file"\nevents_logfile_path = "{P}/events.log"\n'
                f'tmp_dir = "{P}/tmp"\nvolume_path = "{P}/volumes"\nnetwork_config_dir = "{P}/net"\n')
    with open(f"{P}/storage.conf", "w") as f:
        f.write(f'[storage]\ndriver = "overlay"\ngraphroot = "{P}/root"\nrunroot = "{P}/run"\n')
    pm = ["env", f"CONTAINERS_CONF={P}/containers.conf", f"CONTAINERS_STORAGE_CONF={P}/storage.conf",
          "podman", "--root", f"{P}/root", "--runroot", f"{P}/run", "--tmpdir", f"{P}/tmp",
          "--storage-driver", "overlay", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
          "--network-config-dir", f"{P}/net"]
    bl.check(pm + ["import", rootfs_tar, f"localhost/{TAG}:latest"])

    def stop():
        subprocess.run(pm + ["rm", "-af", "-t", "0"], capture_output=True, timeout=120)
        subprocess.run(pm + ["rmi", "-af"], capture_output=True, timeout=120)
    env.cleanups.append(stop)
    return pm


def do_engines(env, n, engines):
    env.header("engines: `ENGINE run --rm IMAGE true` with each runtime")
    tar = os.path.join(env.work, "rootfs.tar")
    bl.check(["bash", os.path.join(REPO, "tests", "lib", "mkrootfs.sh"),
              os.path.join(env.work, "imgroot"), "--tar", tar])
    wrappers = {rt.name: wrapper(env, rt.name, rt.cmd) for rt in env.runtimes}
    res = {"targets": []}
    for engine in engines:
        try:
            if engine == "docker":
                if not (shutil.which("dockerd") and shutil.which("docker")):
                    raise bl.BenchError("docker/dockerd not installed")
                dk = start_dockerd(env, tar, wrappers)
                argv = {n_: dk + ["run", "--rm", "--runtime", f"{TAG}-{n_}", "--network", "none",
                                  f"{TAG}:latest", "true"] for n_ in wrappers}
            else:
                if not shutil.which("podman"):
                    raise bl.BenchError("podman not installed")
                pm = podman_cmd(env, tar)
                # under this run's parent, which cleanup removes (podman's
                # default, /libpod_parent, would stay behind)
                argv = {n_: pm + ["--runtime", p, "run", "--rm", "--network", "none",
                                  "--cgroup-parent", f"/{CG_PARENT}/podman",
                                  f"localhost/{TAG}:latest", "true"] for n_, p in wrappers.items()}
        except bl.BenchError as e:
            print(f"\nSKIP {engine}: {e}")
            continue
        for name in list(argv):  # a runtime the engine cannot use is named and left out
            try:
                bl.timed(argv[name])
            except bl.BenchError as e:
                msg = [line for line in str(e).splitlines()[1:]
                       if line.strip() and not line.startswith("Run '")]
                print(f"\nnote: {engine} with {name} left out, its first run failed: "
                      f"{msg[-1] if msg else e}")
                del argv[name]
        rows = {k: [] for k in argv}
        for rnd in range(n + 1):
            for name in bl.rotated(list(argv), rnd):
                t = bl.timed(argv[name])[0] / 1e6
                if rnd:
                    rows[name].append(t)
        s = print_table(f"{engine} run --rm IMAGE true", "ms", rows, ref="oci-rt")
        res[engine] = s
        for other in ("crun", "runc"):
            if "oci-rt" in s and other in s:
                res["targets"].append(target(f"{engine}: oci-rt p50 / {other} p50",
                                             s["oci-rt"]["p50"] / s[other]["p50"], 1.0))
    return res


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["floor", "scale", "concurrency", "engines", "bigconfig",
                                     "seccomp", "all"])
    ap.add_argument("-n", type=int, default=None, help="timed rounds (default per subcommand)")
    ap.add_argument("--count", type=int, default=None,
                    help="scale: containers in the root (1000); concurrency: containers (200)")
    ap.add_argument("--callers", type=int, default=8, help="concurrency: concurrent callers (8)")
    ap.add_argument("--sizes", default="5,50", help="bigconfig: config sizes in MB (5,50)")
    ap.add_argument("--engine", action="append", help="engines: docker and/or podman (both)")
    ap.add_argument("--profile", default=DOCKER_PROFILE, help="seccomp: the profile (Docker's)")
    ap.add_argument("--also", action="append", default=[], metavar="NAME=COMMAND",
                    help="one more runtime (repeatable), e.g. oci-rt-old=/tmp/oci-rt.old")
    ap.add_argument("--json", help="write the figures to this file")
    a = ap.parse_args()
    bl.enter_private_cgroup(__file__)
    env = None

    def run():
        nonlocal env
        out = {}
        env = Env(a)
        what = ["floor", "seccomp", "bigconfig", "concurrency", "scale", "engines"] \
            if a.what == "all" else [a.what]
        for w in what:
            if w == "floor":
                out[w] = do_floor(env, a.n or 200)
            elif w == "scale":
                out[w] = do_scale(env, a.n or 30, a.count or 1000)
            elif w == "concurrency":
                out[w] = do_concurrency(env, a.n or 5, a.count or 200, a.callers)
            elif w == "bigconfig":
                out[w] = do_bigconfig(env, a.n or 10, [float(x) for x in a.sizes.split(",") if x])
            elif w == "seccomp":
                out[w] = do_seccomp(env, a.n or 50, a.profile)
            elif w == "engines":
                out[w] = do_engines(env, a.n or 20, a.engine or ["podman", "docker"])
            sys.stdout.flush()
        if a.json:
            with open(a.json, "w") as f:
                json.dump(out, f, indent=1, default=str)
        return 0

    def cleanup():
        if env:
            env.cleanup()
    return bl.guarded(run, cleanup)

if __name__ == "__main__":
    sys.exit(main())
