"""Layering: the domain core is standard library only; the use cases in hq/ know no SOAP.

Checked with ast over the source files, so an import hidden in a function
body or behind TYPE_CHECKING counts as much as one at the top.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "smart_gateway"
DOMAIN_FORBIDDEN = {"spyne", "sqlalchemy", "lxml", "pyscipopt", "zeep", "alembic", "psycopg",
                    "xmlschema"}
HQ_FORBIDDEN = {"spyne", "zeep", "pyscipopt"}


def _imports(path: Path) -> list[tuple[int, str, int]]:
    """(line, top-level module, relative level) of every import in ``path``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[0], 0) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                out.append((node.lineno, (node.module or "").split(".")[0], node.level))
            else:
                out.append((node.lineno, (node.module or "").split(".")[0], 0))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__" \
                and node.args and isinstance(node.args[0], ast.Constant):
            out.append((node.lineno, str(node.args[0].value).split(".")[0], 0))
    return out


def _files(sub: str) -> list[Path]:
    files = sorted((PACKAGE / sub).rglob("*.py"))
    assert files, f"no sources under {PACKAGE / sub}"
    return files


@pytest.mark.parametrize("path", _files("domain"), ids=lambda p: p.name)
def test_domain_is_standard_library_only(path):
    bad = [f"{path.name}:{line}: {mod}" for line, mod, level in _imports(path)
           if level == 0 and mod in DOMAIN_FORBIDDEN]
    # A relative import out of the package (..soap, ..persistence) would bring them in too.
    bad += [f"{path.name}:{line}: {'.' * level}{mod}" for line, mod, level in _imports(path)
            if level > 1 or (level == 0 and mod == "smart_gateway")]
    assert not bad, "smart_gateway/domain must not depend on frameworks: " + "; ".join(bad)


@pytest.mark.parametrize("path", _files("hq"), ids=lambda p: p.name)
def test_hq_knows_no_soap(path):
    imports = _imports(path)
    bad = [f"{path.name}:{line}: {mod}" for line, mod, level in imports
           if level == 0 and mod in HQ_FORBIDDEN]
    bad += [f"{path.name}:{line}: ..{mod}" for line, mod, level in imports
            if level == 2 and mod == "soap"]
    assert not bad, "smart_gateway/hq must not import spyne (or the soap layer): " + "; ".join(bad)


def test_checker_sees_imports(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import spyne\nfrom lxml import etree\ndef f():\n    import sqlalchemy.orm\n"
                     "from ..soap import x\n")
    assert {(m, lvl) for _, m, lvl in _imports(probe)} == {
        ("spyne", 0), ("lxml", 0), ("sqlalchemy", 0), ("soap", 2)}
