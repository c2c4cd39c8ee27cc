"""The data of one composition, as 000 section VI names it, and its validation.

Index sets and data of the model (000 VI.A and VI.B):

    Activity.code           i, j in A; the root N is the activity with no successor,
                            the delivery of the finished product to customer C
    Activity.providers      PA_i, the shortlisted providers (i, l) with their bids
    Provider.nation         the nation group n with (i, l) in PN_n
    Activity.successor      i-hat, the one activity that receives i's output
    predecessors(j)         IN_j; an activity with none is a leaf (FA)
    Provider.sup_min/max    [SUP_il, SUPbar_il], the supply range of the bid
    Provider.ccost          CCOST_il, coordinating with (i, l) (a fixed cost)
    Provider.pcost          PCOST_il, the bid's unit price
    Lane.tcost              TCOST_iljm, unit cost of moving from (i, l) to (j, m)
    Lane.icost              ICOST_iljm, coordinating that transfer (a fixed cost)
    Instance.dutyd          DUTYD_cn, unit drawback importing from c, exporting to n
    Instance.demand         DEMAND, units of the product (and of every activity)
    Instance.quota          QUOTA_n, units of the product that may originate in n
    Activity.nsp_min/max    [NSP_i, NSPbar_i]; single sourcing is [1, 1]

The root's only "provider" is the customer C (000 writes its inflow y_ilNC),
in nation group ``customer_nation``; it has no bid, so the root has no
sourcing, supply or cost data of its own.

Lanes not given take the cost of their nation-group pair (``nation_lanes``),
else zero: a request need not list every provider pair.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from ..domain.errors import InvalidRequest

Node = tuple[str, str]  # (activity, provider): the paper's (i, l)


@dataclass(frozen=True)
class Provider:
    code: str                 # the provider's company code (purchase orders go to it)
    nation: str
    pcost: float
    sup_min: float = 0.0
    sup_max: float | None = None  # None: up to DEMAND
    ccost: float = 0.0


@dataclass(frozen=True)
class Activity:
    code: str
    successor: str | None      # None for the root N
    providers: tuple[Provider, ...] = ()
    nsp_min: int = 1
    nsp_max: int = 1
    item: str | None = None    # the item ordered from this activity's providers
    description: str | None = None
    unit: str | None = None
    units_per_product: float = 1.0  # the activity's units in one unit of the product

    @property
    def multi(self) -> bool:
        return self.nsp_max > 1


@dataclass(frozen=True)
class Lane:
    tcost: float = 0.0
    icost: float = 0.0


@dataclass(frozen=True)
class Instance:
    activities: tuple[Activity, ...]
    demand: float
    customer: str
    customer_nation: str
    lanes: dict[tuple[Node, Node], Lane] = field(default_factory=dict)
    nation_lanes: dict[tuple[str, str], Lane] = field(default_factory=dict)
    dutyd: dict[tuple[str, str], float] = field(default_factory=dict)
    quota: dict[str, float] = field(default_factory=dict)  # a nation group not named: no quota
    product: str | None = None

    # ------------------------------------------------------------ index sets

    def __post_init__(self) -> None:
        by_code = {a.code: a for a in self.activities}
        object.__setattr__(self, "_by_code", by_code)
        preds: dict[str, list[str]] = {a.code: [] for a in self.activities}
        for a in self.activities:
            if a.successor is not None and a.successor in preds:
                preds[a.successor].append(a.code)
        object.__setattr__(self, "_preds", {k: tuple(v) for k, v in preds.items()})

    def activity(self, code: str) -> Activity:
        return self._by_code[code]  # type: ignore[attr-defined]

    @property
    def root(self) -> Activity:
        return next(a for a in self.activities if a.successor is None)

    def predecessors(self, code: str) -> tuple[str, ...]:
        """IN_j."""
        return self._preds[code]  # type: ignore[attr-defined]

    def is_leaf(self, code: str) -> bool:
        """j in FA."""
        return not self.predecessors(code)

    @property
    def non_root(self) -> tuple[Activity, ...]:
        """A \\ {N}."""
        return tuple(a for a in self.activities if a.successor is not None)

    @property
    def intermediate(self) -> tuple[Activity, ...]:
        """A \\ (FA u {N}): the activities that both receive and send."""
        return tuple(a for a in self.non_root if not self.is_leaf(a.code))

    def receivers(self, code: str) -> tuple[tuple[Node, str], ...]:
        """(i-hat, m) in PA_i-hat for activity i, with m's nation group; for the
        root, the customer C."""
        succ = self.activity(code).successor
        assert succ is not None
        target = self.activity(succ)
        if target.successor is None:
            return (((succ, self.customer), self.customer_nation),)
        return tuple(((succ, p.code), p.nation) for p in target.providers)

    def nodes(self) -> Iterator[tuple[Activity, Provider]]:
        """Every (i, l) with i in A \\ {N}."""
        for a in self.non_root:
            for p in a.providers:
                yield a, p

    def provider(self, node: Node) -> Provider:
        return next(p for p in self.activity(node[0]).providers if p.code == node[1])

    def nation_of(self, node: Node) -> str:
        if node[0] == self.root.code:
            return self.customer_nation
        return self.provider(node).nation

    def lane(self, src: Node, dst: Node) -> Lane:
        found = self.lanes.get((src, dst))
        if found is not None:
            return found
        return self.nation_lanes.get((self.nation_of(src), self.nation_of(dst)), Lane())

    def sup_max(self, p: Provider) -> float:
        return self.demand if p.sup_max is None else p.sup_max

    @property
    def nations(self) -> tuple[str, ...]:
        """N, the nation groups that occur."""
        seen = {p.nation for _, p in self.nodes()} | {self.customer_nation}
        return tuple(sorted(seen))


def validate(inst: Instance) -> None:
    """Structure and data the model needs; raises InvalidRequest listing every problem.

    Whether the constraints can all hold is feasibility.py's question, not this one's.
    """
    problems: list[str] = []
    codes = [a.code for a in inst.activities]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        problems.append(f"activity codes must be unique; repeated: {', '.join(dupes)}")
    roots = [a.code for a in inst.activities if a.successor is None]
    if len(roots) != 1:
        problems.append(f"the tree needs exactly one root (an activity with no successor); "
                        f"found {len(roots)}: {', '.join(roots) or 'none'}")
    known = set(codes)
    for a in inst.activities:
        if a.successor is not None and a.successor not in known:
            problems.append(f"activity {a.code}: successor {a.successor} is not an activity")
        if a.successor == a.code:
            problems.append(f"activity {a.code} cannot be its own successor")
    if inst.demand <= 0:
        problems.append("demand must be positive")
    if problems:
        raise InvalidRequest("the composition request is not a valid activity tree", problems)
    _check_acyclic(inst, problems)
    root = inst.root
    if root.providers:
        problems.append(f"the root activity {root.code} is the delivery to customer "
                        f"{inst.customer}; it takes no providers")
    for a in inst.non_root:
        seen: set[str] = set()
        for p in a.providers:
            if p.code in seen:
                problems.append(f"activity {a.code}: provider {p.code} bids twice")
            seen.add(p.code)
            if p.sup_max is not None and p.sup_max < p.sup_min:
                problems.append(f"activity {a.code}, provider {p.code}: supply range "
                                f"[{p.sup_min}, {p.sup_max}] is empty")
            if min(p.pcost, p.ccost, p.sup_min) < 0:
                problems.append(f"activity {a.code}, provider {p.code}: costs and supply "
                                f"must not be negative")
        if not 0 <= a.nsp_min <= a.nsp_max or a.nsp_max < 1:
            problems.append(f"activity {a.code}: sourcing bounds [{a.nsp_min}, {a.nsp_max}] "
                            f"must satisfy 0 <= min <= max and max >= 1")
    for (src, dst), lane in inst.lanes.items():
        if min(lane.tcost, lane.icost) < 0:
            problems.append(f"lane {src} -> {dst}: costs must not be negative")
    if any(v < 0 for v in inst.quota.values()):
        problems.append("quotas must not be negative")
    if problems:
        raise InvalidRequest("the composition request has inconsistent data", problems)


def _check_acyclic(inst: Instance, problems: list[str]) -> None:
    for a in inst.activities:
        seen = {a.code}
        cur = a.successor
        while cur is not None:
            if cur in seen:
                raise InvalidRequest(f"the activities do not form a tree: following successors "
                                     f"from {a.code} comes back to {cur}")
            seen.add(cur)
            cur = inst.activity(cur).successor
