"""The apps' boundaries, checked on the source: the bank knows nothing of attempts."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# app -> apps it must not import (directly or by a dotted path)
FORBIDDEN = {
    "questions": {"interviews", "progress", "accounts"},
    # core is what every app shares: it reads the interviews app only through the request.
    "core": {"interviews", "progress", "questions", "accounts"},
}


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_does_not_import_the_apps_it_must_not_know(app):
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / app).rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN[app]
    ]
    assert not offences
