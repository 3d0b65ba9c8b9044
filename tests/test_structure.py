"""The request pattern, checked on the code itself: views never commit, and stay short."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
VIEW_PACKAGES = ("public", "review", "timesheets", "auth", "admin", "reports")
VIEW_MODULES = sorted(path for package in VIEW_PACKAGES for path in (PORTAL / package).glob("*.py"))
MAX_VIEW_LINES = 40


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_view_module_commits_or_rolls_back_itself(path):
    found = re.findall(r"session\.(?:commit|rollback)\(", path.read_text())
    assert not found, f"{path}: views leave the transaction to portal.web.transaction()"


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_function_in_a_view_module_is_longer_than_40_lines(path):
    tree = ast.parse(path.read_text())
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > MAX_VIEW_LINES
    ]
    assert not long, f"{path}: {', '.join(long)}"


def test_each_blueprint_package_names_its_blueprint_module():
    for package in VIEW_PACKAGES:
        assert (PORTAL / package / "blueprint.py").is_file(), package
        assert not (PORTAL / package / "routes.py").exists(), f"{package}/routes.py: one module per page group"


README = Path(__file__).resolve().parent.parent / "README.md"


def _layout_block() -> str:
    text = README.read_text()
    section = text[text.index("## Layout") :]
    return section[section.index("```") + 3 : section.index("```", section.index("```") + 3)]


def test_every_module_and_package_of_portal_is_in_the_readme_layout():
    layout = _layout_block()
    named = {line.split()[0] for line in layout.splitlines() if line.startswith("portal/")}
    actual = {f"portal/{path.name}" for path in PORTAL.glob("*.py")}
    actual |= {f"portal/{path.name}/" for path in PORTAL.iterdir() if path.is_dir() and path.name != "__pycache__"}
    actual -= {"portal/demo/"}  # named by its one file, portal/demo/posting.py
    assert actual <= named | {"portal/demo/posting.py"}, sorted(actual - named)


def test_every_path_the_readme_layout_names_exists():
    layout = _layout_block()
    root = README.parent
    for line in layout.splitlines():
        first = line.split()[0] if line.strip() and not line.startswith(" ") else None
        for name in (first or "").split(","):
            if name.strip():
                assert (root / name.strip()).exists() or (root / "tests" / name.strip()).exists(), name
