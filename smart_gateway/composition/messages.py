"""Composition messages (schemas/gateway/v1/composition.xsd) to and from the model.

Reads elements that already passed the schema: structure is trusted, only
text is converted.  Money and quantities are decimals on the wire and floats
in the solver; results are written rounded to six decimals.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from ..messages.schema import NS
from .bom import Component, tree_from_bom
from .instance import Activity, Instance, Lane, Provider
from .solution import Solution

_Q = "{%s}" % NS


@dataclass(frozen=True)
class Request:
    instance: Instance
    time_limit: float | None
    currency: str | None


def _t(el: etree._Element, name: str) -> str | None:
    return el.findtext(_Q + name)


def _f(el: etree._Element, name: str, default: float | None = 0.0) -> float | None:
    text = el.findtext(_Q + name)
    return default if text is None else float(Decimal(text))


def _bid(el: etree._Element) -> Provider:
    return Provider(code=_t(el, "provider"), nation=_t(el, "nation"),  # type: ignore[arg-type]
                    pcost=_f(el, "unitPrice"), ccost=_f(el, "coordinationCost"),  # type: ignore[arg-type]
                    sup_min=_f(el, "minSupply"), sup_max=_f(el, "maxSupply", None))  # type: ignore[arg-type]


def _activity(el: etree._Element) -> Activity:
    bids = tuple(_bid(b) for b in el.iterfind(_Q + "bid"))
    sourcing = _t(el, "sourcing") or "single"
    if sourcing == "single":
        lo = hi = 1
    else:
        lo = int(_t(el, "minProviders") or 1)
        hi = int(_t(el, "maxProviders") or max(1, len(bids)))
    return Activity(code=_t(el, "code"), successor=_t(el, "successor"),  # type: ignore[arg-type]
                    providers=bids, nsp_min=lo, nsp_max=hi, item=_t(el, "item"),
                    description=_t(el, "description"), unit=_t(el, "unit"),
                    units_per_product=_f(el, "unitsPerProduct", 1.0))  # type: ignore[arg-type]


def request_from_xml(el: etree._Element) -> Request:
    """A CompositionRequest element (the ``composition`` child of Compose)."""
    activities = [_activity(a) for a in el.iterfind(_Q + "activity")]
    product = _t(el, "product")
    bom = el.find(_Q + "billOfMaterials")
    if bom is not None:
        components = [Component(_t(c, "item"), _t(c, "parent"),  # type: ignore[arg-type]
                                _f(c, "quantityPer", 1.0))  # type: ignore[arg-type]
                      for c in bom.iterfind(_Q + "component")]
        activities = tree_from_bom(product, components, activities)
    lanes = {((_t(ln, "fromActivity"), _t(ln, "fromProvider")), _lane_target(activities, ln)):
             Lane(_f(ln, "transportCost"), _f(ln, "interfacingCost"))  # type: ignore[arg-type]
             for ln in el.iterfind(_Q + "lane")}
    nation_lanes = {(_t(ln, "from"), _t(ln, "to")):
                    Lane(_f(ln, "transportCost"), _f(ln, "interfacingCost"))  # type: ignore[arg-type]
                    for ln in el.iterfind(_Q + "nationLane")}
    dutyd = {(_t(d, "from"), _t(d, "to")): _f(d, "perUnit") for d in el.iterfind(_Q + "drawback")}
    quota = {_t(q, "nation"): _f(q, "quantity") for q in el.iterfind(_Q + "quota")}
    inst = Instance(activities=tuple(activities), demand=_f(el, "demand"),  # type: ignore[arg-type]
                    customer=_t(el, "customer"), customer_nation=_t(el, "customerNation"),  # type: ignore[arg-type]
                    lanes=lanes, nation_lanes=nation_lanes, dutyd=dutyd,  # type: ignore[arg-type]
                    quota=quota, product=product)  # type: ignore[arg-type]
    return Request(inst, _f(el, "timeLimit", None), _t(el, "currency"))


def _lane_target(activities: list[Activity], ln: etree._Element) -> tuple[str, str]:
    src = _t(ln, "fromActivity")
    succ = next((a.successor for a in activities if a.code == src), None) or "?"
    return (succ, _t(ln, "toProvider"))  # type: ignore[return-value]


# ------------------------------------------------------------------ result


def num(value: float | Decimal) -> str:
    text = format(Decimal(repr(float(value))).quantize(Decimal("0.000001")), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _sub(parent: etree._Element, name: str, text: str | None) -> etree._Element | None:
    if text is None:
        return None
    child = etree.SubElement(parent, _Q + name)
    child.text = text
    return child


def result_to_xml(inst: Instance, s: Solution, name: str = "result") -> etree._Element:
    out = etree.Element(_Q + name, nsmap={None: NS})
    _sub(out, "status", s.status)
    _sub(out, "objective", num(s.objective or 0.0))
    _sub(out, "bound", None if s.bound is None else num(s.bound))
    _sub(out, "gap", None if s.gap is None else num(s.gap))
    _sub(out, "seconds", num(s.seconds))
    cost = etree.SubElement(out, _Q + "cost")
    for term in ("coordination", "production", "transport", "interfacing", "drawback"):
        _sub(cost, term, num(max(0.0, s.terms.get(term, 0.0))))
    _sub(cost, "total", num(s.objective or 0.0))
    for (activity, provider), qty in sorted(s.chosen.items()):
        p = etree.SubElement(out, _Q + "provider")
        _sub(p, "activity", activity)
        _sub(p, "provider", provider)
        _sub(p, "nation", inst.nation_of((activity, provider)))
        _sub(p, "quantity", num(qty))
    for f in sorted(s.flows, key=lambda f: (f.source, f.target)):
        el = etree.SubElement(out, _Q + "flow")
        _sub(el, "fromActivity", f.source[0])
        _sub(el, "fromProvider", f.source[1])
        _sub(el, "toActivity", f.target[0])
        _sub(el, "toProvider", f.target[1])
        _sub(el, "quantity", num(f.quantity))
    return out


def chosen_from_result(el: etree._Element) -> dict[tuple[str, str], float]:
    """(activity, provider) -> units, read back from a stored CompositionResult."""
    return {(_t(p, "activity"), _t(p, "provider")): float(Decimal(_t(p, "quantity")))  # type: ignore[misc]
            for p in el.iterfind(_Q + "provider")}
