"""The adapters feature's tables, on the one metadata of tables.py.

- gw_partner_format: per company, how documents reach it and leave it in its
  ERP kind's own format (the company's ``[company.format]`` in the network
  file).  A company without a row gets the canonical XML of gateway.xsd.
  The part-code mapping (CIA) is not here: it is gw_agreement_item.supplier_part,
  per agreement, because one supplier may call one network item differently
  for two buyers.

Migration 0008 creates it.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text

from .tables import metadata

partner_format = Table(
    "gw_partner_format", metadata,
    Column("company", String(32), ForeignKey("gw_company.code"), primary_key=True),
    # documents go to the company in its ERP kind's format, not as canonical XML
    Column("native", Boolean, nullable=False, default=False),
    Column("text_rule", String(16), nullable=False, default="refuse"),  # refuse, transliterate
    Column("charset", String(16)),           # EDI/flat/CSV character set; NULL: the format's default
    Column("drop_folder", String(500)),      # file transport: <drop>/in, out, done, rejected
    Column("native_endpoint", String(500)),  # SAP's own IDoc SOAP endpoint (sap-idoc, push)
    Column("party_ids", Text),               # JSON {company code: native party id}, or NULL
)
