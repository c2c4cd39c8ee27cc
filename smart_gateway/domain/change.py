"""Abnormal propagation planned: what an update or a cancellation does to the TDIN.

The paper's O-TPA.update (004, 2.5.5): the status starts as CWG (change with
grace) and the change goes on from instance to instance while it stays CWG;
at the first instance that cannot absorb it, the status is CWP (change with
penalty) and the change does not pass that point.  ``plan`` works that out on
a loaded subgraph, without a database: the caller applies the plan (the CWG
part in one transaction) and turns its frontier into change requests.

Rules, each in one place here:

- What a change follows (``_cascades``): from an instance to its counterpart
  at the partner (an inter-company link, ER-TDN: the counterpart mirrors it,
  line by line and date), and to what it triggered inside its company (a
  WorkOrder, PurchaseOrder, OutsourcingOrder or DeliveryRequest: its recipe).
  Fulfilling successors (a delivery of a sales order, a receiving of a
  purchase order, an invoice of a delivery ...) are not changed by a change
  of what they fulfil: an instance can never be cut below what they reference.
- Recipe ratio: a link carries ``link quantity / source quantity`` of its
  source; when the source changes from q to q', the link carries
  ``link quantity * q' / q``.  A target reached by several links (a
  consolidation) changes by the sum of its links' changes.
- Whole units (``allocate``): when every old quantity of a split is whole,
  the new ones are whole too: each share is rounded down, and the units left
  over (the rounded total minus the rounded-down shares) go one by one to the
  largest remainders, ties to the earlier link (lower id) or line.  Fractional
  quantities are kept exact to six decimals.
- Dates: a counterpart takes its source's date.  A triggered instance keeps
  the slack it had to its trigger when the trigger moves earlier (it must come
  sooner by as much); when the trigger moves later it is still in time and
  keeps its date.
- CWG or CWP is decided where a change would cross into a supplier: at a
  PurchaseOrder or OutsourcingOrder, by the agreement of its buyer and
  supplier for each changed line's item.  Before the decoupling point
  (make-to-stock) the change is CWG; on or after it (make-to-order,
  engineer-to-order), or when the line's date (old or new, the earlier) is
  inside the supplier's frozen horizon, it is CWP.  A CWP order is not
  changed, nor anything past it (the recipe links into it do move with their
  sources: what they ask of it is then more, or less, than it has until the
  supplier decides; an order already asked is asked again from what was
  asked): it becomes the frontier, with a penalty of
  ``penalty_fixed`` per changed line plus ``penalty_percent`` of the changed
  value (changed quantity x unit price: the agreement's, else the line's),
  rounded to cents.  Deliveries, invoices, payments and returns cross no
  decoupling point: their changes are always CWG.
- Upward: when a fulfilling instance (a delivery, a receiving ...) is cut or
  cancelled, what it referenced of the instances it fulfils shrinks with it,
  and their referencing state moves (CompletelyReferenced ->
  PartiallyReferenced -> Confirmed).
- Invoices follow their delivery (``_bills``): a delivery cut below what was
  invoiced of it, or cancelled, cuts its invoices by the excess, the latest
  invoice first (and with them the payables; an invoice cut is spread over
  the deliveries it bills by its ratio).  A payable cannot go below what was
  paid of it: that refuses the change.
- A cancellation ends in Canceled; the instance keeps what it carried, as
  history, and its recipe links carry nothing any more.  A triggered instance
  left with nothing to carry is cancelled too (as is one cut to zero).
  Nothing that references an instance may outlive it: an instance with live
  fulfilling successors cannot be cancelled (cancel those first).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Callable, Iterable, Mapping

from .documents import FULFILS, DocType
from .errors import IllegalTransition, InvalidRequest, QuantityExceeded
from .states import Event, State, advance, reference_event, release_event

CWG, CWP = "CWG", "CWP"
ER, RA = "ER-TDN", "RA-TDN"
APPLY, REQUEST, REFERENCING = "Applied", "Requested", "Referencing"

D = DocType
# Instances that a change of what triggered them changes too (their recipe).
TRIGGERED = frozenset({D.WORK_ORDER, D.PURCHASE_ORDER, D.OUTSOURCING_ORDER, D.DELIVERY_REQUEST})
# Where a change crosses into a supplier: the buyer's order.
ORDERS = frozenset({D.PURCHASE_ORDER, D.OUTSOURCING_ORDER})
# A delivery's invoices bill what it delivered: cut below what was invoiced,
# or cancelled, it takes its invoices (and their payables) down with it.
BILLED = frozenset({D.DELIVERY})
MAKE_TO_STOCK = "MTS"
_MICRO = Decimal("0.000001")
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class NodeLine:
    number: int
    item: str
    quantity: Decimal
    unit_price: Decimal | None = None
    requested_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Node:
    """One instance of the TDIN as the planner sees it."""
    id: int
    company: str
    doc_type: DocType
    number: str
    partner: str | None
    state: State
    quantity: Decimal
    referenced: Decimal
    requested_date: dt.date | None
    version: int
    lines: tuple[NodeLine, ...]

    @property
    def key(self) -> str:
        return f"{self.company}.{self.doc_type.value}.{self.number}"


@dataclass(frozen=True, slots=True)
class Edge:
    id: int
    source: int
    target: int
    quantity: Decimal
    scope: str


@dataclass(frozen=True, slots=True)
class Terms:
    """What a buyer and a supplier agreed about changes of one item."""
    decoupling: str = MAKE_TO_STOCK   # MTS, MTO or ETO
    frozen_days: int = 0
    penalty_percent: Decimal = Decimal(0)
    penalty_fixed: Decimal = Decimal(0)
    unit_price: Decimal | None = None


TermsOf = Callable[[str, str, str], Terms]  # (buyer, supplier, item) -> Terms


@dataclass(frozen=True, slots=True)
class Graph:
    nodes: Mapping[int, Node]
    edges: tuple[Edge, ...]
    # Orders with a pending change request: what the request asks them to become.
    proposals: Mapping[int, Node] = field(default_factory=dict)

    def outbound(self) -> dict[int, list[Edge]]:
        out: dict[int, list[Edge]] = {}
        for e in self.edges:
            out.setdefault(e.source, []).append(e)
        return out

    def inbound(self) -> dict[int, list[Edge]]:
        into: dict[int, list[Edge]] = {}
        for e in self.edges:
            into.setdefault(e.target, []).append(e)
        return into


@dataclass(frozen=True, slots=True)
class Change:
    """An update (new line quantities and/or date) or a cancellation of ``root``.

    ``accepted``: the change continues an accepted change request, so the
    root order's supplier has agreed (its hop is CWG whatever the terms) and
    the links into the root were already changed by the cascade that asked
    (when the root itself was asked, ``links`` are its own recipe links).
    """
    root: int
    cancel: bool = False
    lines: Mapping[int, Decimal] = field(default_factory=dict)
    requested_date: dt.date | None = None
    accepted: bool = False
    links: Mapping[int, Decimal] = field(default_factory=dict)  # links into root that waited


@dataclass(frozen=True, slots=True)
class Step:
    """One instance reached: what it was, what it becomes."""
    id: int
    key: str
    company: str
    doc_type: str
    action: str                      # Applied, Requested (CWP frontier) or Referencing
    status: str                      # CWG or CWP
    old_state: str
    new_state: str
    old_quantity: Decimal
    new_quantity: Decimal
    old_referenced: Decimal
    new_referenced: Decimal
    old_date: dt.date | None
    new_date: dt.date | None
    version: int
    lines: tuple[tuple[int, Decimal, dt.date | None], ...] = ()  # new (number, qty, date)
    penalty: Decimal = Decimal(0)
    reason: str = ""
    counterpart: int | None = None   # a Requested order's counterpart at the supplier
    waiting: tuple[tuple[int, Decimal], ...] = ()  # links into a Requested order that grow on acceptance
    mirror_of: int | None = None     # the instance across the ER-TDN link it follows


@dataclass(frozen=True, slots=True)
class LinkChange:
    id: int
    old_quantity: Decimal
    new_quantity: Decimal


@dataclass(frozen=True, slots=True)
class Plan:
    root: int
    cancel: bool
    steps: tuple[Step, ...]
    links: tuple[LinkChange, ...]

    @property
    def applied(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.action != REQUEST)

    @property
    def frontier(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.action == REQUEST)

    @property
    def status(self) -> str:
        return CWP if self.frontier else CWG

    @property
    def penalty(self) -> Decimal:
        return sum((s.penalty for s in self.frontier), Decimal(0))


# ------------------------------------------------------------------ whole units


def allocate(olds: list[Decimal], ratio_num: Decimal, ratio_den: Decimal) -> list[Decimal]:
    """Each old quantity times num/den; in whole units when every old one is whole."""
    if ratio_den == 0:
        return list(olds)
    exact = [o * ratio_num / ratio_den for o in olds]
    if not all(o == o.to_integral_value() for o in olds):
        return [e.quantize(_MICRO, rounding=ROUND_HALF_UP) for e in exact]
    floors = [e.to_integral_value(rounding=ROUND_DOWN) for e in exact]
    total = sum(exact, Decimal(0)).to_integral_value(rounding=ROUND_HALF_UP)
    left = int(total - sum(floors, Decimal(0)))
    order = sorted(range(len(olds)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:max(left, 0)]:
        floors[i] += 1
    return floors


# ------------------------------------------------------------------ the plan


@dataclass
class _Pending:
    """What reaches an instance before it is processed (its id order is topological)."""
    delta: Decimal = Decimal(0)           # through recipe links
    mirror: Node | None = None            # the new self of the source it mirrors
    mirror_cancel: bool = False
    mirror_of: int | None = None
    earlier_by: dt.date | None = None     # the latest date a trigger allows
    reached: bool = False
    links: list = field(default_factory=list)  # (recipe link, its new quantity), set once decided


def plan(graph: Graph, change: Change, terms: TermsOf, *, today: dt.date) -> Plan:
    """What ``change`` does to ``graph``: every instance reached, where it stops.

    Raises IllegalTransition (nothing to do: the change is refused as a whole)
    when an instance reached cannot take it: canceled, or cut below what its
    successors reference, or cancelled with live successors referencing it.
    """
    nodes, out, into = graph.nodes, graph.outbound(), graph.inbound()
    root = nodes[change.root]
    if root.state is State.CANCELED:
        advance(root.state, Event.CANCEL if change.cancel else Event.MODIFY)  # raises
    new_root = _root_after(root, change)

    steps: dict[int, Step] = {}
    links: dict[int, LinkChange] = {}
    new_nodes: dict[int, Node] = {}
    pending: dict[int, _Pending] = {root.id: _Pending(reached=True)}
    ref_delta: dict[int, Decimal] = {}

    def set_link(e: Edge, qty: Decimal) -> None:
        if qty != e.quantity:
            links[e.id] = LinkChange(e.id, e.quantity, qty)

    for e in graph.edges:  # an accepted request brings the links that waited for it
        if e.id in change.links and e.target == root.id:
            set_link(e, change.links[e.id])

    for nid in sorted(i for i in nodes if i >= root.id):
        p = pending.get(nid)
        if p is None:
            continue
        if not p.reached:
            for e, share in p.links:  # changes that cancel out: the links still move
                set_link(e, share)
            continue
        old = nodes[nid]
        # The links a source changed move with it, whatever becomes of their target.
        for e, share in p.links:
            set_link(e, share)
        if nid == root.id:
            new, cancel = new_root, change.cancel
        else:
            # An order already asked to change is asked again from what was asked.
            base = graph.proposals.get(nid)
            new, cancel = _reached(base if base is not None else old, p)
            if new is None:
                continue
            if cancel:
                new = old
            elif base is not None:
                if new.lines == old.lines and new.requested_date == old.requested_date:
                    continue  # back to what it is: nothing to ask
                new = replace(new, state=old.state, version=old.version)
        if old.state is State.CANCELED:
            raise IllegalTransition(f"{old.key} is canceled; the change cannot reach it")
        # An order crossing into a supplier: CWG or CWP by the supplier's terms.
        if old.doc_type in ORDERS and old.partner and not (nid == root.id and change.accepted):
            status, penalty, reason = _decide(old, new, cancel, terms, today)
            if status == CWP:
                # The links into it have moved with their sources; if the
                # supplier rejects, they are cut back to what the order has.
                # The root's own recipe links follow it once it is accepted.
                waiting = []
                if nid == root.id:
                    recipe = [e for e in into.get(nid, ()) if e.scope != ER and e.source in nodes]
                    shares = allocate([e.quantity for e in recipe],
                                      Decimal(0) if cancel else new.quantity, old.quantity)
                    waiting += [(e.id, q) for e, q in zip(recipe, shares) if q != e.quantity]
                steps[nid] = _step(old, new, cancel, REQUEST, CWP, penalty=penalty,
                                   reason=reason, counterpart=_counterpart(old, out, nodes),
                                   waiting=tuple(waiting))
                continue
        _check_referencing(old, new, cancel, out, nodes)
        steps[nid] = replace(_step(old, new, cancel, APPLY, CWG),
                             mirror_of=p.mirror_of if nid != root.id else None)
        new_nodes[nid] = new

        # Links into it: what it fulfils, and the root's own recipe links, follow
        # its ratio; a cancelled instance's stay as history, and what it
        # referenced is released.
        if cancel:
            for e in into.get(nid, ()):
                src = nodes.get(e.source)
                if src is not None and e.scope != ER and (old.doc_type, src.doc_type) in FULFILS \
                        and src.state is not State.CANCELED:
                    ref_delta[src.id] = ref_delta.get(src.id, Decimal(0)) - e.quantity
        else:
            _scale_inbound(old, new, nid == root.id and not change.accepted,
                           into.get(nid, ()), nodes, set_link, ref_delta)

        # What was invoiced of it beyond what is left: the invoices follow it down.
        if old.doc_type in BILLED:
            _bills(old, Decimal(0) if cancel else new.quantity, out.get(nid, ()), nodes, pending)

        # Links out of it: its counterpart and what it triggered.
        recipe = [e for e in out.get(nid, ()) if e.scope == RA
                  and nodes.get(e.target) is not None and _cascades(old, nodes[e.target])]
        new_qty = Decimal(0) if cancel else new.quantity
        shares = allocate([e.quantity for e in recipe], new_qty, old.quantity)
        for e, share in zip(recipe, shares):
            t = pending.setdefault(e.target, _Pending())
            if nodes[e.target].state is State.CANCELED:
                continue
            t.links.append((e, share))
            moved = _earlier(old.requested_date, new.requested_date, nodes[e.target].requested_date)
            if share == e.quantity and moved is None:
                continue
            t.reached = True
            t.delta += share - e.quantity
            if moved is not None:
                t.earlier_by = min(t.earlier_by or moved, moved)
        for e in out.get(nid, ()):
            if e.scope != ER or e.target not in nodes:
                continue
            if not cancel:  # a cancelled pair keeps its quantities as history
                set_link(e, new_qty)
            t = pending.setdefault(e.target, _Pending())
            t.reached, t.mirror, t.mirror_cancel, t.mirror_of = True, new, cancel, nid

    # Upward: what cut or cancelled fulfilling instances referenced is released.
    for sid, delta in sorted(ref_delta.items()):
        if not delta:
            continue
        src = nodes[sid]
        if sid in steps:
            s = steps[sid]
            steps[sid] = replace(s, new_referenced=s.new_referenced + delta)
            continue
        new_ref = src.referenced + delta
        if new_ref > src.quantity:
            raise QuantityExceeded(
                f"{src.key} has {src.quantity} in all and {src.referenced} referenced; the change "
                f"would make its successors reference {new_ref}")
        if delta > 0:
            new_state = advance(src.state, reference_event(new_ref, src.quantity))
        else:
            new_state = advance(src.state, release_event(new_ref))
        steps[sid] = Step(
            id=sid, key=src.key, company=src.company, doc_type=src.doc_type.value,
            action=REFERENCING, status=CWG, old_state=src.state.value, new_state=new_state.value,
            old_quantity=src.quantity, new_quantity=src.quantity, old_referenced=src.referenced,
            new_referenced=new_ref, old_date=src.requested_date, new_date=src.requested_date,
            version=src.version)
    return Plan(root=root.id, cancel=change.cancel,
                steps=tuple(steps[i] for i in sorted(steps)),
                links=tuple(links[i] for i in sorted(links)))


def _cascades(source: Node, target: Node) -> bool:
    """A recipe link: the target was triggered by the source (not a fulfilment of it)."""
    return target.doc_type in TRIGGERED and (target.doc_type, source.doc_type) not in FULFILS


def _counterpart(order: Node, out: dict[int, list[Edge]], nodes: Mapping[int, Node]) -> int | None:
    for e in out.get(order.id, ()):
        if e.scope == ER and e.target in nodes:
            return e.target
    return None


def _root_after(root: Node, change: Change) -> Node:
    if change.cancel:
        return root  # a cancelled instance keeps what it carried, as history
    numbers = {ln.number for ln in root.lines}
    unknown = sorted(set(change.lines) - numbers)
    if unknown:
        raise InvalidRequest(f"{root.key} has no line {', '.join(map(str, unknown))}; its lines "
                             f"are {', '.join(map(str, sorted(numbers)))}")
    date = change.requested_date or root.requested_date
    lines = tuple(replace(ln, quantity=change.lines.get(ln.number, ln.quantity),
                          requested_date=_follow(ln.requested_date, root.requested_date, date))
                  for ln in root.lines)
    new = replace(root, lines=lines, quantity=sum((ln.quantity for ln in lines), Decimal(0)),
                  requested_date=date)
    if new.lines == root.lines and new.requested_date == root.requested_date:
        raise InvalidRequest(f"the update changes nothing of {root.key}: give new line "
                             f"quantities or a new requested date")
    return new


def _follow(line_date: dt.date | None, old: dt.date | None, new: dt.date | None) -> dt.date | None:
    """A line dated as its instance moves with the instance's date."""
    return new if line_date == old else line_date


