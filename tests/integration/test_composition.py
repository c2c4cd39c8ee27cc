"""The composition service over SOAP (zeep), on SQLite and PostgreSQL.

MOTHER orchestrates; T1A, T1B and T1C (T1B and T1C added here, each with an
agreement with MOTHER) bid for the activities; T2A has no agreement with
MOTHER, so an order to it is refused.
"""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
import zeep
from sqlalchemy import func, insert, select

from fixtures.gw_network import party
from smart_gateway.composition.generator import random_instance
from smart_gateway.persistence.tables import agreement, company, instance
from smart_gateway.persistence.tables_composition import composition_job

D = Decimal


def add_suppliers(engine, codes=("T1B", "T1C")) -> None:
    with engine.begin() as conn:
        conn.execute(insert(company), [
            {"code": c, "name": f"Supplier {c}", "tier": 1, "role": "supplier",
             "erp_kind": "ubl", "transport": "pull", "endpoint": None} for c in codes])
        conn.execute(insert(agreement), [{"buyer": "MOTHER", "supplier": c, "lead_time_days": 10}
                                         for c in codes])


def bid(provider, nation, price, ccost=0, lo=None, hi=None) -> dict:
    b = {"provider": provider, "nation": nation, "unitPrice": D(str(price)),
         "coordinationCost": D(str(ccost))}
    if lo is not None:
        b["minSupply"] = D(str(lo))
    if hi is not None:
        b["maxSupply"] = D(str(hi))
    return b


def small(assy_bids, part_bids, **extra) -> dict:
    """PART (leaf) -> ASSY -> DELIVER (root, customer RETAIL in EU); demand 100."""
    return {"product": "WIDGET", "demand": D(100), "customer": "RETAIL", "customerNation": "EU",
            "activity": [
                {"code": "DELIVER"},
                {"code": "ASSY", "successor": "DELIVER", "item": "WIDGET", "bid": assy_bids},
                {"code": "PART", "successor": "ASSY", "item": "PART-7", "unitsPerProduct": D(2),
                 "bid": part_bids}], **extra}


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def fault_of(call) -> zeep.exceptions.Fault:
    with pytest.raises(zeep.exceptions.Fault) as caught:
        call()
    return caught.value


