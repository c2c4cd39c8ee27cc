"""The MSME calculations are standard library only, like domain/: each rule is
testable without a database and usable from any front door."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

MSME = Path(__file__).resolve().parents[3] / "smart_gateway" / "msme"
PURE = ["quantities.py", "parallelizer.py", "alert_rules.py", "explosion.py", "atp.py", "geo.py"]


def _imports(path: Path) -> list[tuple[str, int]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name.split(".")[0], 0) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append(((node.module or "").split(".")[0], node.level))
    return out


@pytest.mark.parametrize("name", PURE)
def test_pure_module_imports_the_standard_library_and_its_pure_siblings_only(name):
    bad = []
    for module, level in _imports(MSME / name):
        if level == 1:
            if f"{module}.py" not in PURE:
                bad.append(f".{module}")
        elif level > 1 or (module not in sys.stdlib_module_names and module != "__future__"):
            bad.append(module)
    assert not bad, f"smart_gateway/msme/{name} must stay standard library only: {bad}"


@pytest.mark.parametrize("path", sorted(MSME.glob("*.py")), ids=lambda p: p.name)
def test_use_cases_know_no_soap(path):
    bad = [m for m, level in _imports(path)
           if (level == 0 and m in {"spyne", "zeep", "pyscipopt"}) or (level == 2 and m == "soap")]
    assert not bad, f"smart_gateway/msme/{path.name} must not depend on the SOAP layer: {bad}"
