"""Installing a network file into a migrated SQLite database: idempotent, and updates in place."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from smart_gateway.network.loader import (
    DEMO_NETWORK, AgreementItem, Credential, Network, install, load_network,
)
from smart_gateway.persistence.db import make_engine, migrate
from smart_gateway.persistence.tables import agreement, agreement_item, company, credential
from smart_gateway.persistence.tables_adapters import partner_format

VARIABLES = {
    "MOTHER_URL": "http://127.0.0.1:8101/sap",
    "T1A_URL": "http://127.0.0.1:8102/ubl",
    "T2B_URL": "http://127.0.0.1:8103/cxml",
}
TABLES = (company, credential, agreement, agreement_item)


@pytest.fixture(scope="module")
def demo() -> Network:
    return load_network(DEMO_NETWORK, variables=VARIABLES)


@pytest.fixture
def engine(tmp_path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}


def install_in_transaction(engine: Engine, network: Network):
    with engine.begin() as conn:
        return install(conn, network)


def agreement_row(engine: Engine, buyer: str, supplier: str) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(agreement).where(
            agreement.c.buyer == buyer, agreement.c.supplier == supplier)).mappings().one())


def items_of(engine: Engine, agreement_id: int) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(agreement_item).where(
            agreement_item.c.agreement_id == agreement_id)).mappings().all()
    return {row["item"]: dict(row) for row in rows}


def replace_agreement(network: Network, buyer: str, supplier: str, **changes) -> Network:
    agreements = tuple(dataclasses.replace(a, **changes) if (a.buyer, a.supplier) == (buyer, supplier) else a
                       for a in network.agreements)
    return dataclasses.replace(network, agreements=agreements)


def test_install_demo_twice_is_a_no_op(engine: Engine, demo: Network) -> None:
    first = install_in_transaction(engine, demo)
    after_first = counts(engine)
    assert after_first == {"gw_company": 7, "gw_credential": 8, "gw_agreement": 8, "gw_agreement_item": 8}
    assert first.changed and "inserted company MOTHER" in first.changes

    second = install_in_transaction(engine, demo)
    assert not second.changed, second.changes
    assert counts(engine) == after_first

    with engine.connect() as conn:
        admin = conn.execute(select(credential).where(credential.c.username == "hq-admin")).mappings().one()
        mother = conn.execute(select(company).where(company.c.code == "MOTHER")).mappings().one()
        pull = conn.execute(select(company).where(company.c.code == "T1B")).mappings().one()
        formats = {r["company"]: dict(r) for r in conn.execute(select(partner_format)).mappings()}
    assert admin["company"] is None and admin["is_admin"] is True
    assert mother["tier"] == 0 and mother["endpoint"] == VARIABLES["MOTHER_URL"]
    assert pull["transport"] == "pull" and pull["endpoint"] is None
    # the four companies that speak their own format, and how (demo.toml's defaults
    # where the variables are not given)
    assert set(formats) == {"MOTHER", "T1B", "T2A", "T3A"}
    assert all(f["native"] for f in formats.values())
    assert formats["MOTHER"]["native_endpoint"] == "http://127.0.0.1:8100/sap/idoc"
    assert formats["T2A"]["drop_folder"] == "demo-drop/T2A"
    assert (formats["T2A"]["charset"], formats["T2A"]["text_rule"]) == ("x12-extended",
                                                                       "transliterate")
    assert formats["T3A"]["text_rule"] == "refuse" and formats["T1B"]["drop_folder"] is None
    raw = agreement_row(engine, "T3A", "RAW")
    assert raw["max_quantity"] == Decimal("12500.5") and raw["currency"] == "CNY"
    assert items_of(engine, raw["id"])["COPPER-FOIL"]["unit_price"] == Decimal("68.40")


def test_install_a_changed_network_updates_in_place(engine: Engine, demo: Network) -> None:
    # Start from the demo with a second item on T1A->T2A, so that one can be removed.
    pcb, = demo.agreement("T1A", "T2A").items
    stencil = AgreementItem(item="SMT-STENCIL", supplier_part="PCW-STN-01", unit_price=Decimal("95"),
                            decoupling="ETO")
    install_in_transaction(engine, replace_agreement(demo, "T1A", "T2A", items=(pcb, stencil)))
    before = agreement_row(engine, "T1A", "T2A")
    assert set(items_of(engine, before["id"])) == {"PCB", "SMT-STENCIL"}
    counts_before = counts(engine)

    changed = replace_agreement(demo, "T1A", "T2A", lead_time_days=12,
                                items=(dataclasses.replace(pcb, unit_price=Decimal("4.05")),))
    report = install_in_transaction(engine, changed)

    assert set(report.changes) == {
        "updated agreement T1A->T2A",
        "deleted agreement T1A->T2A item SMT-STENCIL",
        "updated agreement T1A->T2A item PCB",
    }
    after = agreement_row(engine, "T1A", "T2A")
    assert after["id"] == before["id"]                    # updated, not re-created
    assert after["lead_time_days"] == 12 and before["lead_time_days"] == 10
    items = items_of(engine, after["id"])
    assert set(items) == {"PCB"} and items["PCB"]["unit_price"] == Decimal("4.05")
    assert counts(engine) == {**counts_before, "gw_agreement_item": counts_before["gw_agreement_item"] - 1}
    # every other agreement is untouched
    assert items_of(engine, agreement_row(engine, "T1A", "T2B")["id"])["CHIPSET"]["unit_price"] == Decimal("18.90")


def test_changed_company_and_rotated_login(engine: Engine, demo: Network) -> None:
    install_in_transaction(engine, demo)
    companies = tuple(
        dataclasses.replace(c, endpoint="http://127.0.0.1:9999/ubl", credentials=Credential("t1a-2025", "new"))
        if c.code == "T1A" else c
        for c in demo.companies)
    report = install_in_transaction(engine, dataclasses.replace(demo, companies=companies))

    assert set(report.changes) == {
        "updated company T1A", "inserted credential t1a-2025 of T1A", "deleted credential t1a of T1A"}
    with engine.connect() as conn:
        endpoint = conn.execute(select(company.c.endpoint).where(company.c.code == "T1A")).scalar_one()
        logins = conn.execute(select(credential.c.username).where(credential.c.company == "T1A")).scalars().all()
    assert endpoint == "http://127.0.0.1:9999/ubl"
    assert logins == ["t1a-2025"]  # the old username no longer logs in


def test_a_format_follows_the_file(engine: Engine, demo: Network) -> None:
    install_in_transaction(engine, demo)
    # T2A's text rule changes and MOTHER's format goes: the rows follow, nothing else moves
    companies = tuple(
        dataclasses.replace(c, format=dataclasses.replace(c.format, text_rule="refuse"))
        if c.code == "T2A" else dataclasses.replace(c, format=None) if c.code == "MOTHER" else c
        for c in demo.companies)
    report = install_in_transaction(engine, dataclasses.replace(demo, companies=companies))
    assert set(report.changes) == {"updated format of T2A", "deleted format of MOTHER"}
    with engine.connect() as conn:
        rows = {r["company"]: r["text_rule"] for r in conn.execute(select(partner_format)).mappings()}
    assert rows == {"T1B": "refuse", "T2A": "refuse", "T3A": "refuse"}
    assert not install_in_transaction(engine, dataclasses.replace(demo, companies=companies)).changed


def test_safety_stock_and_change_terms_follow_the_file(engine: Engine, demo: Network) -> None:
    from smart_gateway.network.loader import ChangeTerms
    from smart_gateway.persistence.tables_cascade import change_term

    def terms(agreement_id):
        with engine.connect() as conn:
            return {r.item: (r.frozen_days, r.penalty_percent, r.penalty_fixed) for r in
                    conn.execute(select(change_term).where(change_term.c.agreement_id == agreement_id))}

    pcb, = demo.agreement("T1A", "T2A").items
    with_terms = replace_agreement(
        demo, "T1A", "T2A", change=ChangeTerms(3, Decimal(5), Decimal(0)),
        items=(dataclasses.replace(pcb, safety_stock=Decimal(200),
                                   change=ChangeTerms(7, Decimal(10), Decimal("50"))),))
    install_in_transaction(engine, with_terms)
    row = agreement_row(engine, "T1A", "T2A")
    assert items_of(engine, row["id"])["PCB"]["safety_stock"] == Decimal(200)
    assert terms(row["id"]) == {"PCB": (7, Decimal(10), Decimal(50)), "*": (3, Decimal(5), Decimal(0))}
    # installing it again changes nothing; dropping the agreement-wide terms deletes that row
    assert not [c for c in install_in_transaction(engine, with_terms).changes if "T1A->T2A" in c]
    report = install_in_transaction(engine, replace_agreement(with_terms, "T1A", "T2A", change=None))
    assert "deleted agreement T1A->T2A change terms of *" in report.changes
    assert set(terms(row["id"])) == {"PCB"}
