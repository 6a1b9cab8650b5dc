#!/usr/bin/env python3
"""The shape of a crate's source: which files import which, the loops among them, and the
files over a size limit. Used by scripts/test.d/15-structure.sh to keep the core a staircase
(no import loop among its files, no source file over ~700 lines unless it is data), and by
hand to measure the other crates (`scripts/dev/structure.py mock/src`).

A file imports another when it names a path into it: `use crate::a::b::C`, `crate::a::f()`,
`super::x` or `self::x`. A re-export (`pub use`) counts too, since it is an import all the same.
"""
import argparse
import os
import re
import sys

PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_GROUP = re.compile(r"\buse\s+(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\}", re.S)


def module_files(src):
    """Maps a module path (tuple of names) to its file, for every .rs file under src."""
    modules = {}
    for root, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel in (["lib"], ["main"]):
                parts = ()
            elif rel[-1] == "mod":
                parts = tuple(rel[:-1])
            else:
                parts = tuple(rel)
            modules[parts] = path
    return modules


def strip(text):
    """Source without comments, string literals or `#[cfg(test)] mod tests { … }` blocks."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    cut = re.search(r"#\[cfg\(test\)\]\s*mod\s+tests\s*\{", text)
    return text[: cut.start()] if cut else text


def resolve(modules, here, head, rest):
    """The file a path lands in: the longest module prefix that is a file of the crate."""
    if head == "crate":
        base = ()
    elif head == "self":
        base = here
    else:  # super
        base = here[:-1]
    names = tuple(n for n in rest.split("::") if n)
    for cut in range(len(names), -1, -1):
        candidate = base + names[:cut]
        if candidate in modules:
            return candidate
    return None


def graph(src):
    modules = module_files(src)
    edges = {m: set() for m in modules}
    for module, path in modules.items():
        text = strip(open(path, encoding="utf-8").read())
        paths = [(h, r) for h, r in PATH.findall(text)]
        for head, prefix, group in USE_GROUP.findall(text):
            for item in re.split(r",", group):
                item = item.strip().split(" as ")[0].strip()
                if item and item != "self":
                    paths.append((head, prefix + "::" + item.replace("{", "").strip()))
        for head, rest in paths:
            target = resolve(modules, module, head, rest)
            if target is not None and target != module:
                # A module's own children are below it, not an import up or across.
                if target[: len(module)] == module and len(target) > len(module) and head == "self":
                    continue
                edges[module].add(target)
    return modules, edges


def loops(edges):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

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
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("src", help="a crate's source folder, e.g. core/src")
    parser.add_argument("--max-lines", type=int, default=0, help="fail on a longer file")
    parser.add_argument("--allow-long", action="append", default=[], help="a data file exempt from --max-lines")
    parser.add_argument("--no-loops", action="store_true", help="fail on any import loop")
    args = parser.parse_args()
    modules, edges = graph(args.src)
    found = loops(edges)
    name = lambda m: os.path.relpath(modules[m], args.src)
    print(f"{args.src}: {len(modules)} files, {sum(len(e) for e in edges.values())} imports between them, "
          f"{len(found)} loop(s)")
    for component in found:
        print("  loop of %d files: %s" % (len(component), ", ".join(sorted(name(m) for m in component))))
    long_files = []
    for module, path in sorted(modules.items(), key=lambda kv: kv[1]):
        lines = sum(1 for _ in open(path, encoding="utf-8"))
        rel = os.path.relpath(path, args.src)
        if args.max_lines and lines > args.max_lines and rel not in args.allow_long:
            long_files.append(f"{rel} ({lines} lines)")
    for entry in long_files:
        print(f"  over {args.max_lines} lines: {entry}")
    failed = (args.no_loops and found) or long_files
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
