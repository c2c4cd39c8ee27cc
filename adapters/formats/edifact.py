"""UN/EDIFACT D96A adapter: ORDERS, ORDCHG, ORDRSP, DESADV, RECADV, INVOIC, REMADV, RETANN.

One message layout serves every message type (the EANCOM core every type
shares), written as D96A, syntax UNOC:3 unless the agreement names another character set:

    BGM+<document code>:::<canonical type>+<number>+<message function>'
    DTM+137:<issue date>:102'          DTM+2:<requested date>:102'
    FTX+AAI+++<note, 70 characters a component>'
    RFF+<qualifier>:<number>::<quantity carried>'      one per reference
    NAD+<owner role>+<id>::ZZZ'        NAD+<partner role>+<id>::ZZZ'   (the two companies)
    NAD+<role>+<id>::<agency>++<name>+<street>+<city>+<region>+<postcode>+<country>'
                                       one a party (edi_parties)
    CUX+2:<currency>:9'
    LIN+<line>++<item>:<SA|IN>'  PIA+1+<item id>:<type>...' (five a segment)
    IMD+F++:::<35>:<35>'  QTY+<qualifier>:<qty>:<unit>'
    DTM+2:<line date>:102'       PRI+AAA:<unit price>'
    UNS+S'  CNT+2:<number of lines>'   (neither in a response or cancellation without lines)

The canonical type travels in BGM's document name (C002/1000), so a sales
order (the order as its seller books it) reads back as a sales order.  The
message function (1225) gives the purpose: 9 original, 4 change, 1
cancellation; an ORDRSP's 29 / 27 / 4 say accepted / rejected / changed.
The part of a referenced document this one carries (canonical
Reference.quantity) is RFF's fourth component (1060 in D96A).

Reading also takes a message in the XML syntax of ISO 20625 (edi_edifact_xml),
and what EANCOM documents put elsewhere: the item from LIN or,
when LIN has none, from the first PIA; a price per PRI's unit price basis
(5284) divided down to a unit price; a quantity without a unit in C62 (one);
the credit note 381 as a cancelled receivable.  Numbers take either decimal
mark.  CNT+2 (line count) is checked where it is given.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from smart_gateway.domain.documents import DocType
from smart_gateway.domain.errors import InvalidRequest, Unrepresentable

from ..base import AdapterContext, Canonical, Purpose, Response, TextRule
from ..canonical_doc import Doc, DocLine, DocRef, from_element
from ..registry import register
from ..text import encode_text
from . import edi_doc as E
from . import edi_edifact_syntax as S
from . import edi_edifact_xml as X
from . import edi_parties as P

D = DocType
# Syntax identifiers the writer offers, by the agreement's charset: (UNB0001,
# syntax version, byte encoding).  UNOW (UTF-8, syntax version 4) carries any
# script; the level A/B/C sets are refused or transliterated (adapters/text.py).
SYNTAX = {"unoa": ("UNOA", "3", "ascii"), "unob": ("UNOB", "3", "ascii"),
          "unoc": ("UNOC", "3", "latin-1"), "unow": ("UNOW", "4", "utf-8")}
DEFAULT_CHARSET = "unoc"


def charset_of(context: AdapterContext) -> str:
    name = (context.charset or DEFAULT_CHARSET).lower()
    if name not in SYNTAX:
        raise Unrepresentable(f"character set {context.charset!r} is not one an EDIFACT "
                              f"interchange declares here ({', '.join(SYNTAX)})")
    return name
DEFAULT_UNIT = "C62"


@dataclass(frozen=True)
class Kind:
    """One EDIFACT message type: its document code, the canonical types it carries
    (the first is the one a file without a type name holds), its quantity
    qualifiers (the first is written) and the NAD roles of buyer and seller."""
    code: str
    types: tuple[DocType, ...]
    qty: tuple[str, ...]
    buyer: str = "BY"
    seller: str = "SU"


KINDS = {
    "ORDERS": Kind("220", (D.PURCHASE_ORDER, D.SALES_ORDER), ("21", "1")),
    "ORDCHG": Kind("230", (D.PURCHASE_ORDER, D.SALES_ORDER), ("21", "1")),
    "ORDRSP": Kind("231", (D.PURCHASE_ORDER, D.SALES_ORDER), ("21", "113", "1")),
    "DESADV": Kind("351", (D.DELIVERY,), ("12",)),
    "RECADV": Kind("632", (D.RECEIVING,), ("48", "194")),
    "INVOIC": Kind("380", (D.ACCOUNT_RECEIVABLE, D.ACCOUNT_PAYABLE), ("47", "46", "12")),
    "REMADV": Kind("481", (D.PAYMENT, D.RECEIPT), ("47",), buyer="PR", seller="PE"),
    "RETANN": Kind("35E", (D.RETURN, D.RETURN_RECEIVING), ("61",)),
}
SELLER_ROLES = ("SU", "SE")

# Canonical type -> the message it is written as, per purpose.
_ORDERS = {Purpose.ORIGINAL: "ORDERS", Purpose.CHANGE: "ORDCHG",
           Purpose.CANCELLATION: "ORDCHG", Purpose.RESPONSE: "ORDRSP"}
MESSAGE_OF = {
    D.PURCHASE_ORDER: _ORDERS, D.SALES_ORDER: _ORDERS,
    D.DELIVERY: "DESADV", D.RECEIVING: "RECADV", D.ACCOUNT_RECEIVABLE: "INVOIC",
    D.ACCOUNT_PAYABLE: "INVOIC", D.PAYMENT: "REMADV", D.RECEIPT: "REMADV",
    D.RETURN: "RETANN", D.RETURN_RECEIVING: "RETANN",
}
# Originals are sent by the company that owns them; counterparts to it.
SENT_BY_OWNER = {D.PURCHASE_ORDER, D.DELIVERY, D.RECEIVING, D.ACCOUNT_RECEIVABLE, D.PAYMENT,
                 D.RETURN}

FUNCTION = {Purpose.ORIGINAL: "9", Purpose.CHANGE: "4", Purpose.CANCELLATION: "1"}
RESPONSE_CODE = {Response.ACCEPTED: "29", Response.REJECTED: "27", Response.CHANGED: "4"}
RESPONSE_OF = {v: k for k, v in RESPONSE_CODE.items()}

# Reference qualifiers (UNCL 1153).  A type without a code of its own travels as
# ACE (related document number) with "<type>/<number>".
REF_QUALIFIER = {
    D.PURCHASE_ORDER: "ON", D.SALES_ORDER: "VN", D.DELIVERY: "AAK", D.RECEIVING: "ALO",
    D.ACCOUNT_RECEIVABLE: "IV", D.DELIVERY_REQUEST: "AAJ",
}
REF_TYPE = {v: k for k, v in REF_QUALIFIER.items()}
RELATED = "ACE"

# DTM qualifiers read as the document date and as a requested date, best first.
ISSUED = ("137", "3", "11", "50")
REQUESTED = ("2", "69", "64", "63", "17", "35", "11", "50")


# ------------------------------------------------------------------ reading

def _date(seg: S.Segment) -> dt.date:
    return E.edi_date(seg.comp(1, 2), seg.where(1), seg.comp(1, 3) or "102")


def _num(seg: S.Segment, i: int, j: int) -> Decimal:
    return E.decimal(seg.comp(i, j), seg.where(i), mark=",")


class _Lines:
    """The line items of one message as they are read, segment by segment."""

    def __init__(self, kind: Kind, context: AdapterContext, where: str) -> None:
        self.kind, self.context, self.where = kind, context, where
        self.out: list[DocLine] = []
        self.item_ids: list[tuple] = []
        self.current: dict | None = None

    def start(self, seg: S.Segment) -> None:
        self.finish()
        raw = seg.comp(1).strip()
        number = int(raw) if raw.isdigit() and 0 < int(raw) <= 999999 else len(self.out) + 1
        item = seg.comp(3, 1).strip() or None
        self.current = {"seg": seg, "number": number, "item": item,
                        "ids": [(seg.comp(3, 2), item, seg.where(3))] if item else [],
                        "desc": [], "ftx": [], "qty": None, "unit": None, "price": None,
                        "date": None, "date_rank": len(REQUESTED)}

    def add(self, seg: S.Segment) -> None:
        c = self.current
        if c is None:
            return
        tag = seg.tag
        if tag == "PIA":
            for k in range(2, 7):   # up to five C212 ids, each with its type (7143)
                if value := seg.comp(k, 1).strip():
                    c["ids"].append((seg.comp(k, 2), value, seg.where(k)))
            if c["item"] is None and c["ids"]:
                c["item"] = c["ids"][0][1]
        elif tag == "IMD":
            text = seg.comp(3, 4) + seg.comp(3, 5)
            if text:
                c["desc"].append((seg.comp(1) == "F", text))
        elif tag == "FTX":
            text = "".join(seg.comp(4, k) for k in range(1, 6))
            if text:
                c["ftx"].append(text)
        elif tag == "QTY" and seg.comp(1, 1) in self.kind.qty:
            rank = self.kind.qty.index(seg.comp(1, 1))
            if c["qty"] is None or rank < c["qty"][0]:
                q = E.quantity(seg.comp(1, 2), seg.where(1), mark=",")
                c["qty"] = (rank, q)
                c["unit"] = seg.comp(1, 3).strip() or DEFAULT_UNIT
        elif tag == "PRI" and c["price"] is None or tag == "PRI" and seg.comp(1, 1) == "AAA":
            price = _num(seg, 1, 2)
            basis = seg.comp(1, 5).strip()
            if basis:
                per = E.decimal(basis, seg.where(1), mark=",")
                if per <= 0:
                    raise InvalidRequest(f"{seg.where(1)}: unit price basis {basis!r} is not "
                                         f"positive")
                price = price / per
                if price.as_tuple().exponent < -6:  # type: ignore[operator]
                    raise Unrepresentable(f"{seg.where(1)}: price {seg.comp(1, 2)} per {basis} "
                                          f"units is not a unit price of at most 6 decimals")
            c["price"] = price
        elif tag == "DTM" and seg.comp(1, 1) in REQUESTED:
            rank = REQUESTED.index(seg.comp(1, 1))
            if rank < c["date_rank"]:
                c["date"], c["date_rank"] = _date(seg), rank

    def renumber_if_repeated(self) -> None:
        # Native line numbers are kept; where they repeat (the same line shipped
        # in several packages) the lines are numbered 1..n in message order.
        numbers = [ln.number for ln in self.out]
        if len(set(numbers)) != len(numbers):
            self.out = [replace(ln, number=i) for i, ln in enumerate(self.out, start=1)]

    def finish(self) -> None:
        c, self.current = self.current, None
        if c is None:
            return
        seg = c["seg"]
        by_name = c["item"] is None
        if by_name:  # no LIN or PIA id: the item's name (IMD), which the agreement must map
            names = [t for is_free, t in c["desc"] if is_free]
            c["item"] = names[0].strip() if names else None
        if c["item"] is None:
            raise InvalidRequest(f"{seg.where()}: line {c['number']} names no item (LIN, PIA or "
                                 f"IMD)")
        if c["qty"] is None:
            raise InvalidRequest(f"{seg.where()}: line {c['number']} has no QTY with qualifier "
                                 f"{' or '.join(self.kind.qty)}")
        free = [t for is_free, t in c["desc"] if is_free] or [t for _f, t in c["desc"]] or c["ftx"]
        if by_name:  # the name became the item; the other texts describe it
            free = [t for is_free, t in c["desc"] if not is_free] or c["ftx"]
        # the first id is the item (through the CIA); every other one travels as an item id
        self.item_ids.append(tuple((P.edifact_item_scheme(t.strip() or P.MUTUAL, w), v)
                                   for t, v, w in c["ids"][1:]))
        self.out.append(DocLine(
            number=c["number"],
            item=E.item_code(c["item"], self.context, seg.where(), by_name=by_name),
            quantity=c["qty"][1], unit=c["unit"], description="".join(free) or None,
            unit_price=c["price"], requested_date=c["date"]))


def read_message(msg: S.Message, context: AdapterContext) -> Canonical:
    where = msg.where()
    kind = KINDS.get(msg.type)
    if kind is None:
        raise InvalidRequest(f"{where}: message type {msg.type} is not one the {KIND} adapter "
                             f"reads ({', '.join(KINDS)})")
    segs = msg.segments
    bgm = next((s for s in segs if s.tag == "BGM"), None)
    if bgm is None:
        raise InvalidRequest(f"{where}: the message has no BGM segment (document number)")
    named = bgm.comp(1, 4)
    doc_type = DocType(named) if named in {t.value for t in kind.types} else kind.types[0]
    code, function = bgm.comp(1, 1), bgm.comp(3, 1)
    purpose = Purpose.ORIGINAL
    response = None
    if msg.type == "ORDRSP":
        purpose, response = Purpose.RESPONSE, RESPONSE_OF.get(function, Response.ACCEPTED)
    elif function == "1" or code == "381":
        purpose = Purpose.CANCELLATION
    elif function in ("4", "5") or msg.type == "ORDCHG":
        purpose = Purpose.CHANGE
    own_number = E.number(bgm.comp(2, 1), bgm.where(2))

    issue = requested = currency = None
    issue_rank, requested_rank = len(ISSUED), len(REQUESTED)
    notes: list[str] = []
    buyer = seller = None
    refs: list[tuple[S.Segment, DocType, str, Decimal | None]] = []
    lines = _Lines(kind, context, where)
    nads: list[S.Segment] = []
    in_lines = after_rff = False
    cnt: S.Segment | None = None
    for seg in segs:
        tag = seg.tag
        if tag == "LIN":
            in_lines = True
            lines.start(seg)
            continue
        if tag == "UNS":
            lines.finish()
            in_lines = False
            continue
        if in_lines:
            lines.add(seg)
            continue
        if tag == "CNT" and seg.comp(1, 1) == "2":
            cnt = seg
        if tag == "DTM" and after_rff:
            continue  # the date of the reference before it
        after_rff = tag == "RFF" or (tag == "DTM" and after_rff)
        if tag == "DTM":
            q = seg.comp(1, 1)
            if q in ISSUED and ISSUED.index(q) < issue_rank:
                issue, issue_rank = _date(seg), ISSUED.index(q)
            elif q in REQUESTED and REQUESTED.index(q) < requested_rank:
                requested, requested_rank = _date(seg), REQUESTED.index(q)
        elif tag == "FTX" and seg.comp(1) != "DOC":  # DOC names a specification, not a note
            notes.append("".join(seg.comp(4, k) for k in range(1, 6)))
        elif tag == "NAD":
            nads.append(seg)
            role, pid = seg.comp(1), seg.comp(2, 1).strip() or None
            if role == kind.buyer and buyer is None:
                buyer = pid
            elif (role == kind.seller or (kind.seller == "SU" and role in SELLER_ROLES)) \
                    and seller is None:
                seller = pid
        elif tag == "CUX" and len(seg.comp(1, 2)) == 3 and seg.comp(1, 2).isalpha():
            currency = currency or seg.comp(1, 2)
        elif tag == "RFF":
            parsed = _reference(seg)
            if parsed:
                refs.append((seg, *parsed))
    lines.finish()
    if issue is None:
        raise InvalidRequest(f"{where}: the message has no document date (DTM+137, or DTM+3 / "
                             f"+11 / +50)")
    # An ORDRSP answering an order, or a message cancelling its document (1225 = 1),
    # may name the document and no line (LIN); any other message carries its lines.
    E.lines_required(purpose, len(lines.out), where)
    if cnt is not None and cnt.comp(1, 2).strip().isdigit() \
            and int(cnt.comp(1, 2)) != len(lines.out):
        raise InvalidRequest(f"{cnt.where(1)}: CNT+2 says {cnt.comp(1, 2)} line items, the "
                             f"message has {len(lines.out)}")
    lines.renumber_if_repeated()

    number, response_number = own_number, None
    if purpose is Purpose.RESPONSE:
        order = next((r for r in refs if r[1] == D.PURCHASE_ORDER), None)
        if order is not None:
            refs.remove(order)
            number = E.number(order[2], order[0].where(1))
            response_number = own_number if own_number != number else None
    else:  # an order's own number repeated as a reference is no reference
        refs = [r for r in refs if not (r[1] == doc_type and r[2] == number)]
    company, partner = E.owner_and_partner(
        doc_type, E.Parties(buyer=buyer, seller=seller), context, where,
        sent_by_owner=(doc_type in SENT_BY_OWNER) != (purpose is Purpose.RESPONSE))
    references = tuple(
        DocRef(company=E.reference_company(doc_type.value, t.value, company, partner),
               type=t.value, number=E.number(n, seg.where(1)), quantity=q)
        for seg, t, n, q in refs)
    doc = Doc(type=doc_type.value, number=number, company=company, partner=partner,
              issue_date=issue, requested_date=requested, currency=currency,
              note="".join(notes) or None, lines=tuple(lines.out), references=references)
    return E.canonical(purpose, doc, where, response=response, response_number=response_number,
                       parties=_parties(nads, kind, context), item_ids=lines.item_ids)


def _parties(nads: list[S.Segment], kind: Kind, context: AdapterContext) -> list[P.Party]:
    """Every NAD as a party (role, C082 id with its agency 3055, C080 name or else the
    C058 lines, C059 street, city, region, postcode, country), but for the NADs that only
    name the two companies by their agreed ids (edi_doc.identity_ids)."""
    identity = E.identity_ids(context)
    out = []
    for seg in nads:
        pid, agency = seg.comp(2, 1).strip(), seg.comp(2, 3).strip()
        rest = any(seg.comp(i, j) for i in range(3, 10) for j in range(1, 6))
        if seg.comp(1) in (kind.buyer, kind.seller) and not rest and agency == P.MUTUAL \
                and pid in identity:
            continue
        name = "".join(seg.comp(4, j) for j in range(1, 6)) or \
            "\n".join(v for j in range(1, 6) if (v := seg.comp(3, j)))
        out.append(P.Party(
            role=P.EDIFACT_ROLE.get(seg.comp(1), "Other"),
            ids=((P.edifact_id_scheme(agency or P.MUTUAL, seg.where(2)), pid),) if pid else (),
            name=name or None,
            address=P.Address(street=tuple(v for j in range(1, 5) if (v := seg.comp(5, j))),
                              city=seg.comp(6) or None, region=seg.comp(7) or None,
                              postal_code=seg.comp(8) or None,
                              country=P.country(seg.comp(9), seg.where(9)))))
    return out


def _reference(seg: S.Segment) -> tuple[DocType, str, Decimal | None] | None:
    qualifier, value = seg.comp(1, 1), seg.comp(1, 2).strip()
    qty_text = seg.comp(1, 4).strip()
    qty = E.quantity(qty_text, seg.where(1), mark=",") if qty_text else None
    if qualifier in REF_TYPE and value:
        return REF_TYPE[qualifier], value, qty
    if qualifier == RELATED and "/" in value:
        name, number = value.split("/", 1)
        if name in DocType.__members__.values() or name in {t.value for t in DocType}:
            return DocType(name), number, qty
    return None


# ------------------------------------------------------------------ writing

def _text(value: str, context: AdapterContext, where: str) -> str:
    return encode_text(value, charset_of(context), context.text_rule, where)


def _code(value: str, where: str, context: AdapterContext, most: int = 35) -> str:
    # identifiers are never transliterated: a changed code names another part; nor cut
    # to their data element's length (an..35 for numbers, item and party ids)
    value = encode_text(value, charset_of(context), TextRule.REFUSE, where)
    return E.fits(value, most, where, "value")


def _chunks(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def write_message(message: Canonical, context: AdapterContext) -> S.OutMessage:
    doc = from_element(message.document)
    doc_type = DocType(doc.type)
    where = f"{doc.type} {doc.number}"
    target = MESSAGE_OF.get(doc_type)
    if target is None:
        raise Unrepresentable(f"{where}: the {KIND} adapter carries no {doc.type}")
    name = target[message.purpose] if isinstance(target, dict) else target
    if message.purpose is Purpose.RESPONSE and name != "ORDRSP":
        raise Unrepresentable(f"{where}: only an order has a response")
    kind = KINDS[name]
    E.lines_required(message.purpose, len(doc.lines), where)
    body: list[str] = []
    seg = S.segment
    if message.purpose is Purpose.RESPONSE:
        function = RESPONSE_CODE[message.response or Response.ACCEPTED]
        own = message.response_number or doc.number
    else:
        function, own = FUNCTION[message.purpose], doc.number
    body.append(seg("BGM", (kind.code, "", "", doc.type), _code(own, f"{where} number", context),
                    function))
    body.append(seg("DTM", ("137", doc.issue_date.strftime("%Y%m%d"), "102")))
    if doc.requested_date:
        body.append(seg("DTM", ("2", doc.requested_date.strftime("%Y%m%d"), "102")))
    if doc.note:
        text = _text(doc.note, context, f"{where} note")
        parts = _chunks(text, 70)
        for i in range(0, len(parts), 5):
            body.append(seg("FTX", "AAI", "", "", tuple(parts[i:i + 5])))
    if message.purpose is Purpose.RESPONSE:
        body.append(seg("RFF", ("ON", _code(doc.number, f"{where} number", context))))
    for ref in doc.references:
        E.check_reference(doc, ref, where)
        ref_type = DocType(ref.type)
        qualifier = REF_QUALIFIER.get(ref_type, RELATED)
        value = ref.number if qualifier != RELATED else f"{ref.type}/{ref.number}"
        qty = E.plain(ref.quantity) if ref.quantity is not None else ""
        body.append(seg("RFF", (qualifier, _code(value, f"{where} reference", context), "", qty)))
    parties = E.parties_of(doc, context)
    for role, pid in ((kind.buyer, parties.buyer), (kind.seller, parties.seller)):
        if pid:
            body.append(seg("NAD", role, (_code(pid, f"{where} party", context), "", "ZZZ")))
    for party in doc.parties:
        body.append(_nad(party, context, f"{where} party {party.role}"))
    if doc.currency:
        body.append(seg("CUX", ("2", doc.currency, "9")))
    # The item number is the partner's own: its buyer's (IN) or supplier's (SA) article number.
    partner_is_seller = E.OWNER_ROLE[doc_type] == E.BUYER
    item_type = "SA" if partner_is_seller else "IN"
    for ln in doc.lines:
        item_ids = ln.item_ids
        lw = f"{where} line {ln.number}"
        item = _code(context.items.partner_code(ln.item), f"{lw} item", context)
        body.append(seg("LIN", str(ln.number), "", (item, item_type)))
        ids = [(_code(v, f"{lw} item id", context), P.edifact_item_code(sch, lw))
               for sch, v in item_ids]
        for i in range(0, len(ids), 5):   # PIA+1 (additional ids): five C212 a segment
            body.append(seg("PIA", "1", *ids[i:i + 5]))
        if ln.description:
            text = _text(ln.description, context, f"{lw} description")
            parts = _chunks(text, 35)
            for i in range(0, len(parts), 2):
                body.append(seg("IMD", "F", "", ("", "", "", *parts[i:i + 2])))
        unit = _code(ln.unit, f"{lw} unit", context, 3)
        qty = E.digits(E.plain(ln.quantity), 15, lw, "quantity")   # 6060 n..15
        body.append(seg("QTY", (kind.qty[0], qty, unit)))
        if ln.requested_date:
            body.append(seg("DTM", ("2", ln.requested_date.strftime("%Y%m%d"), "102")))
        if ln.unit_price is not None:
            body.append(seg("PRI", ("AAA", E.digits(E.plain(ln.unit_price), 15, lw,
                                                     "unit price"))))
    if doc.lines:   # a lineless response or cancellation has no detail section
        body.append(seg("UNS", "S"))
        body.append(seg("CNT", ("2", str(len(doc.lines)))))
    return S.OutMessage(type=name, body=body)


def _nad(party: P.Party, context: AdapterContext, where: str) -> str:
    """NAD+role+id::agency++name (C080, 35 a component)+street (C059)+city+region+postcode+
    country."""
    if len(party.ids) > 1:
        raise Unrepresentable(f"{where}: a NAD carries one id (C082); this party has "
                              f"{len(party.ids)}")
    c082: tuple | str = ""
    if party.ids:
        scheme, value = party.ids[0]
        c082 = (_code(value, f"{where} id", context), "", P.edifact_id_code(scheme, where))
    name = _chunks(_text(party.name, context, f"{where} name"), 35) if party.name else []
    if len(name) > 5:
        raise Unrepresentable(f"{where}: name is longer than the 5 x 35 characters of C080")
    a = party.address
    street = tuple(_text(x, context, f"{where} street") for x in a.street)
    if any(len(x) > 35 for x in street):
        raise Unrepresentable(f"{where}: a street line is longer than the 35 characters of "
                              f"C059")

    def field(value: str | None, most: int, what: str) -> str:
        return E.fits(_text(value, context, f"{where} {what}"), most, where, what) \
            if value else ""
    return S.segment("NAD", P.EDIFACT_ROLE_CODE[party.role], c082, "", tuple(name), street,
                     field(a.city, 35, "city"), field(a.region, 9, "region"),
                     field(a.postal_code, 9, "postcode"), a.country or "")


class EdifactAdapter:
    kind = "edifact-d96a"
    media_type = "application/edifact"
    file_suffix = ".edi"

    def __init__(self, *, strict_envelope: bool = True) -> None:
        # strict_envelope=False forgives wrong UNT counts and a missing UNZ, as
        # some published samples have them; the registered adapter is strict.
        self.strict_envelope = strict_envelope

    def read(self, data: bytes, context: AdapterContext) -> list[Canonical]:
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):  # the ISO 20625 XML syntax
            return [read_message(m, context) for m in X.parse(data)]
        return [read_message(m, context) for m in S.parse(data, strict=self.strict_envelope)]

    def write(self, messages: list[Canonical], context: AdapterContext) -> bytes:
        if not messages:
            raise InvalidRequest("an EDIFACT interchange needs at least one message")
        out = [write_message(m, context) for m in messages]
        sender = _code(E.native_party(context.sender, context) or "", "UNB sender", context)
        receiver = _code(E.native_party(context.receiver, context) or "", "UNB recipient",
                         context)
        return S.write(out, sender, receiver, syntax=SYNTAX[charset_of(context)])


KIND = EdifactAdapter.kind
register(EdifactAdapter())
