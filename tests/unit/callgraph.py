#!/usr/bin/env python3
"""No call cycle between the files of libcontainer/: from the symbol tables
of libcontainer.a's members (nm), file A depends on file B when A uses a symbol B defines;
a cycle in that graph fails the test and is printed with the symbols that tie
it. Run by `make check` (tests/unit/callgraph.sh) after the build."""
import os
import subprocess
import sys

top = sys.argv[1] if len(sys.argv) > 1 else "."
lib = os.path.join(top, "libcontainer.a")
if not os.path.exists(lib):
    print("SKIP: no libcontainer.a in %s (build first)" % top)
    sys.exit(77)
# the archive's members are the files of the build (no stale object of a
# file that was renamed or removed)
out = subprocess.run(["nm", lib], capture_output=True, text=True, check=True).stdout
defined, used, name = {}, {}, None
for line in out.splitlines():
    if line.endswith(".o:"):
        name = line[:-3] + ".c"
        used[name] = set()
        continue
    parts = line.split()
    if name is None or not parts:
        continue
    if len(parts) == 3 and parts[1] in "TDBRC":
        defined[parts[2]] = name
    elif len(parts) == 2 and parts[0] == "U":
        used[name].add(parts[1])
edges = {f: {} for f in used}
for f, syms in used.items():
    for s in syms:
        g = defined.get(s)
        if g and g != f:
            edges[f].setdefault(g, []).append(s)

# Tarjan's strongly connected components
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)
def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))
for v in sorted(edges):
    if v not in index:
        visit(v)
if not sccs:
    print("callgraph: %d files of libcontainer/, no call cycle" % len(edges))
    sys.exit(0)
for comp in sccs:
    print("call cycle between %d files:" % len(comp))
    for f in comp:
        for g, syms in sorted(edges[f].items()):
            if g in comp:
                print("  libcontainer/%s -> libcontainer/%s: %s" % (f, g, ", ".join(sorted(syms))))
sys.exit(1)