def _earlier(old: dt.date | None, new: dt.date | None, target: dt.date | None) -> dt.date | None:
    """The date a triggered instance must move to when its trigger comes earlier (None: stays)."""
    if old is None or new is None or target is None or new >= old:
        return None
    moved = target - (old - new)
    return moved if moved < target else None


def _reached(old: Node, p: _Pending) -> tuple[Node | None, bool]:
    """The new self of an instance that a source reached, and whether it is cancelled."""
    if p.mirror is not None:
        src = p.mirror
        by_number = {ln.number: ln for ln in src.lines}
        if p.mirror_cancel:
            return old, True
        if set(by_number) == {ln.number for ln in old.lines}:
            lines = tuple(replace(ln, quantity=by_number[ln.number].quantity,
                                  requested_date=by_number[ln.number].requested_date)
                          for ln in old.lines)
        else:
            lines = _scale_lines(old, src.quantity, src.requested_date)
        new = replace(old, lines=lines, quantity=sum((ln.quantity for ln in lines), Decimal(0)),
                      requested_date=src.requested_date)
        return new, p.mirror_cancel
    qty = old.quantity + p.delta
    date = old.requested_date
    if p.earlier_by is not None and date is not None:
        date = min(date, p.earlier_by)
    if qty <= 0:  # nothing of it is wanted any more
        return old, True
    if qty == old.quantity and date == old.requested_date:
        return None, False
    return replace(old, quantity=qty, lines=_scale_lines(old, qty, date),
                   requested_date=date), False


