#!/usr/bin/env python3
"""Import loops among a Rust crate's source files, from their `use crate::…` statements.

Usage: scripts/import-loops.py [--inline] [--mods] mock/src [core/src …]

Each file is a module (`a/b.rs` and `a/b/mod.rs` are `crate::a::b`); a `use crate::x::y::Z`
is an arrow to the deepest module file the path names. Paths written inline (`crate::x::f()`)
are arrows too with `--inline`, and a parent's `mod child;` declarations with `--mods` (the
review of `e016280` counted both). Prints,
per source folder, the files, the arrows and every loop (a strongly connected set of two or
more files), largest first.
"""

import re
import sys
from pathlib import Path


def module_of(root: Path, path: Path) -> tuple:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "mod" or (len(parts) == 1 and parts[0] in ("lib", "main")):
        parts = parts[:-1]
    return tuple(parts)


def expand(tree: str) -> list:
    """`a::{b, c::{d, e}}` → ["a::b", "a::c::d", "a::c::e"]."""
    tree = tree.strip()
    if "{" not in tree:
        return [tree] if tree else []
    head, rest = tree.split("{", 1)
    body = rest[: rest.rfind("}")]
    items, depth, current = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            items.append(current)
            current = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        current += ch
    items.append(current)
    return [head + leaf for item in items for leaf in expand(item)]


def arrows(root: Path, inline: bool, mods: bool) -> dict:
    files = {module_of(root, p): p for p in sorted(root.rglob("*.rs"))}
    graph = {m: set() for m in files}
    for module, path in files.items():
        text = re.sub(r"//[^\n]*", "", path.read_text())
        trees = re.findall(r"\buse\s+crate::([^;]*);", text, re.S)
        if inline:
            body = re.sub(r"\buse\s+crate::[^;]*;", "", text, flags=re.S)
            trees += re.findall(r"\bcrate((?:::[A-Za-z_][A-Za-z0-9_]*)+)", body)
            trees = [t.lstrip(":") for t in trees]
        if mods:
            trees += ["::".join(module + (m,)) for m in re.findall(r"^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+([a-z_0-9]+)\s*;", text, re.M)]
        for tree in trees:
            for used in expand(tree):
                parts = tuple(p.strip() for p in used.split("::") if p.strip())
                parts = tuple(p.split(" as ")[0].strip() for p in parts)
                while parts and parts not in files:
                    parts = parts[:-1]
                if parts and parts != module:
                    graph[module].add(parts)
    return graph


def loops(graph: dict) -> list:
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
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
                out.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return sorted(out, key=len, reverse=True)


def name(module: tuple) -> str:
    return "/".join(module) or "(crate root)"


args = sys.argv[1:]
inline, mods = "--inline" in args, "--mods" in args
for folder in [a for a in args if not a.startswith("--")] or ["mock/src"]:
    graph = arrows(Path(folder), inline, mods)
    found = loops(graph)
    count = sum(len(g) for g in graph.values())
    print(f"{folder}: {len(graph)} files, {count} arrows, {len(found)} loop(s)")
    for component in found:
        print(f"  loop of {len(component)} files: {', '.join(name(m) for m in component)}")
