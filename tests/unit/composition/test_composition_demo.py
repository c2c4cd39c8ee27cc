"""The Li & Fung example of 000 (smart_gateway/composition/lifung_demo.xml) solves
to optimality with the structure the paper tells, and the command prints it."""
from __future__ import annotations

import pytest
from lxml import etree

from smart_gateway.commands.composition import DEMO
from smart_gateway.composition.compose import compose
from smart_gateway.composition.messages import request_from_xml
from smart_gateway.messages.schema import NS, check


@pytest.fixture(scope="module")
def demo():
    root = etree.parse(str(DEMO)).getroot()
    check(root)  # the file is a valid Compose request body
    req = request_from_xml(root.find(f"{{{NS}}}composition"))
    return req.instance, compose(req.instance, time_limit=30)


def test_the_demo_solves_to_optimality(demo):
    _, s = demo
    assert s.status == "Optimal" and s.gap == 0


def test_yarn_from_korea_woven_and_dyed_in_taiwan_zippers_from_china(demo):
    _, s = demo
    single = {a: p for (a, p), q in s.chosen.items() if a != "SEW" and q > 0}
    assert single == {"SPIN": "KR-YARN", "WEAVE": "TW-WEAVE", "DYE": "TW-DYE", "ZIP": "CN-ZIP"}


def test_sewing_in_five_thai_factories_and_china_up_to_its_quota(demo):
    inst, s = demo
    sew = {p: q for (a, p), q in s.chosen.items() if a == "SEW" and q > 0}
    thai = {p for p in sew if p.startswith("TH-")}
    assert len(thai) == 5
    # China sews cheaper, but only 1,000 jackets of Chinese origin may enter the EU (8)
    assert sew["CN-SEW"] == pytest.approx(inst.quota["CN"])
    assert sum(sew.values()) == pytest.approx(10_000)
    assert all(1000 - 1e-6 <= q <= 2200 + 1e-6 for p, q in sew.items() if p in thai)


def test_drawbacks_on_taiwanese_fabric_reexported_to_europe(demo):
    _, s = demo
    # 0.15 a jacket on Taiwanese fabric sewn and shipped to the EU, for all 10,000
    assert s.terms["drawback"] == pytest.approx(0.15 * 10_000)
    total = sum(s.terms[t] for t in ("coordination", "production", "transport", "interfacing"))
    assert s.objective == pytest.approx(total - s.terms["drawback"])
    # the figures composition/README.md gives for the demo
    assert s.objective == pytest.approx(107_550)
    assert {t: s.terms[t] for t in ("coordination", "production", "transport", "interfacing")} \
        == pytest.approx({"coordination": 6_900, "production": 92_340, "transport": 6_470,
                          "interfacing": 3_340})


def test_the_command_prints_the_network(capsys):
    from argparse import Namespace

    from smart_gateway.commands.composition import cmd_compose
    assert cmd_compose(Namespace(file="demo", time_limit=None), settings=None) == 0
    out = capsys.readouterr().out
    assert "status Optimal" in out and "TH-SEW5" in out and "drawback" in out
