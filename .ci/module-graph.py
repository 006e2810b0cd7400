#!/usr/bin/env python3
"""The module graph of api/src, and its circles.

Each file is a module; an edge goes from a module to every module it names through
`crate::…` or `super::…` paths (comments and `#[cfg(test)] mod tests` blocks aside). A circle
(a strongly connected component of more than one module) is allowed only inside one module
and its children (e.g. `agent::provider` and `agent::demo`); anything larger fails.

    .ci/module-graph.py [api/src]            the largest circles; exit 1 if one is not allowed
    .ci/module-graph.py api/src --edges M,N  also what modules M and N depend on
"""
import os
import re
import sys


def modules(root):
    found = {}
    for directory, _, names in os.walk(root):
        for name in names:
            if not name.endswith('.rs'):
                continue
            path = os.path.join(directory, name)
            parts = os.path.relpath(path, root)[:-3].split(os.sep)
            if parts[-1] == 'mod':
                parts = parts[:-1]
            if parts in (['lib'], ['main']):
                parts = []
            found['::'.join(parts)] = path
    return found


PATH = r'[a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*'


def edges_of(files):
    names = set(files)

    def resolve(path):
        segments = path.split('::')
        for end in range(len(segments), 0, -1):
            candidate = '::'.join(segments[:end])
            if candidate in names:
                return candidate
        return None

    edges = {module: set() for module in files}
    for module, path in files.items():
        source = open(path, encoding='utf-8').read()
        tests = source.find('#[cfg(test)]\nmod tests')
        if tests >= 0:
            source = source[:tests]
        source = re.sub(r'//[^\n]*', '', source)
        base = module.split('::') if module else []
        targets = [m.group(1) for m in re.finditer(r'crate::(' + PATH + ')', source)]
        for group in re.finditer(r'use crate::\{([^;]*)\};', source, re.S):
            targets += re.findall(r'(?:^|[,{\s])(' + PATH + ')', group.group(1))
        relative = [m.group(1) for m in re.finditer(r'super::(' + PATH + ')', source)]
        for group in re.finditer(r'use super::\{([^;]*)\};', source, re.S):
            relative += re.findall(r'(?:^|[,{\s])(' + PATH + ')', group.group(1))
        targets += ['::'.join(base[:-1] + name.split('::')) for name in relative]
        for target in targets:
            resolved = resolve(target)
            if resolved is not None and resolved != module:
                edges[module].add(resolved)
    return edges


def circles(edges):
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found, key=len, reverse=True)


def within_one_module(circle):
    """Every member is one module or its descendant (they share a first segment at least)."""
    return len({member.split('::')[0] for member in circle}) == 1 and all(circle)


def main():
    arguments = [a for a in sys.argv[1:] if not a.startswith('--')]
    root = arguments[0] if arguments else 'api/src'
    files = modules(root)
    edges = edges_of(files)
    found = circles(edges)
    print(f'modules: {len(files)}')
    print(f'largest circle: {len(found[0]) if found else 1}')
    bad = [circle for circle in found if not within_one_module(circle)]
    for circle in found:
        verdict = 'allowed (one module and its children)' if circle not in bad else 'NOT ALLOWED'
        print(f'  {len(circle)} {verdict}: {", ".join(circle)}')
    if '--edges' in sys.argv:
        wanted = sys.argv[sys.argv.index('--edges') + 1].split(',')
        for module in wanted:
            print(f'{module} -> {", ".join(sorted(edges.get(module, ())))}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