def _scale_lines(old: Node, qty: Decimal, date: dt.date | None) -> tuple[NodeLine, ...]:
    shares = allocate([ln.quantity for ln in old.lines], qty, old.quantity)
    if sum(shares, Decimal(0)) != qty and old.lines:  # rounding: the last line takes the rest
        shares[-1] += qty - sum(shares, Decimal(0))
    return tuple(replace(ln, quantity=s, requested_date=_follow(ln.requested_date,
                                                                 old.requested_date, date))
                 for ln, s in zip(old.lines, shares))


def _scale_inbound(old: Node, new: Node, is_root: bool, inbound: Iterable[Edge],
                   nodes: Mapping[int, Node], set_link, ref_delta: dict[int, Decimal]) -> None:
    """Links into a changed instance that follow its own ratio, and what it fulfils."""
    scaled = []
    for e in inbound:
        src = nodes.get(e.source)
        if src is None or e.scope == ER:
            continue
        if (old.doc_type, src.doc_type) in FULFILS or is_root:
            scaled.append(e)
    for e, share in zip(scaled, allocate([e.quantity for e in scaled], new.quantity, old.quantity)):
        set_link(e, share)
        src = nodes[e.source]
        if (old.doc_type, src.doc_type) in FULFILS and src.state is not State.CANCELED:
            ref_delta[src.id] = ref_delta.get(src.id, Decimal(0)) + share - e.quantity


