"""What the UBL, X12 and EDIFACT adapters share about the canonical side.

A native business document names its parties by role (buyer and seller,
payer and payee); a canonical document names its owner (``company``) and the
other party (``partner``).  Which role owns the document follows from its
type: the buyer owns a purchase order, a receiving, a payable, a payment and
a return; the seller owns the sales order, the delivery, the receivable, the
receipt and the return receiving.  The same rule places every reference:
an instance on the owner's side of the trade belongs to the owner (and so does
the sales order behind a purchase order), any other to the partner.

Native party identifiers (GLN, DUNS, ...) map to network company codes
through ``AdapterContext.party_ids`` (``owner_and_partner``); a mapped party
must be one of the two companies the file travels between, and where the file
names neither in a way the agreement knows, an original belongs to the
company that sent it and a counterpart to the one it is sent to.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from smart_gateway.domain.documents import DocType
from smart_gateway.domain.errors import InvalidRequest, UnmappedCode, Unrepresentable

from ..base import AdapterContext, Canonical, Purpose, Response
from ..canonical_doc import LINES_REQUIRED, Doc, DocRef, checked, decimal_text, parse_number

D = DocType
BUYER, SELLER = "buyer", "seller"

# The role that owns each document type (see the module docstring).
OWNER_ROLE: dict[DocType, str] = {
    D.PURCHASE_ORDER: BUYER, D.OUTSOURCING_ORDER: BUYER, D.RECEIVING: BUYER,
    D.ACCOUNT_PAYABLE: BUYER, D.PAYMENT: BUYER, D.RETURN: BUYER,
    D.SALES_ORDER: SELLER, D.DELIVERY: SELLER, D.ACCOUNT_RECEIVABLE: SELLER,
    D.RECEIPT: SELLER, D.RETURN_RECEIVING: SELLER,
}


def other(role: str) -> str:
    return SELLER if role == BUYER else BUYER


# ------------------------------------------------------------------ values

# ------------------------------------------------------------------ units
# The network's units are UN/ECE Recommendation 20 codes (UBL and EDIFACT use them
# as they are); X12 element 355 has two-letter codes of its own.  One table, both
# ways, so that a common unit is never refused on its way to X12:
#   Rec 20 -> X12: every key of REC20_TO_X12.  C62 ("one", the network's count,
#   what a quantity without a unit means) and EA ("each") are the same count, and
#   X12 has one code for it, EA; H87 and PCE ("piece") are both X12 PC.
#   X12 -> Rec 20: X12_TO_REC20, one Rec 20 code per X12 code: EA reads as C62
#   (so an order in C62 and the delivery against it speak the same unit), PC as
#   PCE.  A unit in neither table travels as it is (an X12 partner's two-letter
#   code that Rec 20 shares, such as BX box or PR pair).
REC20_TO_X12 = {
    "C62": "EA", "EA": "EA", "PCE": "PC", "H87": "PC", "KGM": "KG", "GRM": "GR", "LBR": "LB",
    "ONZ": "OZ", "MTR": "MR", "CMT": "CM", "MMT": "MM", "FOT": "FT", "INH": "IN",
    "MTK": "SM", "MTQ": "CR", "LTR": "LT", "GLL": "GA", "DZN": "DZ", "CS": "CA",
    "HUR": "HR", "DAY": "DA",
}
X12_TO_REC20 = {
    "EA": "C62", "PC": "PCE", "KG": "KGM", "GR": "GRM", "LB": "LBR", "OZ": "ONZ", "MR": "MTR",
    "CM": "CMT", "MM": "MMT", "FT": "FOT", "IN": "INH", "SM": "MTK", "CR": "MTQ", "LT": "LTR",
    "GA": "GLL", "DZ": "DZN", "CA": "CS", "HR": "HUR", "DA": "DAY",
}


def x12_unit(rec20: str) -> str:
    """The X12 unit (355) of a network unit; unmapped ones as they are."""
    return REC20_TO_X12.get(rec20, rec20)


def rec20_unit(x12: str) -> str:
    """The network (UN/ECE Rec 20) unit of an X12 unit; unmapped ones as they are."""
    return X12_TO_REC20.get(x12, x12)


def decimal(text: str, where: str, *, mark: str = ".") -> Decimal:
    """A native number as a Decimal; ``mark`` is the interchange's decimal mark."""
    raw = text.strip()
    if mark != ".":
        raw = raw.replace(mark, ".")
    return parse_number(raw, where, shown=text)


def quantity(text: str, where: str, *, mark: str = ".") -> Decimal:
    value = decimal(text, where, mark=mark)
    if value <= 0:
        raise InvalidRequest(f"{where}: quantity {text!r} must be greater than zero; the gateway "
                             f"carries no empty or negative lines")
    return value


def plain(value: Decimal) -> str:
    """A decimal in plain notation, no exponent and no trailing zeros."""
    return decimal_text(value)


_DATE_FORMATS = {
    "102": ("%Y%m%d", 8), "203": ("%Y%m%d%H%M", 12), "204": ("%Y%m%d%H%M%S", 14),
    "101": ("%y%m%d", 6), "718": ("%Y%m%d", 8),
}


