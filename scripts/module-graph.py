#!/usr/bin/env python3
"""The module graph of every crate under crates/, and its cycles.

For each crate, the modules are found from the `mod` declarations of `src/lib.rs` (or
`src/main.rs`); an edge `a -> b` means that module `a` names module `b` through a `use` or a path
that starts with `crate::`, `super::`, `self::` or a child module's name. Names re-exported with
`pub use` lead to the module that defines them (`use crate::Budget` in conv-core is an edge to
`options`), so a facade such as `components/mod.rs` is not a dependency of what it re-exports.
Inline modules (`mod tests { ... }`) count as part of their file's module; edges that only test
code draws are marked `(test)` but count all the same.

Prints each crate's edges and exits non-zero, listing them, when any modules depend on each
other in a cycle.

Usage: python3 scripts/module-graph.py [REPO_ROOT]   (default: the repository of this script)
"""

import re
import sys
from pathlib import Path

ROOT_NAME = "crate"


def strip_code(text):
    """The text with comments, string and char literals blanked (lengths and newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif (m := re.compile(r'b?r(#*)"').match(text, i)) and (
            i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")
        ):
            end = text.find('"' + m.group(1), m.end())
            j = n if end < 0 else end + 1 + len(m.group(1))
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'" and (m := re.compile(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'\n])'").match(text, i)):
            out.append(" " * (m.end() - i))
            i = m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching_brace(code, open_at):
    depth = 0
    for j in range(open_at, len(code)):
        if code[j] == "{":
            depth += 1
        elif code[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(code)


def split_top(text, sep=","):
    """Splits at `sep` outside braces."""
    parts, depth, cur = [], 0, []
    for c in text:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if c == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def expand_use_tree(tree, prefix=()):
    """`a::{b, c::{d, e as f}}` -> [(['a','b'], 'b'), (['a','c','d'], 'd'), (['a','c','e'], 'f')]."""
    tree = re.sub(r"\s+", " ", tree).strip()
    if tree.startswith("::"):
        tree = tree[2:]
    if tree.startswith("{") and tree.endswith("}"):
        result = []
        for part in split_top(tree[1:-1]):
            result += expand_use_tree(part, prefix)
        return result
    head, sep, rest = tree.partition("::")
    head = head.strip()
    if sep:
        return expand_use_tree(rest.strip(), prefix + (head,))
    name, _, alias = head.partition(" as ")
    name = name.strip()
    path = list(prefix) + [name]
    return [(path, alias.strip() or name)]


class Module:
    def __init__(self, path, file):
        self.path = path  # tuple of names; () for the crate root
        self.file = file
        self.children = {}  # name -> path
        self.uses = []  # (segments, alias, is_pub, is_test, inline stack)
        self.paths = []  # (segments, is_test, inline stack): paths outside `use`


def module_name(path):
    return "::".join(path) if path else ROOT_NAME


def child_file(parent_file, is_dir_owner, name):
    base = parent_file.parent if is_dir_owner else parent_file.with_suffix("")
    for candidate in (base / f"{name}.rs", base / name / "mod.rs"):
        if candidate.exists():
            return candidate
    return None


MOD_DECL = re.compile(r"\bmod\s+(r#)?(\w+)\s*;")
INLINE_MOD = re.compile(r"\bmod\s+(r#)?(\w+)\s*\{")
USE = re.compile(r"(?<![\w$])(pub(?:\s*\([^)]*\))?\s+)?use\s+([^;]+);")
PATH = re.compile(r"(?<![\w:$])(\$?crate|super|self|[a-z_][a-z0-9_]*)((?:\s*::\s*\w+)+)")
CFG_TEST = re.compile(r"#\[cfg\(test\)\]\s*(#\[[^\]]*\]\s*)*(pub(\([^)]*\))?\s+)?$")


def load_crate(root_file):
    modules = {}

    def visit(path, file):
        code = strip_code(file.read_text(encoding="utf-8"))
        mod = Module(path, file)
        modules[path] = mod
        owner = file.name in ("mod.rs", "lib.rs", "main.rs")
        # Inline modules: their spans, to resolve `super::` and to mark test code.
        inline = []
        for m in INLINE_MOD.finditer(code):
            open_at = m.end() - 1
            is_test = bool(CFG_TEST.search(code[max(0, m.start() - 200) : m.start()]))
            inline.append((m.start(), matching_brace(code, open_at), m.group(2), is_test))

        def context(pos):
            stack = [(name, test) for start, end, name, test in inline if start < pos < end]
            return [name for name, _ in stack], any(test for _, test in stack)

        for m in MOD_DECL.finditer(code):
            name = m.group(2)
            stack, _ = context(m.start())
            if stack:
                continue
            f = child_file(file, owner, name)
            if f is not None:
                mod.children[name] = path + (name,)
        spans = []
        for m in USE.finditer(code):
            stack, is_test = context(m.start())
            for segments, alias in expand_use_tree(m.group(2)):
                mod.uses.append((segments, alias, bool(m.group(1)), is_test, stack))
            spans.append((m.start(), m.end()))
        rest = list(code)
        for start, end in spans:
            rest[start:end] = " " * (end - start)
        rest = "".join(rest)
        for m in PATH.finditer(rest):
            segments = [m.group(1)] + [s.strip() for s in m.group(2).split("::") if s.strip()]
            stack, is_test = context(m.start())
            mod.paths.append((segments, is_test, stack))
        for name, child in mod.children.items():
            visit(child, child_file(file, owner, name))

    visit((), root_file)
    return modules


class Graph:
    def __init__(self, modules):
        self.modules = modules
        self.resolving = set()

    def start(self, module, stack, first):
        """The module a path's first segment names, or None for another crate."""
        here = module.path + tuple(stack)
        if first in ("crate", "$crate"):
            return ()
        if first == "self":
            return here
        if first == "super":
            return here[:-1]
        if not stack and first in module.children:
            return module.children[first]
        return None

    def file_module(self, path):
        """The deepest module with a file that `path` lies in."""
        while path not in self.modules:
            path = path[:-1]
        return path

    def resolve(self, module, stack, segments):
        """The module that defines what `segments` names, from `module`; None if outside."""
        segments = list(segments)
        at = self.start(module, stack, segments[0])
        if at is None:
            return None
        rest = segments[1:]
        while rest and rest[0] == "super":
            at, rest = at[:-1], rest[1:]
        at = self.file_module(at)
        while rest:
            name = rest[0]
            mod = self.modules[at]
            if name in mod.children:
                at, rest = mod.children[name], rest[1:]
                continue
            target = self.reexport(at, name)
            if target is not None:
                return target
            break
        return at

    def reexport(self, path, name):
        """Where module `path` takes the name it re-exports as `name` from, if it does."""
        key = (path, name)
        if key in self.resolving:
            return None
        self.resolving.add(key)
        try:
            mod = self.modules[path]
            for segments, alias, is_pub, _, stack in mod.uses:
                if is_pub and alias == name and segments[-1] != "*":
                    return self.resolve(mod, stack, segments)
            return None
        finally:
            self.resolving.discard(key)

    def edges(self):
        """{(a, b): test_only}"""
        found = {}

        def add(a, b, is_test):
            if b is None or a == b:
                return
            found[(a, b)] = found.get((a, b), True) and is_test

        for mod in self.modules.values():
            for segments, alias, _, is_test, stack in mod.uses:
                if segments[-1] in ("self", "*"):
                    target = self.resolve(mod, stack, segments[:-1]) if len(segments) > 1 else None
                else:
                    target = self.resolve(mod, stack, segments)
                add(mod.path, target, is_test)
            for segments, is_test, stack in mod.paths:
                add(mod.path, self.resolve(mod, stack, segments), is_test)
        return found


