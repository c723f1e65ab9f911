#!/usr/bin/python3
"""Makes a runnable config.json from a foreign fixture (see README.md).

  instantiate.py FIXTURE OUT [--root REL] [--force-root PATH] [--engine-dir DIR]
                 [--hook PATH] [--sub NAME=VALUE]... [--json NAME=FILE]...
                 [--set DOTTED.PATH=JSON]...

Prints root.path as it ends up in OUT.

--root REL       root.path becomes REL when the fixture's is absolute or @ROOTFS@
--force-root P   root.path becomes P in any case
--engine-dir D   makes every mount source @ENGINE_FILE@/... (a file) and
                 @ENGINE_DIR@/... (a directory) under D (give the same --sub
                 ENGINE_FILE=D and ENGINE_DIR=D)
--hook PATH      a hook whose path is /proc/@HOST_PID@/... (a binary of the
                 engine's daemon) becomes PATH
--sub NAME=VAL   @NAME@ becomes VAL inside every string
--json NAME=FILE a string that is exactly @NAME@ becomes the JSON in FILE
--set P=JSON     sets the field at dotted path P (e.g. process.terminal=false)

Python's json keeps every number as written (jq 1.6 would turn
18446744073709551615 into a float).  Fails when a placeholder is left.
"""
import json
import os
import re
import sys

PLACEHOLDER = re.compile(r"@[A-Z0-9_]+@")


def walk(v, fn):
    if isinstance(v, dict):
        return {k: walk(x, fn) for k, x in v.items()}
    if isinstance(v, list):
        return [walk(x, fn) for x in v]
    return fn(v)


def main(argv):
    src, out, opts = argv[1], argv[2], argv[3:]
    with open(src) as f:
        cfg = json.load(f)
    subs, blobs, sets, root, hook, force_root, engine = {}, {}, [], None, None, None, None
    for i in range(0, len(opts), 2):
        opt, val = opts[i], opts[i + 1]
        if opt == "--root":
            root = val
        elif opt == "--force-root":
            force_root = val
        elif opt == "--engine-dir":
            engine = val
        elif opt == "--hook":
            hook = val
        elif opt == "--sub":
            k, v = val.split("=", 1)
            subs["@%s@" % k] = v
        elif opt == "--json":
            k, v = val.split("=", 1)
            with open(v) as f:
                blobs["@%s@" % k] = json.load(f)
        elif opt == "--set":
            k, v = val.split("=", 1)
            sets.append((k.split("."), json.loads(v)))
        else:
            sys.exit("instantiate.py: unknown option " + opt)
    r = cfg.get("root") or {}
    if root is not None and (r.get("path", "").startswith("/") or r.get("path") == "@ROOTFS@"):
        r["path"] = root
    if force_root is not None:
        r["path"] = force_root
    for hooks in (cfg.get("hooks") or {}).values():
        for h in hooks if isinstance(hooks, list) else []:
            if hook and h.get("path", "").startswith("/proc/@HOST_PID@/"):
                h["path"] = hook

    def fix(v):
        if not isinstance(v, str):
            return v
        if v in blobs:
            return blobs[v]
        for k, x in subs.items():
            v = v.replace(k, x)
        return v

    if engine is not None:
        for m in cfg.get("mounts") or []:
            src = m.get("source") or ""
            for tag, isdir in (("@ENGINE_DIR@", True), ("@ENGINE_FILE@", False)):
                if src.startswith(tag):
                    path = engine + fix(src[len(tag):])
                    os.makedirs(path if isdir else os.path.dirname(path), exist_ok=True)
                    if not isdir:
                        with open(path, "w") as f:
                            f.write("# %s\n" % os.path.basename(src))
    cfg = walk(cfg, fix)
    for path, val in sets:
        d = cfg
        for k in path[:-1]:
            d = d.setdefault(k, {})
        d[path[-1]] = val
    text = json.dumps(cfg, indent=1)
    left = sorted(set(PLACEHOLDER.findall(text)))
    if left:
        sys.exit("instantiate.py: %s: placeholders left: %s" % (src, " ".join(left)))
    with open(out, "w") as f:
        f.write(text + "\n")
    print((cfg.get("root") or {}).get("path", ""))


if __name__ == "__main__":
    main(sys.argv)
