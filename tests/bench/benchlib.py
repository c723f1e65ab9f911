"""What the benchmarks here share (lifecycle.py, targets.py): the runtimes
under test, timed and untimed commands, the rootfs and helper programs they
need, percentiles, and the private cgroup2 view they run in.

Standard library only.
"""
import json, math, os, shlex, shutil, signal, subprocess, sys, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIM_SRC = os.environ.get("OCIRT_MEMLOCK_SHIM_SRC",
                          os.path.join(REPO, "contrib", "memlock-shim", "memlock-shim.c"))
NS_MARKER = "OCIRT_BENCH_PRIVATE_NS"
TIMEOUT = 30  # seconds, for every subprocess
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


def split_env(argv):
    """A command `env NAME=VALUE... PROGRAM ARG...` (crun under the memlock
    shim), alone or after the peak-RSS helper's two arguments, as (the
    command without `env NAME=VALUE...`, the environment to spawn it with;
    None: this process's). The variables go into the spawn instead of a
    program of their own: env's exec and dynamic loading, 1 to 2 ms on the
    project's machine, were timed as crun's."""
    at = 0 if argv[:1] == ["env"] else 2 if (argv[:1] == [MAXRSS_HELPER] and MAXRSS_HELPER and
                                              argv[2:3] == ["env"]) else None
    if at is None:
        return argv, None
    env, i = dict(os.environ), at + 1
    while i < len(argv) and "=" in argv[i] and not argv[i].startswith("-"):
        k, _, v = argv[i].partition("=")
        env[k] = v
        i += 1
    return argv[:at] + argv[i:], env


def check(argv, **kw):
    """Untimed helper command: returns CompletedProcess, raises on failure."""
    try:
        run_argv, env = split_env(argv)
        r = subprocess.run(run_argv, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=TIMEOUT, env=env, **kw)
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
    run_argv, env = split_env(argv)
    with tempfile.TemporaryFile() as errf:
        p = None
        signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
        try:
            t0 = time.perf_counter_ns()
            p = subprocess.Popen(run_argv, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=errf, env=env)
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
    """A runtime's command, with its own --root state directory and bundle
    directory under workdir."""

    def __init__(self, name, cmd, workdir):
        self.name, self.cmd = name, cmd
        self.root = os.path.join(workdir, "state", name)
        self.bundle = os.path.join(workdir, "bundle", name)
        os.makedirs(self.root)
        os.makedirs(self.bundle)
        self.live = set()  # container ids that may still exist

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



def crun_command(workdir):
    """crun under the memlock shim (LD_PRELOAD), built into workdir; plain
    crun when the shim cannot be built; None when crun is not installed."""
    if not shutil.which("crun"):
        return None
    shim = compile_c(workdir, "memlock-shim.so", SHIM_SRC, "-shared", "-fPIC", "-ldl")
    return ["env", f"LD_PRELOAD={shim}", "crun"] if shim else ["crun"]


def cpu_model():
    return next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                 if l.startswith("model name")), "?")


def remove_cgroup_tree(root):
    """rmdir root and every cgroup below it, leaves first (a warning for each
    one that stays)."""
    if not os.path.isdir(root):
        return
    for dirpath, _, _ in os.walk(root, topdown=False):
        try:
            os.rmdir(dirpath)
        except OSError as e:
            print(f"warning: cannot remove cgroup {dirpath}: {e}", file=sys.stderr)


def enter_private_cgroup(script):
    """Re-execute script (once, marked by NS_MARKER) in a private mount
    namespace whose /sys/fs/cgroup is a plain cgroup2 mount (crun refuses
    hybrid hosts); then check that it is one."""
    if os.environ.get(NS_MARKER) != "1":
        env = dict(os.environ, **{NS_MARKER: "1"})
        argv = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"', "sh",
                sys.executable, os.path.abspath(script)] + sys.argv[1:]
        os.execvpe("unshare", argv, env)
    if not os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        raise SystemExit("error: /sys/fs/cgroup is not a cgroup2 mount inside the namespace")


def guarded(body, cleanup):
    """body() with the benchmarks' exit statuses: its own, 1 on BenchError, 130
    on Ctrl-C or SIGTERM (timed() raises CmdTimeout on SIGALRM); cleanup()
    runs last either way, with SIGINT and SIGTERM ignored."""
    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    try:
        return body()
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted, cleaning up", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        cleanup()


# ---------------------------------------------------------------- figures

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



def nearest_rank(sorted_vals, p):
    return sorted_vals[max(1, math.ceil(p / 100 * len(sorted_vals))) - 1]



def rotated(items, rnd):
    """items starting at rnd (mod len): the order of the runtimes in round rnd."""
    k = rnd % len(items)
    return items[k:] + items[:k]
