"""Trade parties and product identifiers of a UN/CEFACT Cross Industry Invoice (D16B).

A CII names each party in an element of its own (SellerTradeParty, BuyerTradeParty,
ShipToTradeParty ...), holding ids (ram:ID with an optional schemeID, ram:GlobalID with
an ISO 6523 scheme), a Name and a PostalTradeAddress.  A product holds one id per kind:
ram:ID, GlobalID (GTIN is scheme 0160), SellerAssignedID, BuyerAssignedID and
ManufacturerAssignedID.  This module maps both to the canonical ``Party`` and
``(scheme, value)`` ids, one table each way, so that reader and writer cannot drift.
"""
from __future__ import annotations

import re

from lxml import etree

from smart_gateway.domain.errors import Unrepresentable

from . import edi_parties as P

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
_R = "{%s}" % RAM

# Where each canonical role lives, in the order the writer places them; the path is
# relative to rsm:SupplyChainTradeTransaction.  Other roles have no CII element.
AGREEMENT = "ApplicableHeaderTradeAgreement"
DELIVERY = "ApplicableHeaderTradeDelivery"
SETTLEMENT = "ApplicableHeaderTradeSettlement"
PARTY_ELEMENTS = (("Seller", AGREEMENT, "SellerTradeParty"),
                  ("Buyer", AGREEMENT, "BuyerTradeParty"),
                  ("ShipTo", DELIVERY, "ShipToTradeParty"),
                  ("ShipFrom", DELIVERY, "ShipFromTradeParty"),
                  ("BillTo", SETTLEMENT, "InvoiceeTradeParty"),
                  ("Payee", SETTLEMENT, "PayeeTradeParty"),
                  ("Payer", SETTLEMENT, "PayerTradeParty"))
# ISO 6523 codes the gateway names by their canonical scheme; any other 4-digit code is
# kept as it is and written back as a GlobalID.
_ICD = {"GLN": "0088", "DUNS": "0060"}
_ICD_CODE = re.compile(r"\d{4}")
MAX_STREETS = 5                              # LineOne .. LineFive
_LINES = ("LineOne", "LineTwo", "LineThree", "LineFour", "LineFive")


def _text(el: etree._Element | None, name: str) -> str | None:
    found = None if el is None else el.find(_R + name)
    value = (found.text or "").strip() if found is not None else ""
    return value or None


def _where(el: etree._Element) -> str:
    return f"line {el.sourceline} ({etree.QName(el).localname})"


def party_ids(el: etree._Element) -> list[str]:
    """Every id of a party element, ram:ID first, then ram:GlobalID (document order)."""
    return [(i.text or "").strip() for tag in ("ID", "GlobalID") for i in el.iterchildren(_R + tag)
            if (i.text or "").strip()]


def read_party(el: etree._Element, role: str, identity: set[str]) -> P.Party | None:
    """A party element as a canonical party; None when it names nothing but the company
    itself (the first schemeless ram:ID of the seller or buyer, as the writer puts it)."""
    ids = []
    skip_identity = role in ("Buyer", "Seller")
    for tag in ("ID", "GlobalID"):
        for found in el.iterchildren(_R + tag):
            value = (found.text or "").strip()
            if not value:
                continue
            if skip_identity and tag == "ID" and not found.get("schemeID") and value in identity:
                skip_identity = False
                continue
            ids.append((P.ubl_id_scheme(found.get("schemeID"), _where(found)), value))
    a = el.find(_R + "PostalTradeAddress")
    address = P.Address() if a is None else P.Address(
        street=tuple(s for s in (_text(a, n) for n in _LINES) if s), city=_text(a, "CityName"),
        postal_code=_text(a, "PostcodeCode"), region=_text(a, "CountrySubDivisionName"),
        country=P.country(_text(a, "CountryID"), _where(a)))
    name = _text(el, "Name")
    if not (ids or name or address):
        return None
    return P.Party(role=role, ids=tuple(ids), name=name, address=address)


def _sub(parent: etree._Element, name: str, text: str | None = None,
         **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _R + name, **attrs)
    el.text = text
    return el