def test_compose_execute_and_recompose_over_soap(gw, engine):
    # given three suppliers bidding for two activities
    add_suppliers(engine)
    mother = party(gw, "MOTHER")
    request = small([bid("T1A", "TH", 10, 100), bid("T1B", "TH", 12, 100),
                     bid("T1C", "TH", 11, 500)],
                    [bid("T1B", "KR", 3, 50), bid("T1C", "CN", 4, 50)])
    # when MOTHER composes: ASSY from T1A (10/unit), PART from T1B (3/unit)
    composed = mother.service.Compose(composition=request)
    result = composed.result
    assert result.status == "Optimal" and result.gap == 0
    assert {(p.activity, p.provider): p.quantity for p in result.provider} == {
        ("ASSY", "T1A"): 100, ("PART", "T1B"): 100}
    assert result.cost.total == 100 + 50 + 10 * 100 + 3 * 100
    assert result.cost.coordination == 150 and result.cost.production == 1300
    assert {(f.fromProvider, f.toProvider): f.quantity for f in result.flow} == {
        ("T1B", "T1A"): 100, ("T1A", "RETAIL"): 100}
    # then executing it places one purchase order per provider through propagation
    executed = mother.service.ExecuteComposition(
        compositionId=composed.compositionId, orderPrefix="CMP-PO", issueDate="2026-01-05",
        requestedDate="2026-03-01")
    orders = {o.provider: o for o in executed.order}
    assert set(orders) == {"T1A", "T1B"}
    assert orders["T1B"].quantity == 200 and orders["T1B"].item == "PART-7"  # 2 parts a widget
    assert all(o.agentId for o in executed.order)
    for o in executed.order:
        trace = mother.service.GetTrace(company="MOTHER", number=o.number, type="PurchaseOrder")
        # the composed order is in the TDIN, and its trace starts from it
        assert f"MOTHER.PurchaseOrder.{o.number}" in {n.id for n in trace.node}
        assert trace.root == f"MOTHER.PurchaseOrder.{o.number}"
    assert count(engine, instance) == 2
    # and executing twice is refused
    again = fault_of(lambda: mother.service.ExecuteComposition(
        compositionId=composed.compositionId, orderPrefix="CMP-PO2", issueDate="2026-01-05"))
    assert again.code.endswith("Client.Duplicate")

    # when T1A (ASSY) is disrupted, T1C (11/unit, CCOST 500) takes ASSY; PART stays with T1B
    rc = mother.service.Recompose(compositionId=composed.compositionId, activity="ASSY",
                                  provider="T1A", orderPrefix="CMP-RC", issueDate="2026-01-06")
    assert rc.kept is True
    # T1B at 12 + CCOST 100 = 1300 beats T1C at 11 + CCOST 500 = 1600
    assert {(p.activity, p.provider) for p in rc.result.provider} == {("ASSY", "T1B"),
                                                                      ("PART", "T1B")}
    assert rc.costBefore == 1450 and rc.costAfter == 1650 and rc.costChange == 200
    assert [(o.provider, o.quantity) for o in rc.place] == [("T1B", 100)]
    assert rc.place[0].number == "CMP-RC-1" and rc.place[0].agentId
    assert [(o.provider, o.number) for o in rc.cancel] == [("T1A", orders["T1A"].number)]
    assert count(engine, instance) == 3
    # and the order to the dropped provider is cancelled through the cascade machinery
    # (make-to-stock, nothing acknowledged yet: change with grace)
    assert rc.cancel[0].cascadeStatus == "CWG" and rc.cancel[0].cascadeId
    with engine.connect() as conn:
        states = dict(conn.execute(select(instance.c.number, instance.c.state)).all())
    assert states[orders["T1A"].number] == "Canceled"
    assert states[orders["T1B"].number] != "Canceled" and states["CMP-RC-1"] != "Canceled"


def test_an_unknown_provider_refuses_the_execution_and_writes_no_order(gw, engine):
    mother = party(gw, "MOTHER")
    composed = mother.service.Compose(composition=small([bid("T1A", "TH", 10)],
                                                       [bid("T2A", "KR", 3)]))
    fault = fault_of(lambda: mother.service.ExecuteComposition(
        compositionId=composed.compositionId, orderPrefix="X", issueDate="2026-01-05"))
    assert fault.code.endswith("Client.UnknownReference")
    assert "T2A" in fault.message
    assert count(engine, instance) == 0
    # another company does not see MOTHER's composition
    other = fault_of(lambda: party(gw, "T1A").service.GetComposition(
        compositionId=composed.compositionId))
    assert other.code.endswith("Client.NotFound")


def test_an_infeasible_request_gets_a_fault_naming_family_and_activity(gw, engine):
    mother = party(gw, "MOTHER")
    # PART's only bid supplies 60 of the 100 demanded
    fault = fault_of(lambda: mother.service.Compose(
        composition=small([bid("T1A", "TH", 10)], [bid("T1B", "KR", 3, hi=60)])))
    assert fault.code.endswith("Client.Infeasible")
    assert "(3)-(4) supply and demand at activity PART" in fault.message
    quota = fault_of(lambda: mother.service.SubmitComposition(
        composition=small([bid("T1A", "TH", 10)], [bid("T1B", "KR", 3)],
                          quota=[{"nation": "TH", "quantity": D(40)}])))
    assert quota.code.endswith("Client.Infeasible") and "(8) import quota" in quota.message
    assert count(engine, composition_job) == 0


