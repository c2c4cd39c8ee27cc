"""SOAP operations of the msme feature (see operations.py for the contract).

Each handler reads its validated request element, calls one use case of
smart_gateway/msme and writes the response element; the rules live there.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from ..domain.documents import DocKey
from ..messages.canonical import format_decimal
from ..messages.schema import NS
from ..msme import access, bom, delivery, negotiation, ordering, parallel, reports, tracker
from .operations import XmlOperation

_Q = "{%s}" % NS


# ---------------------------------------------------------------- reading

def _t(el, name: str) -> str | None:
    return el.findtext(_Q + name)


def _d(el, name: str) -> Decimal | None:
    text = _t(el, name)
    return None if text is None else Decimal(text.strip())


def _date(el, name: str) -> dt.date | None:
    text = _t(el, name)
    return None if text is None else dt.date.fromisoformat(text.strip()[:10])


def _int(el, name: str) -> int | None:
    text = _t(el, name)
    return None if text is None else int(text)


def _bool(el, name: str) -> bool:
    return (_t(el, name) or "").strip() in ("true", "1")


# ---------------------------------------------------------------- writing

def _out(name: str) -> etree._Element:
    return etree.Element(_Q + name, nsmap={None: NS})


def _sub(parent, name: str, value) -> etree._Element | None:
    if value is None:
        return None
    el = etree.SubElement(parent, _Q + name)
    if isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, Decimal):
        el.text = format_decimal(value)
    elif isinstance(value, (dt.date, dt.datetime)):
        el.text = value.isoformat()
    else:
        el.text = str(value)
    return el


def _ref(parent, name: str, key: DocKey, state: str) -> None:
    el = etree.SubElement(parent, _Q + name)
    for n, v in (("company", key.company), ("type", key.doc_type.value), ("number", key.number),
                 ("state", state)):
        _sub(el, n, v)


def _shown(visible, code):
    return code if visible is None or code in visible else None


# ---------------------------------------------------------------- ISA / MSA

def report_inventory(scope, req):
    levels = [(_t(lv, "item"), _d(lv, "onHand"), _t(lv, "unit")) for lv in req.iter(_Q + "level")]
    advices = reports.report_inventory(scope.conn, scope.actor, _t(req, "company"), levels,
                                       scope.now)
    out = _out("ReportInventoryResponse")
    _sub(out, "recorded", len(levels))
    for a in advices:
        el = etree.SubElement(out, _Q + "advice")
        for n, v in (("item", a.item), ("onHand", a.on_hand), ("reorderPoint", a.reorder_point),
                     ("orderQuantity", a.order_quantity)):
            _sub(el, n, v)
    return out


def report_manufacturing(scope, req):
    row, in_progress = reports.report_manufacturing(
        scope.conn, scope.actor, company=_t(req, "company"), order_type=_t(req, "orderType"),
        order_number=_t(req, "orderNumber"), item=_t(req, "item"), quantity=_d(req, "quantity"),
        completed=_d(req, "completed"), status=_t(req, "status"),
        expected=_date(req, "expectedCompletion"), now=scope.now)
    out = _out("ReportManufacturingStatusResponse")
    from ..hq.store import key_of
    _ref(out, "order", key_of(row), row["state"])
    _sub(out, "inProgress", in_progress)
    return out


# ---------------------------------------------------------------- BEA / REA

def report_bom(scope, req):
    comps = [(_t(c, "item"), _d(c, "quantityPer"), _t(c, "unit"), _t(c, "supplier"))
             for c in req.findall(_Q + "component")]
    ops = [(_int(o, "sequence"), _t(o, "workCentre"), _d(o, "days"))
           for o in req.findall(_Q + "routingStep")]
    n_comp, n_ops = bom.report(scope.conn, scope.actor, company=_t(req, "company"),
                               item=_t(req, "item"), components=comps, operations=ops)
    out = _out("ReportBillOfMaterialsResponse")
    _sub(out, "components", n_comp)
    _sub(out, "routingSteps", n_ops)
    return out


def _explosion(scope, req):
    found = bom.explode_for(scope.conn, scope.actor, company=_t(req, "company"),
                            item=_t(req, "item"), quantity=_d(req, "quantity"),
                            unit=_t(req, "unit"))
    return found, access.visible_companies(scope.conn, scope.actor), access.tiers(scope.conn)


def explode_bom(scope, req):
    found, visible, tiers = _explosion(scope, req)
    out = _out("ExplodeBillOfMaterialsResponse")
    for n in found.nodes:
        el = etree.SubElement(out, _Q + "node")
        for name, v in (("level", n.level), ("company", _shown(visible, n.company)),
                        ("tier", tiers.get(n.company, 0)), ("item", n.item),
                        ("quantity", n.quantity), ("unit", n.unit), ("bought", n.via is not None)):
            _sub(el, name, v)
    return out


def explode_routing(scope, req):
    found, visible, tiers = _explosion(scope, req)
    out = _out("ExplodeRoutingResponse")
    for n, step in found.routing:
        el = etree.SubElement(out, _Q + "routingStep")
        for name, v in (("level", n.level), ("company", _shown(visible, n.company)),
                        ("tier", tiers.get(n.company, 0)), ("item", n.item),
                        ("sequence", step.sequence), ("workCentre", step.work_centre),
                        ("days", step.days)):
            _sub(el, name, v)
    return out


# ---------------------------------------------------------------- DSA

def estimate_delivery(scope, req):
    step = delivery.estimate_delivery(
        scope.conn, scope.actor, company=_t(req, "company"), item=_t(req, "item"),
        quantity=_d(req, "quantity"), order_date=_date(req, "orderDate") or scope.now.date())
    visible, tiers = access.visible_companies(scope.conn, scope.actor), access.tiers(scope.conn)
    out = _out("EstimateDeliveryResponse")
    _sub(out, "availableDate", step.ready)
    for s in step.decisive_path():
        el = etree.SubElement(out, _Q + "step")
        for name, v in (("company", _shown(visible, s.company)), ("tier", tiers.get(s.company, 0)),
                        ("item", s.item), ("quantity", s.quantity), ("fromStock", s.from_stock),
                        ("fromWorkInProgress", s.from_wip), ("made", s.made),
                        ("routingDays", s.routing_days), ("leadTimeDays", s.lead_time_days),
                        ("source", s.source), ("ready", s.ready)):
            _sub(el, name, v)
    return out


# ---------------------------------------------------------------- EOQ / ROP

def calculate_order_quantity(scope, req):
    given = history = None
    if (g := req.find(_Q + "given")) is not None:
        given = ordering.Given(_d(g, "annualDemand"), _d(g, "orderCost"), _d(g, "holdingCost"),
                               _d(g, "dailyDemand"), _d(g, "leadTimeDays"),
                               _d(g, "safetyStock") or Decimal(0))
    else:
        h = req.find(_Q + "history")
        history = ordering.History(_date(h, "from"), _date(h, "to"), _d(h, "orderCost"),
                                   _d(h, "holdingCost"), _d(h, "leadTimeDays"),
                                   _d(h, "serviceLevel"))
    result = ordering.calculate(scope.conn, scope.actor, company=_t(req, "company"),
                                item=_t(req, "item"), given=given, history=history,
                                now=scope.now)
    p, stats = result.policy, result.stats
    out = _out("CalculateOrderQuantityResponse")
    for name, v in (("orderQuantity", p.order_quantity), ("reorderPoint", p.reorder_point),
                    ("safetyStock", p.safety_stock), ("dailyDemand", p.daily_demand),
                    ("annualDemand", p.annual_demand),
                    ("dailyDemandSpread", stats.sd if stats else None),
                    ("historyDays", stats.days if stats else None), ("stored", result.stored)):
        _sub(out, name, v)
    return out


# ---------------------------------------------------------------- parallelizer

def parallelize_order(scope, req):
    cands = [parallel.CandidateIn(_t(c, "supplier"), _d(c, "distance"), _d(c, "unitPrice"),
                                  _d(c, "available"), _int(c, "leadTimeDays"))
             for c in req.findall(_Q + "candidate")]
    loc = req.find(_Q + "location")
    placed = parallel.parallelize(
        scope.conn, scope.actor, message_id=_t(req, "messageId"), company=_t(req, "company"),
        item=_t(req, "item"), unit=_t(req, "unit"), capacity=_d(req, "capacity"),
        held=_d(req, "held"), required=_d(req, "requiredQuantity"),
        immediate=_bool(req, "immediate"), initial=_d(req, "initialQuantity"),
        daily_usage=_d(req, "dailyUsage"), max_distance=_d(req, "maxDistance"),
        max_price=_d(req, "maxPrice"), order_date=_date(req, "orderDate") or scope.now.date(),
        candidates=cands, place=_bool(req, "place"), number_prefix=_t(req, "numberPrefix"),
        now=scope.now,
        location=None if loc is None else (_d(loc, "latitude"), _d(loc, "longitude")))
    distance = {c.supplier: c.distance for c in placed.candidates}
    out = _out("ParallelizeOrderResponse")
    _sub(out, "space", placed.plan.space)
    _sub(out, "requiredQuantity", placed.required)
    for p in placed.plan.parts:
        el = etree.SubElement(out, _Q + "part")
        for name, v in (("supplier", p.supplier), ("quantity", p.quantity), ("due", p.due),
                        ("arrival", p.arrival), ("lateDays", p.late_days),
                        ("unitPrice", p.unit_price), ("tradedBefore", placed.traded[p.supplier]),
                        ("distance", distance[p.supplier]), ("rule", p.rule)):
            _sub(el, name, v)
        if p.supplier in placed.orders:
            _ref(el, "order", placed.orders[p.supplier], "Created")
    for supplier, why in placed.plan.excluded:
        el = etree.SubElement(out, _Q + "excluded")
        _sub(el, "supplier", supplier)
        _sub(el, "reason", why)
    _sub(out, "parallelOrderId", placed.parallel_order_id)
    return out


def report_supplier_offer(scope, req):
    loc = req.find(_Q + "location")
    n = parallel.report_offers(
        scope.conn, scope.actor, supplier=_t(req, "supplier"), latitude=_d(loc, "latitude"),
        longitude=_d(loc, "longitude"),
        offers=[(_t(o, "item"), _d(o, "unitPrice"), _d(o, "available"), _int(o, "leadTimeDays"))
                for o in req.findall(_Q + "offer")], now=scope.now)
    out = _out("ReportSupplierOfferResponse")
    _sub(out, "recorded", n)
    return out


# ---------------------------------------------------------------- negotiator

def define_customization(scope, req):
    n = negotiation.define(scope.conn, scope.actor, supplier=_t(req, "supplier"),
                           item=_t(req, "item"), code=_t(req, "code"),
                           description=_t(req, "description") or "",
                           unit_price=_d(req, "unitPrice"), days=_int(req, "days"))
    out = _out("DefineCustomizationResponse")
    _sub(out, "customizations", n)
    return out


def _negotiation(name: str, view) -> etree._Element:
    out = _out(name)
    el = etree.SubElement(out, _Q + "negotiation")
    r = view.row
    for n, v in (("id", r["id"]), ("buyer", r["buyer"]), ("supplier", r["supplier"]),
                 ("item", r["item"]), ("quantity", r["quantity"]), ("state", r["state"]),
                 ("description", r["description"]), ("customization", r["customization"]),
                 ("unitPrice", r["unit_price"]), ("days", r["days"])):
        _sub(el, n, v)
    if view.order is not None:
        _ref(el, "order", view.order, "Created")
    for m in view.messages:
        me = etree.SubElement(el, _Q + "message")
        for n, v in (("sender", m["sender"]), ("action", m["action"]),
                     ("unitPrice", m["unit_price"]), ("days", m["days"]), ("text", m["text"]),
                     ("at", m["at"])):
            _sub(me, n, v)
    return out


def request_customization(scope, req):
    view = negotiation.request(
        scope.conn, scope.actor, buyer=_t(req, "buyer"), supplier=_t(req, "supplier"),
        item=_t(req, "item"), quantity=_d(req, "quantity"),
        description=_t(req, "description") or "", code=_t(req, "customization"),
        max_price=_d(req, "maxPrice"), max_days=_int(req, "maxDays"), now=scope.now)
    return _negotiation("RequestCustomizationResponse", view)


def negotiate(scope, req):
    view = negotiation.negotiate(
        scope.conn, scope.actor, negotiation_id=negotiation.parse_id(_t(req, "negotiationId")),
        action=_t(req, "action"), price=_d(req, "unitPrice"), days=_int(req, "days"),
        text=_t(req, "text"), now=scope.now)
    return _negotiation("NegotiateResponse", view)


def place_negotiated_order(scope, req):
    view = negotiation.place_order(
        scope.conn, scope.actor, negotiation_id=negotiation.parse_id(_t(req, "negotiationId")),
        message_id=_t(req, "messageId"), number=_t(req, "number"), unit=_t(req, "unit"),
        issue_date=_date(req, "issueDate") or scope.now.date(), now=scope.now)
    return _negotiation("PlaceNegotiatedOrderResponse", view)


# ---------------------------------------------------------------- tracker

def track_order(scope, req):
    is_parallel, tracked = tracker.track(scope.conn, scope.actor, company=_t(req, "company"),
                                         number=_t(req, "number"),
                                         parallel_order_id=_t(req, "parallelOrderId"))
    out = _out("TrackOrderResponse")
    _sub(out, "parallel", is_parallel)
    for t in tracked:
        el = etree.SubElement(out, _Q + "supplier")
        _sub(el, "supplier", t.supplier)
        _ref(el, "order", t.order, t.state)
        for n, v in (("ordered", t.ordered), ("delivered", t.delivered),
                     ("remaining", t.remaining), ("lastDeliveryDate", t.last_date)):
            _sub(el, n, v)
    return out


def _alerts(out, alerts) -> None:
    for a in alerts:
        el = etree.SubElement(out, _Q + "alert")
        _sub(el, "kind", a.kind)
        _ref(el, "order", a.order, a.state)
        for n, v in (("buyer", a.buyer), ("supplier", a.supplier), ("due", a.due),
                     ("remaining", a.remaining), ("raisedAt", a.raised_at)):
            _sub(el, n, v)


def list_alerts(scope, req):
    out = _out("ListAlertsResponse")
    _alerts(out, tracker.list_alerts(scope.conn, scope.actor, _t(req, "company")))
    return out


def raise_due_alerts(scope, req):
    if not scope.actor.is_admin:
        from ..domain.errors import Unauthorized
        raise Unauthorized("RaiseDueAlerts is for the headquarter's administrator; companies "
                           "get the alerts as notices and through ListAlerts")
    raised = tracker.raise_due_alerts(scope.conn, scope.now)
    out = _out("RaiseDueAlertsResponse")
    _sub(out, "raised", len(raised))
    _alerts(out, raised)
    return out


OPERATIONS: list[XmlOperation] = [
    XmlOperation("ReportInventory", "ISA: a company reports its inventory levels; an item at "
                 "its re-order point gets a ReorderAdvice notice.", report_inventory),
    XmlOperation("ReportManufacturingStatus", "MSA: a company reports the manufacturing status "
                 "of one of its orders.", report_manufacturing),
    XmlOperation("ReportBillOfMaterials", "A company reports the bill of materials and routing "
                 "of one of its items.", report_bom),
    XmlOperation("ExplodeBillOfMaterials", "BEA: the multi-level bill of materials of a product "
                 "across companies.", explode_bom, read_only=True),
    XmlOperation("ExplodeRouting", "REA: the routing of a product with the routings of its "
                 "parts, in every company.", explode_routing, read_only=True),
    XmlOperation("EstimateDelivery", "DSA: the available-to-promise date of an order, with the "
                 "path that decides it.", estimate_delivery, read_only=True),
    XmlOperation("CalculateOrderQuantity", "Economic order quantity and re-order point, from "
                 "given inputs or from purchase history.", calculate_order_quantity),
    XmlOperation("ReportSupplierOffer", "A supplier publishes its offers (price, quantity "
                 "available, lead time, location) for buyers' parallel orders.",
                 report_supplier_offer),
    XmlOperation("ParallelizeOrder", "Split an order over suppliers to fit a small warehouse, "
                 "just in time; optionally place the purchase orders.", parallelize_order),
    XmlOperation("DefineCustomization", "A supplier's predefined customization of an item, with "
                 "price and time to deliver.", define_customization),
    XmlOperation("RequestCustomization", "A buyer asks for a customized item: a predefined "
                 "customization, or a negotiation.", request_customization),
    XmlOperation("Negotiate", "One message of a negotiation: propose, accept or refuse.",
                 negotiate),
    XmlOperation("PlaceNegotiatedOrder", "The buyer orders on the terms a negotiation agreed.",
                 place_negotiated_order),
    XmlOperation("TrackOrder", "An order, parallel or not, by supplier: ordered, delivered, "
                 "remaining, last delivery date.", track_order, read_only=True),
    XmlOperation("ListAlerts", "The order tracker's delivery alerts about the caller's orders.",
                 list_alerts, read_only=True),
    XmlOperation("RaiseDueAlerts", "Administrator: raise the order tracker's alerts due now.",
                 raise_due_alerts),
]