def cycles(nodes, edges):
    """Strongly connected components of more than one module (Tarjan), each with one cycle."""
    succ = {n: sorted(b for (a, b) in edges if a == n) for n in nodes}
    index, low, on_stack, stack, comps = {}, {}, set(), [], []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in succ[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            strong(v)
    result = []
    for comp in sorted(comps):
        members = set(comp)
        # One concrete cycle: a shortest way back to the first member.
        first = comp[0]
        paths, seen, cycle = [[first]], {first}, None
        while paths and cycle is None:
            nxt = []
            for p in paths:
                for w in succ[p[-1]]:
                    if w == first:
                        cycle = p + [first]
                        break
                    if w in members and w not in seen:
                        seen.add(w)
                        nxt.append(p + [w])
                if cycle:
                    break
            paths = nxt
        result.append((comp, cycle))
    return result


def crate_roots(repo):
    for crate in sorted((repo / "crates").iterdir()):
        src = crate / "src"
        for root in ("lib.rs", "main.rs"):
            f = src / root
            if f.exists():
                # A binary next to a library is its own crate; it matters only if it has modules.
                if root == "main.rs" and (src / "lib.rs").exists():
                    if not MOD_DECL.search(strip_code(f.read_text(encoding="utf-8"))):
                        continue
                yield crate.name + (" (bin)" if root == "main.rs" and (src / "lib.rs").exists() else ""), f


def main(argv):
    repo = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    problems = []
    for name, root in crate_roots(repo):
        modules = load_crate(root)
        graph = Graph(modules)
        edges = graph.edges()
        names = {p: module_name(p) for p in modules}
        print(f"{name} ({root.relative_to(repo)}): {len(modules)} modules")
        for path in sorted(modules, key=lambda p: names[p]):
            deps = sorted((b for (a, b) in edges if a == path), key=lambda p: names[p])
            if not deps:
                continue
            text = ", ".join(names[d] + (" (test)" if edges[(path, d)] else "") for d in deps)
            print(f"  {names[path]} -> {text}")
        found = cycles([names[p] for p in modules], {(names[a], names[b]) for (a, b) in edges})
        if not found:
            print("  no cycles")
        for comp, cycle in found:
            line = f"{name}: cycle: {' <-> '.join(comp)}  (e.g. {' -> '.join(cycle)})"
            print("  " + line.split(": ", 1)[1])
            problems.append(line)
        print()
    if problems:
        print("import cycles:", file=sys.stderr)
        for line in problems:
            print("  " + line, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