def as_request(inst) -> dict:
    acts = []
    for a in inst.activities:
        entry = {"code": a.code}
        if a.successor:
            entry["successor"] = a.successor
            entry["sourcing"] = "multi" if a.multi else "single"
            if a.multi:
                entry["minProviders"], entry["maxProviders"] = a.nsp_min, a.nsp_max
            entry["bid"] = [bid(p.code, p.nation, p.pcost, p.ccost, p.sup_min, p.sup_max)
                            for p in a.providers]
        acts.append(entry)
    return {"demand": D(str(inst.demand)), "customer": inst.customer,
            "customerNation": inst.customer_nation, "timeLimit": D(30), "activity": acts,
            "lane": [{"fromActivity": s[0], "fromProvider": s[1], "toProvider": t[1],
                      "transportCost": D(str(v.tcost)), "interfacingCost": D(str(v.icost))}
                     for (s, t), v in inst.lanes.items()],
            "nationLane": [{"from": a, "to": b, "transportCost": D(str(v.tcost))}
                           for (a, b), v in inst.nation_lanes.items()],
            "drawback": [{"from": c, "to": n, "perUnit": D(str(v))}
                         for (c, n), v in inst.dutyd.items()],
            "quota": [{"nation": n, "quantity": D(str(q))} for n, q in inst.quota.items()]}


def test_a_submitted_composition_runs_in_the_background_and_reports_progress(gw, engine):
    mother = party(gw, "MOTHER")
    submitted = mother.service.SubmitComposition(
        composition=as_request(random_instance(15, 10, seed=1)))
    assert submitted.state == "Queued"
    seen, answers = [], 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = mother.service.GetComposition(compositionId=submitted.compositionId)
        answers += 1
        seen.append(got.state)
        if got.state in ("Solved", "Failed"):
            break
        time.sleep(0.05)
    # the gateway kept answering while the solve ran, and then reported the result
    assert "Running" in seen and answers > 2, seen
    assert got.state == "Solved", got
    assert got.result.status == "Optimal"
    assert got.progress.incumbent == got.result.objective
    assert got.result.objective == pytest.approx(D("61932.28"))  # HiGHS's optimum (bench/)


def test_a_job_left_running_by_a_stopped_process_is_solved_again_when_asked_for(gw, engine):
    import datetime as dt

    from smart_gateway.persistence.tables_composition import composition_job
    mother = party(gw, "MOTHER")

    def wait_solved(job_id):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            got = mother.service.GetComposition(compositionId=job_id)
            if got.state in ("Solved", "Failed"):
                return got
            time.sleep(0.05)
        raise AssertionError(f"{job_id} still {got.state}")

    job_id = mother.service.SubmitComposition(
        composition=as_request(random_instance(8, 3, seed=2))).compositionId
    first = wait_solved(job_id)
    # given: the row as a gateway process killed mid-solve leaves it
    with engine.begin() as conn:
        conn.execute(composition_job.update().where(composition_job.c.id == job_id).values(
            state="Running", result_xml=None, incumbent=None, bound=None, gap=None,
            updated_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=11)))
    # when: the client asks for it, it is queued again here, and solved
    assert mother.service.GetComposition(compositionId=job_id).state == "Queued"
    again = wait_solved(job_id)
    assert again.state == "Solved" and again.result.objective == first.result.objective