def _bills(old: Node, left: Decimal, outbound: Iterable[Edge], nodes: Mapping[int, Node],
           pending: dict[int, _Pending]) -> None:
    """Cut the invoices of a delivery by what they bill beyond ``left``, the latest first."""
    excess = old.referenced - left
    for e in sorted(outbound, key=lambda e: -e.id):
        target = nodes.get(e.target)
        if excess <= 0 or target is None or target.state is State.CANCELED \
                or (target.doc_type, old.doc_type) not in FULFILS:
            continue
        take = min(e.quantity, excess)
        excess -= take
        t = pending.setdefault(e.target, _Pending())
        t.reached, t.delta = True, t.delta - take


def _after(old: Node, cancel: bool) -> State:
    """The state an applied change leaves: Modified, or Canceled.  A delivery whose
    invoices are cancelled with it is first released of them."""
    if not cancel:
        return advance(old.state, Event.MODIFY)
    state = old.state
    if old.doc_type in BILLED and old.referenced:
        state = advance(state, Event.RELEASE_ALL)
    return advance(state, Event.CANCEL)


def _check_referencing(old: Node, new: Node, cancel: bool, out: dict[int, list[Edge]],
                       nodes: Mapping[int, Node]) -> None:
    if old.doc_type in BILLED:  # its invoices follow it down (_bills); they are checked in turn
        _after(old, cancel)
        return
    if cancel:
        live = [nodes[e.target].key for e in out.get(old.id, ())
                if e.target in nodes and nodes[e.target].state is not State.CANCELED
                and (nodes[e.target].doc_type, old.doc_type) in FULFILS]
        if live or old.referenced:
            raise IllegalTransition(
                f"{old.key} cannot be cancelled: {', '.join(live) or 'successors'} reference "
                f"{old.referenced} of it; cancel those first")
        advance(old.state, Event.CANCEL)
        return
    if new.quantity < old.referenced:
        raise IllegalTransition(
            f"{old.key} cannot go down to {new.quantity}: its successors already reference "
            f"{old.referenced} of it")
    advance(old.state, Event.MODIFY)


