#!/usr/bin/env python3
"""layers.py SRC-DIR [OBJ-DIR] - check src/ against the floor rule of doc/ARCHITECTURE.md.

Prints one line per problem and exits 1 if there is any:
  - a C file or header outside a floor folder (src/x.c, src/unknown/x.c);
  - an include that points up, or sideways to a sibling on the same floor;
  - a bare include ("x.h") of a header that is not in the file's own folder;
  - an include circle between modules (x.c/x.h is the module x);
  - a file over MAX_LINES lines, a function body over MAX_FUNC lines;
  - with OBJ-DIR (the build's obj/, one object per module), the same floor
    rule and no circles for calls: object a uses a symbol object b defines
    (nm), which also sees a circle that goes through one shared header.
A function is counted from its opening brace in column 0 to the closing
brace in column 0, both included, which is the style of every file here.
"""
import os
import re
import sys

FLOORS = {
    "main": 5,
    "smtpd": 4, "tools": 4, "qrun": 4, "submit": 4,
    "smtp": 3, "local": 3,
    "mail": 2,
    "tls": 1, "dns": 1,
    "lib": 0,
}
MAX_LINES = 800
MAX_FUNC = 80
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def main(src, objdir=None):
    problems = []
    files = {}		# "folder/name.ext" -> text
    for root, _dirs, names in os.walk(src):
        for n in sorted(names):
            if not n.endswith((".c", ".h")):
                continue
            rel = os.path.relpath(os.path.join(root, n), src)
            parts = rel.split(os.sep)
            if len(parts) != 2 or parts[0] not in FLOORS:
                problems.append("%s: not in a floor folder (%s)" %
                                (rel, " ".join(sorted(FLOORS))))
                continue
            with open(os.path.join(src, rel), encoding="utf-8",
                      errors="replace") as f:
                files["/".join(parts)] = f.read()

    edges = {}		# module -> set of modules it includes
    for rel, text in sorted(files.items()):
        folder, name = rel.split("/")
        mod = folder + "/" + name.rsplit(".", 1)[0]
        edges.setdefault(mod, set())
        lines = text.split("\n")
        if len(lines) - 1 > MAX_LINES:
            problems.append("%s: %d lines, over %d" %
                            (rel, len(lines) - 1, MAX_LINES))
        check_functions(rel, lines, problems)
        for i, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            where = "%s:%d: #include \"%s\"" % (rel, i, inc)
            if "/" in inc:
                ifolder, iname = inc.split("/", 1)
                if ifolder not in FLOORS or "/" in iname:
                    problems.append(where + ": no such floor folder")
                    continue
                if ifolder == folder:
                    problems.append(where + ": a header of its own folder "
                                    "is included by its bare name")
                elif FLOORS[ifolder] == FLOORS[folder]:
                    problems.append(where + ": sideways (%s and %s are both "
                                    "on floor %d)" % (folder, ifolder,
                                                      FLOORS[folder]))
                elif FLOORS[ifolder] > FLOORS[folder]:
                    problems.append(where + ": upward (floor %d includes "
                                    "floor %d)" % (FLOORS[folder],
                                                   FLOORS[ifolder]))
            else:
                ifolder, iname = folder, inc
                if folder + "/" + inc not in files:
                    problems.append(where + ": not in %s/; name the folder"
                                    % folder)
                    continue
            imod = ifolder + "/" + iname.rsplit(".", 1)[0]
            if imod != mod:
                edges[mod].add(imod)

    for cycle in find_cycles(edges):
        problems.append("include circle: " + " -> ".join(cycle))
    if objdir:
        link_problems(objdir, problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


def link_problems(objdir, problems):
    import subprocess
    defs, uses = {}, {}
    for root, _dirs, names in os.walk(objdir):
        for n in sorted(names):
            if not n.endswith(".o"):
                continue
            rel = os.path.relpath(os.path.join(root, n), objdir)
            parts = rel.split(os.sep)
            if len(parts) != 2 or parts[0] not in FLOORS:
                continue
            mod = parts[0] + "/" + parts[1][:-2]
            out = subprocess.run(["nm", "-P", os.path.join(root, n)],
                                 capture_output=True, text=True,
                                 check=True).stdout
            uses[mod] = set()
            for line in out.splitlines():
                f = line.split()
                if len(f) < 2:
                    continue
                if f[1] == "U":
                    uses[mod].add(f[0])
                elif f[1] in ("T", "D", "B", "R", "C", "V", "W"):
                    defs.setdefault(f[0], mod)
    if not uses:
        problems.append("%s: no objects to check" % objdir)
        return
    edges = {}
    for mod, syms in uses.items():
        edges[mod] = set()
        for sym in syms:
            other = defs.get(sym)
            if other is None or other == mod:
                continue
            edges[mod].add(other)
            f, of = mod.split("/")[0], other.split("/")[0]
            if f != of and FLOORS[of] >= FLOORS[f]:
                problems.append("%s calls %s in %s: %s" % (
                    mod, sym, other,
                    "sideways" if FLOORS[of] == FLOORS[f] else "upward"))
    for cycle in find_cycles(edges):
        problems.append("call circle: " + " -> ".join(cycle))


def check_functions(rel, lines, problems):
    start = None
    for i, line in enumerate(lines, 1):
        if line.startswith("{"):
            start = i
        elif line.startswith("}") and start is not None:
            n = i - start + 1
            # a function's name is on the line before "{" or the one before
            head = lines[start - 2] if start >= 2 else ""
            if "=" not in head and "struct" not in head.split("(")[0] \
                    and n > MAX_FUNC:
                problems.append("%s:%d: function of %d lines, over %d (%s)"
                                % (rel, start, n, MAX_FUNC, head.strip()))
            start = None


def find_cycles(edges):
    """Every elementary circle once, as a list of modules, found by DFS."""
    seen_cycles = set()
    out = []
    state = {}

    def dfs(node, path):
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cyc = path[path.index(nxt):]
                key = frozenset(cyc)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    out.append(cyc + [nxt])
            elif state.get(nxt) is None:
                dfs(nxt, path)
        path.pop()
        state[node] = 2

    for n in sorted(edges):
        if n not in state:
            dfs(n, [])
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "src",
                  sys.argv[2] if len(sys.argv) > 2 else None))
