"""The shape the code keeps: no import through the package root, imports point one way,
and the command line starts without loading heavy libraries."""

from __future__ import annotations

import ast
import subprocess
import sys

from .conftest import ROOT

PACKAGE = ROOT / "qualcode"
HEAVY = ("pandas", "numpy", "sklearn", "scipy", "torch", "spacy", "sentence_transformers", "matplotlib")


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield node


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _target(path, node):
    """The absolute module an ImportFrom node names."""
    if node.level == 0:
        return node.module or ""
    base = _module_name(path).split(".")
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def test_no_module_imports_from_the_package_root():
    submodules = {p.stem for p in PACKAGE.glob("*.py")} | {p.name for p in PACKAGE.iterdir() if p.is_dir()}
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno} ({', '.join(a.name for a in node.names)})"
        for path in PACKAGE.rglob("*.py")
        if path != PACKAGE / "__init__.py"
        for node in _imports(path)
        if _target(path, node) == "qualcode" and any(alias.name not in submodules for alias in node.names)
    ]
    assert offenders == [], "import from the package root creates a cycle: " + ", ".join(offenders)


def test_imports_point_one_way():
    """Nothing imports the CLI; matchers never import the analysis; analysis never imports matchers."""
    rules = {"qualcode.cli": "", "qualcode.match": "qualcode.analysis", "qualcode.analysis": "qualcode.match"}
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        here = _module_name(path)
        for node in _imports(path):
            target = _target(path, node)
            if target.startswith("qualcode.cli") and not here.startswith(("qualcode.cli", "qualcode.__main__")):
                offenders.append(f"{here} imports {target}")
            for source, forbidden in rules.items():
                if forbidden and here.startswith(source) and target.startswith(forbidden):
                    offenders.append(f"{here} imports {target}")
    assert offenders == []


def test_the_command_line_starts_without_heavy_libraries():
    code = f"import sys, qualcode, qualcode.cli; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_submodules_load_on_first_use():
    """``qc.codebook.parse_codebook`` works in a fresh process without importing the submodule
    first; a name that is neither a public name nor a submodule is an AttributeError."""
    code = (
        "import qualcode as qc\n"
        "print(qc.codebook.parse_codebook.__name__)\n"
        "try:\n    qc.no_such_thing\nexcept AttributeError as error:\n    print(error)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.splitlines() == ["parse_codebook", "module 'qualcode' has no attribute 'no_such_thing'"]


def test_tab_completion_offers_the_public_names_only():
    """`qc.<Tab>` in a notebook lists what the package offers, every name of which resolves,
    not the root module's own imports."""
    import qualcode as qc

    offered = dir(qc)
    assert offered == sorted(qc.__all__) and {"suggest", "read_transcripts", "next_to_code"} <= set(offered)
    assert not {"Any", "TYPE_CHECKING", "import_module", "annotations"} & set(offered)
    assert all(getattr(qc, name) is not None for name in offered)