def _decide(old: Node, new: Node, cancel: bool, terms: TermsOf,
            today: dt.date) -> tuple[str, Decimal, str]:
    """CWG or CWP for an order to its supplier, the penalty, and why."""
    assert old.partner is not None
    penalty, reasons = Decimal(0), []
    new_lines = {ln.number: ln for ln in new.lines}
    for ln in old.lines:
        nl = new_lines.get(ln.number, ln)
        qty = Decimal(0) if cancel else nl.quantity
        if qty == ln.quantity and nl.requested_date == ln.requested_date \
                and new.requested_date == old.requested_date and not cancel:
            continue
        t = terms(old.company, old.partner, ln.item)
        why = None
        if t.decoupling != MAKE_TO_STOCK:
            why = f"{old.partner} makes {ln.item} to order ({t.decoupling})"
        else:
            dates = [d for d in (ln.requested_date, nl.requested_date, old.requested_date,
                                 new.requested_date) if d is not None]
            if t.frozen_days and dates and (min(dates) - today).days < t.frozen_days:
                why = (f"{ln.item} is due {min(dates).isoformat()}, inside {old.partner}'s "
                       f"frozen horizon of {t.frozen_days} days")
        if why is None:
            continue
        price = t.unit_price if t.unit_price is not None else (ln.unit_price or Decimal(0))
        penalty += t.penalty_fixed + abs(ln.quantity - qty) * price * t.penalty_percent / 100
        reasons.append(why)
    if not reasons:
        return CWG, Decimal(0), ""
    return CWP, penalty.quantize(_CENT, rounding=ROUND_HALF_UP), "; ".join(reasons)


def _step(old: Node, new: Node, cancel: bool, action: str, status: str, *,
          penalty: Decimal = Decimal(0), reason: str = "", counterpart: int | None = None,
          waiting: tuple[tuple[int, Decimal], ...] = ()) -> Step:
    new_state = old.state if action == REQUEST else _after(old, cancel)
    return Step(
        id=old.id, key=old.key, company=old.company, doc_type=old.doc_type.value,
        action=action, status=status, old_state=old.state.value,
        new_state=new_state.value, old_quantity=old.quantity,
        new_quantity=new.quantity, old_referenced=old.referenced,
        new_referenced=old.referenced, old_date=old.requested_date, new_date=new.requested_date,
        version=old.version,
        lines=tuple((ln.number, ln.quantity, ln.requested_date)
                    for ln in new.lines),
        penalty=penalty, reason=reason, counterpart=counterpart, waiting=waiting)


def confirm_state(state: State, referenced: Decimal, quantity: Decimal) -> State:
    """Modified -> Confirmed when the partner confirms; then its referencing state again."""
    confirmed = advance(state, Event.CONFIRM)
    if referenced:
        return advance(confirmed, Event.REFERENCE_ALL if referenced >= quantity
                       else Event.REFERENCE_PART)
    return confirmed