def test_a_provider_kept_for_fewer_units_has_its_order_cut_through_the_cascade(gw, engine):
    # given: an executed composition's order of 100 to T1A
    import datetime as dt
    from types import SimpleNamespace

    from smart_gateway.composition.execute import Order, reductions
    from smart_gateway.hq.actor import Actor
    from smart_gateway.soap.ops_composition import _carry_out
    add_suppliers(engine)
    mother = party(gw, "MOTHER")
    executed = mother.service.ExecuteComposition(
        compositionId=mother.service.Compose(composition=small(
            [bid("T1A", "TH", 10, 100)], [bid("T1B", "KR", 3, 50)])).compositionId,
        orderPrefix="CMP-PO", issueDate="2026-01-05", requestedDate="2026-03-01")
    assy = next(o for o in executed.order if o.provider == "T1A")
    previous = [{"activity": "ASSY", "provider": "T1A", "item": assy.item, "number": assy.number,
                 "quantity": float(assy.quantity)}]
    # when: a recomposition keeps T1A for 40 units fewer
    scope = SimpleNamespace(actor=Actor("mother", "MOTHER"),
                            now=dt.datetime(2026, 1, 6, tzinfo=dt.timezone.utc))
    changes, kept = reductions(previous, [Order("ASSY", "T1A", assy.item, 40.0)], dropped=set())
    with engine.begin() as conn:
        done = _carry_out(conn, scope, changes)
    # then: the order is cut to 60 by a cascade, not cancelled, and recorded at 60
    assert done[assy.number].plan.status == "CWG" and done[assy.number].cascade_id
    assert [o["quantity"] for o in kept] == [60.0]
    with engine.connect() as conn:
        row = conn.execute(select(instance.c.quantity, instance.c.state)
                           .where(instance.c.number == assy.number)).one()
    assert (row.quantity, row.state) == (60, "Modified")


def test_a_second_recompose_cuts_the_order_as_the_first_left_it(gw, engine):
    # given: ASSY multi-sourced; T1A (10/unit, at most 70) and T1B (11) share it
    add_suppliers(engine, ("T1B", "T1C", "T1D"))
    mother = party(gw, "MOTHER")
    request = small([bid("T1A", "TH", 10, hi=70), bid("T1B", "TH", 11, hi=70),
                     bid("T1C", "TH", 13, lo=50, hi=100), bid("T1D", "TH", 14, lo=60, hi=100)],
                    [bid("T1B", "KR", 3)])
    request["activity"][1].update(sourcing="multi", maxProviders=3)
    composed = mother.service.Compose(composition=request)
    assert {p.provider: p.quantity for p in composed.result.provider
            if p.activity == "ASSY"} == {"T1A": 70, "T1B": 30}
    executed = mother.service.ExecuteComposition(
        compositionId=composed.compositionId, orderPrefix="PO", issueDate="2026-01-05")
    t1a = next(o.number for o in executed.order if o.provider == "T1A")

    def ordered(number):
        with engine.connect() as conn:
            return conn.execute(select(instance.c.quantity, instance.c.state)
                                .where(instance.c.number == number)).one()

    # when: T1B fails, T1C (at least 50) joins and T1A is cut from 70 to 50
    first = mother.service.Recompose(compositionId=composed.compositionId, activity="ASSY",
                                     provider="T1B", orderPrefix="RC1", issueDate="2026-01-06")
    assert [(o.provider, o.quantity) for o in first.place] == [("T1C", 50)]
    assert {(o.provider, o.quantity) for o in first.cancel} == {("T1A", 20), ("T1B", 30)}
    assert ordered(t1a).quantity == 50
    # and then T1C fails too: T1D (at least 60) joins and T1A goes from 50 to 40
    second = mother.service.Recompose(compositionId=first.compositionId, activity="ASSY",
                                      provider="T1C", orderPrefix="RC2", issueDate="2026-01-07")
    assert {(o.provider, o.quantity) for o in second.cancel} == {("T1A", 10), ("T1C", 50)}
    # then: T1A's order stands at 40, cut from what the first recomposition left
    assert tuple(ordered(t1a)) == (40, "Modified")
    assert ordered("RC1-1").state == "Canceled"
    # and the first composition, whose orders the recompositions changed, is not
    # recomposed again from its stale orders: nothing more is written
    jobs_before = count(engine, composition_job)
    stale = fault_of(lambda: mother.service.Recompose(
        compositionId=composed.compositionId, activity="ASSY", provider="T1A",
        orderPrefix="RC3", issueDate="2026-01-08"))
    assert stale.code.endswith("Client.IllegalTransition")
    assert first.compositionId in stale.message
    assert count(engine, composition_job) == jobs_before and ordered(t1a).quantity == 40
