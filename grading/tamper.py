"""Static checks of the code a student wrote, done outside the kernel (so the student's code
cannot talk its way out of them): what in it could forge a grade or reach outside the sandbox.

A finding makes the submission ``suspicious``; it is still graded, and a person decides.
The checks flag means, not intent: honest answers to the course's exercises need none of them.
"""
from __future__ import annotations

import ast
import builtins

from .lint import python_source

MODULES = {
    "ctypes": "raw memory access", "cffi": "raw memory access", "gc": "object introspection",
    "inspect": "frame introspection", "importlib": "dynamic imports", "builtins": "the builtins",
    "IPython": "the kernel's machinery", "ipykernel": "the kernel's machinery",
    "signal": "signal handlers", "subprocess": "running programs", "pty": "running programs",
    "socket": "the network", "urllib": "the network", "http": "the network",
    "requests": "the network", "ftplib": "the network", "smtplib": "the network",
    "sqlite3": "databases (the gradebook is one)", "resource": "resource limits",
}
CALLS = {"exec", "eval", "compile", "__import__", "globals", "vars", "setattr", "delattr",
         "get_ipython", "breakpoint"}
MODULE_ATTRIBUTES = {
    "os": {"_exit", "kill", "killpg", "system", "popen", "fork", "forkpty", "execv", "execve",
           "execl", "execvp", "spawnl", "spawnv", "abort", "setuid", "chroot"},
    "sys": {"modules", "settrace", "setprofile", "excepthook", "displayhook", "_getframe",
            "meta_path", "path_hooks"},
}
INTROSPECTION = {"__dict__", "__globals__", "__code__", "__builtins__", "__subclasses__",
                 "__closure__", "f_globals", "f_locals", "f_back", "gi_frame", "tb_frame",
                 "__getattribute__", "__setattr__"}
BUILTIN_NAMES = set(dir(builtins))


def imported_names(tree: ast.AST) -> dict[str, str]:
    """Local name -> module (or module.attr) for every import in ``tree``."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001 - only used in messages
        return "?"


def _outside_path(value: str) -> bool:
    return (len(value) > 1 and value[0] == "/" and (value[1].isalnum() or value[1] in "._")) \
        or value.startswith(("../", "~/")) or "/../" in value


def _bound_at_top(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    """Names a cell binds in the notebook's namespace: top-level assignments, defs, classes,
    imports, and ``global`` names assigned inside functions."""
    bound = []
    globals_declared = {n for node in ast.walk(tree) if isinstance(node, ast.Global)
                        for n in node.names}
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With)):
            targets = [node]
        for target_node in targets:
            for name_node in ast.walk(target_node):
                if isinstance(name_node, ast.Name) and isinstance(name_node.ctx, ast.Store):
                    bound.append((name_node.id, node))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.append((node.name, node))
    top_level = {id(n) for n in tree.body}
    return [(name, node) for name, node in bound
            if id(node) in top_level or name in globals_declared]


def scan_cell(source: str, protected: dict[str, str]) -> list[str]:
    """Findings for one student-written code cell. ``protected`` maps the names the locked
    cells import (``np`` -> ``numpy``) to their modules; rebinding them is a finding."""
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError:
        return []  # it will fail when run; nothing can be hidden in code that does not parse
    findings = []
    known = {**protected, **imported_names(tree)}
    for local, module in imported_names(tree).items():
        top = module.split(".")[0]
        if top in MODULES:
            findings.append(f"imports {module} ({MODULES[top]})")
        if local in protected and protected[local] != module:
            findings.append(f"rebinds {local}, which the notebook imports as {protected[local]}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in CALLS:
            findings.append(f"calls {node.func.id}()")
        elif isinstance(node, ast.Attribute):
            root = _root_name(node)
            module = known.get(root, "").split(".")[0] if root else ""
            if node.attr in INTROSPECTION:
                findings.append(f"uses {_dotted(node)} (introspection)")
            elif isinstance(node.value, ast.Name) \
                    and node.attr in MODULE_ATTRIBUTES.get(module, ()):
                findings.append(f"uses {module}.{node.attr}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, (ast.Attribute, ast.Subscript)) \
                        and _root_name(target) in known:
                    findings.append(f"assigns to {_dotted(target)}, part of an imported module")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and _outside_path(node.value):
            findings.append(f"refers to {node.value!r}, outside the submission folder")
    for name, _ in _bound_at_top(tree):
        if name in protected and name not in imported_names(tree):
            findings.append(f"rebinds {name}, which the notebook imports as {protected[name]}")
        elif name in BUILTIN_NAMES:
            findings.append(f"replaces the builtin {name}")
    return list(dict.fromkeys(findings))