def edi_date(text: str, where: str, fmt: str = "102") -> dt.date:
    """A date from a CCYYMMDD / YYMMDD / CCYYMMDDHHMM value (EDIFACT format qualifiers)."""
    value = text.strip()
    if fmt == "718":  # a period: its first day
        value = value[:8]
    try:
        pattern, length = _DATE_FORMATS[fmt]
    except KeyError:
        raise InvalidRequest(f"{where}: date format qualifier {fmt!r} is not one the gateway "
                             f"reads (102, 203, 204, 101, 718)") from None
    if len(value) != length:
        if fmt in ("102", "203", "204") and len(value) in (8, 12, 14):
            pattern = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}[len(value)]
        else:
            raise InvalidRequest(f"{where}: {text!r} does not have the {length} digits of date "
                                 f"format {fmt}")
    try:
        return dt.datetime.strptime(value, pattern).date()
    except ValueError:
        raise InvalidRequest(f"{where}: {text!r} is not a valid date") from None


def iso_date(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise InvalidRequest(f"{where}: {text!r} is not a date (YYYY-MM-DD)") from None


# ------------------------------------------------------------------ parties

@dataclass(frozen=True)
class Parties:
    """The party ids of one native document, by role, as the file gives them."""
    buyer: str | None = None
    seller: str | None = None


_COMPANY = re.compile(r"[A-Z0-9][A-Z0-9_\-]{0,31}")


def owner_and_partner(doc_type: DocType, parties: Parties, context: AdapterContext,
                      where: str, *, sent_by_owner: bool = True) -> tuple[str, str | None]:
    """The canonical company and partner of a document read from a native file.

    A party id resolves to a company through the agreement's mapping, or is a
    network company code itself (what ``write`` puts where no mapping exists).
    Both parties must be the two companies the file travels between.  Where
    the file names neither in a way the agreement knows, an original document
    (an order, a despatch advice, an invoice ...) belongs to the company that
    sent it, and a counterpart (a sales order, a payable, the order an order
    response answers) to the one it is sent to (``sent_by_owner``).

    A context whose sender is also its receiver does not know the partner yet
    (the gateway reads a company's file once to learn whom each document is
    for): the sender is then the party in its role, and the other party is
    whatever company its id names, or left out."""
    by_native = {native: code for code, native in context.party_ids.items()}
    role = OWNER_ROLE[doc_type]
    owner_id = parties.buyer if role == BUYER else parties.seller
    partner_id = parties.seller if role == BUYER else parties.buyer
    if context.sender == context.receiver:
        return _learn_partner(owner_id, partner_id, by_native, context.sender, role, where,
                              sent_by_owner)
    pair = (context.sender, context.receiver)

    def resolve(native: str | None, what: str) -> str | None:
        if native is None:
            return None
        code = by_native.get(native) or (native if native in pair and native not in
                                         context.party_ids else None)
        if code is not None and code not in pair:
            raise InvalidRequest(
                f"{where}: {what} is party {native!r}, which the agreement maps to company "
                f"{code!r}, but this document travels between {context.sender} and "
                f"{context.receiver}")
        return code

    owner = resolve(owner_id, f"the {role}")
    partner = resolve(partner_id, f"the {other(role)}")
    if owner is None and partner is None:
        owner = context.sender if sent_by_owner else context.receiver
    if owner is None:
        owner = pair[1] if partner == pair[0] else pair[0]
    if partner is None:
        partner = pair[1] if owner == pair[0] else pair[0]
    if owner == partner:
        raise InvalidRequest(f"{where}: the {role} and the {other(role)} are the same company "
                             f"{owner!r}")
    return owner, partner


def _learn_partner(owner_id: str | None, partner_id: str | None, by_native: dict[str, str],
                   sender: str, role: str, where: str,
                   sent_by_owner: bool) -> tuple[str, str | None]:
    own_id, other_id = (owner_id, partner_id) if sent_by_owner else (partner_id, owner_id)
    own_role = role if sent_by_owner else other(role)
    if own_id in by_native and by_native[own_id] != sender:
        raise InvalidRequest(f"{where}: the {own_role} is party {own_id!r}, which the agreement "
                             f"maps to company {by_native[own_id]!r}, but {sender} sent it")
    other_code = by_native.get(other_id or "") or (
        other_id if other_id and _COMPANY.fullmatch(other_id) else None)
    if other_code == sender:
        raise InvalidRequest(f"{where}: the {role} and the {other(role)} are the same company "
                             f"{sender!r}")
    if sent_by_owner:
        return sender, other_code
    if other_code is None:
        raise InvalidRequest(f"{where}: the {other(own_role)} (the document's owner) is not "
                             f"named by an id the agreement maps")
    return other_code, sender


def native_party(code: str | None, context: AdapterContext) -> str | None:
    """A company's identifier in the partner's format: its mapped id, else its network code."""
    if code is None:
        return None
    return context.party_ids.get(code, code)


def parties_of(doc: Doc, context: AdapterContext) -> Parties:
    role = OWNER_ROLE[DocType(doc.type)]
    owner, partner = native_party(doc.company, context), native_party(doc.partner, context)
    if role == BUYER:
        return Parties(buyer=owner, seller=partner)
    return Parties(buyer=partner, seller=owner)


# A purchase order is triggered by its owner's own sales order (the order it
# buys parts for), not by the seller's: the one exception to the side rule.
_OWN_ACROSS_SIDES = {(D.PURCHASE_ORDER, D.SALES_ORDER), (D.OUTSOURCING_ORDER, D.SALES_ORDER)}


def reference_company(doc_type: str, ref_type: str, company: str, partner: str | None) -> str:
    """Who owns a referenced instance: the owner's side of the trade, else the partner."""
    dt_, rt = DocType(doc_type), DocType(ref_type)
    side = OWNER_ROLE.get(rt)
    if side is None or side == OWNER_ROLE[dt_] or (dt_, rt) in _OWN_ACROSS_SIDES:
        return company
    return partner or company


def check_reference(doc: Doc, ref: DocRef, where: str) -> None:
    """Refuse a reference the native format could not give back as it is: native
    formats name a referenced document by number only, so its company must be the
    one the side-of-trade rule gives."""
    owner = reference_company(doc.type, ref.type, doc.company, doc.partner)
    if ref.company != owner:
        raise Unrepresentable(
            f"{where}: reference {ref.company}.{ref.type}.{ref.number} cannot be written: a "
            f"native document names a referenced {ref.type} by number only, and here that "
            f"number would be read as {owner}'s")


def canonical(purpose: Purpose, doc: Doc, where: str, *, response: Response | None = None,
              response_number: str | None = None, parties: list | tuple = (),
              item_ids: list | tuple = ()) -> Canonical:
    """A canonical message, its document checked against gateway.xsd, with the parties
    and each line's item ids (in line order) the native file names."""
    if parties or any(item_ids):
        ids = list(item_ids) + [()] * (len(doc.lines) - len(item_ids))
        doc = replace(doc, parties=tuple(parties), lines=tuple(
            replace(ln, item_ids=tuple(i)) for ln, i in zip(doc.lines, ids)))
    return Canonical(purpose=purpose, document=checked(doc, where, purpose), response=response,
                     response_number=response_number)


def identity_ids(context: AdapterContext) -> set[str]:
    """The ids ``write`` names the two companies by (their agreed ids, else their codes).
    A party entry that says nothing but one of these, in the buyer's or seller's role,
    names the document's company or partner, which ``company``/``partner`` already
    are, and is not read as a party of its own."""
    return {native_party(context.sender, context), native_party(context.receiver, context)}


def lines_required(purpose: Purpose, count: int, where: str) -> None:
    """Refuse a message without lines unless it is a response or a cancellation (the rule
    of canonical_doc.LINES_REQUIRED), before anything is written."""
    if count == 0 and purpose in LINES_REQUIRED:
        raise InvalidRequest(f"{where}: the document has no line items; only a response or a "
                             f"cancellation may name its document without lines")


_NUMBER = re.compile(r"\S+( \S+)*")


def number(text: str | None, where: str) -> str:
    value = (text or "").strip()
    if not value or not _NUMBER.fullmatch(value) or len(value) > 35:
        raise InvalidRequest(f"{where}: document number {text!r} is missing or not 1 to 35 "
                             f"characters without double blanks")
    return value


_ITEM = re.compile(r"\S{1,64}")


def item_code(partner_code: str, context: AdapterContext, where: str, *,
              by_name: bool = False) -> str:
    """The network item of a partner's part code (CIA), refused where it cannot be one.

    ``by_name``: the line names its item only by a name or description, no id.  A
    name is taken for a part code only where the agreement's mapping names it:
    read as a code by itself it could pick the wrong part."""
    if by_name and not context.items.to_network:
        raise UnmappedCode(f"{where}: the line names its item only as {partner_code!r}, with no "
                           f"item id; the agreement must map that name to a network item")
    try:
        code = context.items.network_code(partner_code)
    except UnmappedCode as exc:
        raise UnmappedCode(f"{where}: {exc}") from None
    if not _ITEM.fullmatch(code):
        raise UnmappedCode(f"{where}: part code {partner_code!r} is not a network item code (1 to "
                           f"64 characters, no blanks); map it to one in the agreement")
    return code


def fits(value: str, most: int, where: str, what: str) -> str:
    """A value within the length its EDI data element allows, else Unrepresentable:
    cutting it would send another number or code."""
    if len(value) > most:
        raise Unrepresentable(f"{where}: {what} {value!r} is longer than the {most} characters "
                              f"its data element holds")
    return value


def digits(value: str, most: int, where: str, what: str) -> str:
    """A number within the significant digits its numeric data element holds."""
    count = sum(c.isdigit() for c in value.lstrip("0.") or "0")
    if count > most:
        raise Unrepresentable(f"{where}: {what} {value} has more than the {most} digits its "
                              f"data element holds")
    return value
