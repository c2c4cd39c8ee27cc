"""The headquarter's two stores, as the paper names them, and their plumbing.

- the agent registry: gw_agent (one row per transaction propagation agent);
- the TDIN: gw_instance nodes, gw_instance_line lines, gw_link edges;
- companies and trading partner agreements: gw_company, gw_credential,
  gw_agreement, gw_agreement_item;
- delivery: gw_outbox (durable, per recipient) and gw_inbox (message ids
  already processed, with the answer given, so a retry is answered the same);
- gw_event: append-only log of everything that happened.

Quantities and money are stored as integers in millionths (Micro): exact on
every backend, where SQLite would turn NUMERIC into binary floats.  Every
schema change goes through a migration in persistence/migrations.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String,
    Table, Text, TypeDecorator, UniqueConstraint,
)

SCALE = 10**6


def from_micro(value: int) -> Decimal:
    """Stored millionths back to a Decimal (no exponent, no trailing zeros)."""
    whole, fraction = divmod(value, SCALE)
    if not fraction:  # most quantities are whole: the cheap way (a trace reads thousands)
        return Decimal(whole)
    return (Decimal(value) / SCALE).normalize() + 0  # +0 drops "-0"


class Micro(TypeDecorator):
    """A Decimal with at most six fraction digits, stored as an integer of millionths."""
    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return int((Decimal(value) * SCALE).to_integral_exact())

    def process_result_value(self, value, dialect):
        return None if value is None else from_micro(value)


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the backend keeps."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


# Stable constraint names, so that migrations can refer to them on every backend.
metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

IdType = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER only

company = Table(
    "gw_company", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("tier", Integer, nullable=False),          # 0 = mother company
    Column("role", String(16), nullable=False),       # mother, supplier, raw-material
    Column("erp_kind", String(32), nullable=False),
    Column("transport", String(8), nullable=False),   # push or pull
    Column("endpoint", String(500)),                  # push partners' SOAP address
)

credential = Table(
    "gw_credential", metadata,
    Column("username", String(64), primary_key=True),
    Column("company", String(32), ForeignKey("gw_company.code")),  # NULL: headquarter admin
    Column("is_admin", Boolean, nullable=False, default=False),
    # WS-Security PasswordDigest needs the shared secret itself, not a hash of it.
    Column("secret", String(200), nullable=False),
)

agreement = Table(
    "gw_agreement", metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("buyer", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("supplier", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("lead_time_days", Integer, nullable=False),
    Column("max_quantity", Micro),
    Column("currency", String(3)),
    UniqueConstraint("buyer", "supplier", name="uq_gw_agreement_buyer_supplier"),
)

agreement_item = Table(
    "gw_agreement_item", metadata,
    Column("agreement_id", IdType, ForeignKey("gw_agreement.id"), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("supplier_part", String(64)),
    Column("unit_price", Micro),
    Column("decoupling", String(4), nullable=False, default="MTS"),  # MTS, MTO, ETO
    # Stock the supplier keeps of the item for this buyer: an order that would
    # take the supplier's reported stock below it is a rush order.
    Column("safety_stock", Micro),
)

instance = Table(
    "gw_instance", metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("company", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("doc_type", String(24), nullable=False),
    Column("number", String(35), nullable=False),
    Column("partner", String(32)),
    Column("state", String(24), nullable=False),
    Column("rush", Boolean, nullable=False, default=False),
    Column("rush_rule", String(200)),
    Column("quantity", Micro, nullable=False),
    Column("referenced_quantity", Micro, nullable=False, default=0),
    # The inter-company foreign key: the partner's document this one became.
    Column("partner_key", String(160)),
    Column("issue_date", Date, nullable=False),
    Column("requested_date", Date),
    Column("currency", String(3)),
    Column("note", String(512)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime),  # when it became CompletelyReferenced
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("company", "doc_type", "number", name="uq_gw_instance_key"),
    # A trace starts from a company's document number alone ("trace by any key"):
    # the unique key above leads with the type, so it cannot serve that lookup.
    Index("ix_gw_instance_company_number", "company", "number"),
)

instance_line = Table(
    "gw_instance_line", metadata,
    Column("instance_id", IdType, ForeignKey("gw_instance.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("item", String(64), nullable=False),
    Column("description", String(512)),
    Column("quantity", Micro, nullable=False),
    Column("unit", String(8), nullable=False),
    Column("unit_price", Micro),
    Column("requested_date", Date),
    # Clustered on (instance, line): SQLite then keeps one b-tree, not a rowid
    # table plus a separate primary key index, for the widest insert per submit.
    sqlite_with_rowid=False,
)

link = Table(
    "gw_link", metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("source_id", IdType, ForeignKey("gw_instance.id"), nullable=False, index=True),
    Column("target_id", IdType, ForeignKey("gw_instance.id"), nullable=False, index=True),
    Column("quantity", Micro, nullable=False),
    # The money the target bills, settles or returns of the source (invoice ->
    # delivery, payment -> payable, return -> receiving); NULL elsewhere.
    Column("amount", Micro),
    Column("scope", String(8), nullable=False),  # RA-TDN or ER-TDN
)

agent = Table(
    "gw_agent", metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("use_case", String(8), nullable=False),
    Column("state", String(24), nullable=False),
    Column("location", String(32), nullable=False),
    Column("sender", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("receiver", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("forwarder", String(32), nullable=False),
    Column("sending_time", UtcDateTime, nullable=False),
    Column("primary_key", String(160), nullable=False, index=True),
    Column("inter_company_fk", String(160), index=True),  # SearchAgents by the receiver's key
    Column("source_instance_id", IdType, ForeignKey("gw_instance.id"), nullable=False, index=True),
    Column("target_instance_id", IdType, ForeignKey("gw_instance.id")),
    Column("reason", String(512)),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
)

inbox = Table(
    "gw_inbox", metadata,
    Column("company", String(32), primary_key=True),
    Column("message_id", String(64), primary_key=True),
    Column("operation", String(32), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("response", Text, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    sqlite_with_rowid=False,
)

outbox = Table(
    "gw_outbox", metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("message_id", String(64), nullable=False, unique=True),
    Column("recipient", String(32), ForeignKey("gw_company.code"), nullable=False),
    Column("kind", String(16), nullable=False),          # Propagation, Acknowledgement, Notice
    Column("agent_id", String(40), ForeignKey("gw_agent.id")),  # none for a Notice
    Column("payload", Text, nullable=False),             # canonical InboxMessage XML
    Column("state", String(12), nullable=False),         # pending, delivered, dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", String(500)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime),
    Index("ix_gw_outbox_recipient_state", "recipient", "state", "id"),
)

event = Table(
    "gw_event", metadata,
    Column("id", IdType, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("company", String(32)),
    Column("instance_id", IdType),
    Column("agent_id", String(40)),
    Column("detail", Text, nullable=False),  # JSON
)

nonce = Table(
    "gw_nonce", metadata,
    Column("nonce", String(100), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
)


# Each feature declares its tables in a module of its own, on this metadata;
# importing them here makes ``metadata`` the whole schema (migrations, tests).
from . import tables_adapters, tables_cascade, tables_composition, tables_msme  # noqa: E402,F401