def write_party(el: etree._Element, own_id: str | None, party: P.Party | None,
                where: str) -> None:
    """Fill a party element: the company's own id (schemeless ram:ID), the party's ids
    (GLN, DUNS and ISO 6523 codes as GlobalID, others as ram:ID with their scheme), its
    name and address, in D16B's element order."""
    if own_id:
        _sub(el, "ID", own_id)
    if party is None:
        return
    if not (party.ids or party.name is not None or party.address):
        raise Unrepresentable(f"{where}: a {party.role} party with no id, name or address has "
                              f"no CII form of its own")
    global_ids = []
    for scheme, value in party.ids:
        code = _ICD.get(scheme, scheme)
        if _ICD_CODE.fullmatch(code):
            global_ids.append((code, value))
        elif scheme == P.MUTUAL:
            _sub(el, "ID", value)
        else:
            _sub(el, "ID", value, schemeID=scheme)
    for code, value in global_ids:
        _sub(el, "GlobalID", value, schemeID=code)
    if party.name is not None:
        _sub(el, "Name", party.name)
    a = party.address
    if not a:
        return
    if len(a.street) > MAX_STREETS:
        raise Unrepresentable(f"{where}: a CII address holds {MAX_STREETS} street lines; the "
                              f"{party.role} party has {len(a.street)}")
    addr = _sub(el, "PostalTradeAddress")
    if a.postal_code is not None:
        _sub(addr, "PostcodeCode", a.postal_code)
    for tag, street in zip(_LINES, a.street):
        _sub(addr, tag, street)
    for tag, value in (("CityName", a.city), ("CountryID", a.country),
                       ("CountrySubDivisionName", a.region)):
        if value is not None:
            _sub(addr, tag, value)


def placed(parties: tuple[P.Party, ...], where: str) -> dict[str, P.Party]:
    """Each canonical party by its role; a role CII has no element for, or a second party
    of one role, is refused rather than dropped."""
    known = {role for role, _h, _e in PARTY_ELEMENTS}
    out: dict[str, P.Party] = {}
    for party in parties:
        if party.role not in known:
            raise Unrepresentable(f"{where}: CII has no party element for the role "
                                  f"{party.role!r} ({', '.join(sorted(known))})")
        if party.role in out:
            raise Unrepresentable(f"{where}: a CII invoice names one {party.role} party; this "
                                  f"document has two")
        out[party.role] = party
    return out


# ------------------------------------------------------------------ product ids

# Product id elements in D16B's order, and the canonical scheme each stands for.
PRODUCT_IDS = (("ID", "Additional"), ("GlobalID", "GTIN"), ("SellerAssignedID", "Seller"),
               ("BuyerAssignedID", "Buyer"), ("ManufacturerAssignedID", "Manufacturer"))
_GTIN = {"0160": "GTIN", "GTIN": "GTIN"}


def product_ids(product: etree._Element | None) -> list[tuple[str, str, str]]:
    """(element, canonical scheme, value) of every id of a SpecifiedTradeProduct."""
    out = []
    for tag, default in PRODUCT_IDS:
        for found in ([] if product is None else product.iterchildren(_R + tag)):
            value = (found.text or "").strip()
            if not value:
                continue
            sid = (found.get("schemeID") or "").strip()
            scheme = _GTIN.get(sid, sid or default) if tag == "GlobalID" else \
                (sid or default if tag == "ID" else default)
            out.append((tag, P.ubl_id_scheme(scheme, _where(found)), value))
    return out


def write_product_ids(product: etree._Element, item_element: str, item: str,
                      ids: tuple[tuple[str, str], ...], where: str) -> None:
    """The item's code in the receiver's ...AssignedID, every other id in the element its
    scheme names; a product has one element of each kind, so a second id for one is
    refused."""
    slots: dict[str, tuple[str, dict[str, str]]] = {item_element: (item, {})}
    for scheme, value in ids:
        code = _ICD.get(scheme, scheme)
        if scheme in ("Seller", "Buyer", "Manufacturer"):
            tag, attrs = f"{scheme}AssignedID", {}
        elif scheme == "GTIN" or (_ICD_CODE.fullmatch(code) and code not in _GTIN):
            tag, attrs = "GlobalID", {"schemeID": "0160" if scheme == "GTIN" else code}
        else:
            tag, attrs = "ID", ({} if scheme == "Additional" else {"schemeID": scheme})
        if tag in slots:
            raise Unrepresentable(f"{where}: a CII product has one {tag}; this line has two ids "
                                  f"for it")
        slots[tag] = (value, attrs)
    for tag, _scheme in PRODUCT_IDS:
        if tag in slots:
            value, attrs = slots[tag]
            _sub(product, tag, value, **attrs)
