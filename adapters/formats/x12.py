"""ANSI X12 004010 adapter: 850, 855, 860, 856, 810, 820, 180 (and 865, 857 read).

Each transaction set is one canonical message.  Written as 004010 with the
X12 extended character set (mixed case; X12 has no release character, so a
value holding a separator is refused):

    header   850 BEG / 855 BAK / 860 BCH / 856 BSN / 810 BIG / 820 BPR+TRN / 180 BGN
             (number, date, purpose: 00 original, 04/05 change, 01 cancellation)
    REF*ZZ*<canonical type>             the type, where it is a counterpart (SalesOrder ...)
    CUR*BY*<currency>   DTM*002*<requested date>   NTE*GEN*<note, 80 a segment>
    REF*<qualifier>*<number>*<quantity carried>    one per reference
    N1*<buyer role>**92*<id>   N1*<seller role>**92*<id>   (the two companies)
    N1*<role>*<name>*<id qualifier>*<id>  N2 N3 N4         one loop a party (edi_parties)
    lines    850/855 PO1, 860 POC, 856 HL+LIN+SN1(+CTP), 810/820 IT1, 180 BLI:
             line number, quantity, unit, unit price, item (BP / VP: the partner's code),
             then PID*F****<description, 80 a segment> and DTM*002*<line date>
    CTT*<number of lines>*<sum of quantities>

Reading takes the item from the first product id pair of a line (every further pair is
an item id, written back after it), a price per
its basis (HP hundred, TP thousand) down to a unit price, six-digit dates as
YYMMDD, and CTT01 (line count) as a control total.  Units are X12's two-letter
codes; the network's UN/ECE Rec 20 codes map onto them through edi_doc's table
(C62 and EA -> EA, PCE -> PC, KGM -> KG ...; EA reads back as C62), both ways.  An 820 without IT1 lines
is read one line per remittance (RMR): the remitted document's number as
the item, the amount paid as the quantity, the currency as the unit.
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
from . import edi_parties as P
from . import edi_x12_syntax as S

D = DocType
CHARSETS = ("x12-extended", "x12-basic")   # the first unless the agreement names the other


def charset_of(context: AdapterContext) -> str:
    name = (context.charset or CHARSETS[0]).lower()
    if name not in CHARSETS:
        raise Unrepresentable(f"character set {context.charset!r} is not an X12 character set "
                              f"({', '.join(CHARSETS)})")
    return name


@dataclass(frozen=True)
class LineLayout:
    """Where a line segment holds its values (element positions, 1-based)."""
    tag: str
    qty: int
    unit: int
    price: int | None
    basis: int | None
    ids: int               # first product id qualifier; id pairs follow


PO1 = LineLayout("PO1", 2, 3, 4, 5, 6)
POC = LineLayout("POC", 3, 5, 6, 7, 8)
IT1 = LineLayout("IT1", 2, 3, 4, 5, 6)
LIN = LineLayout("LIN", 0, 0, None, None, 2)      # quantity from SN1, price from CTP
BLI = LineLayout("BLI", 3, 4, 6, None, 1)


@dataclass(frozen=True)
class SetKind:
    functional_id: str
    types: tuple[DocType, ...]
    line: LineLayout
    buyer: tuple[str, ...] = ("BY", "ST", "BT")
    seller: tuple[str, ...] = ("SE", "SU", "VN", "SF", "SH", "RI")


SETS = {
    "850": SetKind("PO", (D.PURCHASE_ORDER, D.SALES_ORDER), PO1),
    "855": SetKind("PR", (D.PURCHASE_ORDER, D.SALES_ORDER), PO1),
    "860": SetKind("PC", (D.PURCHASE_ORDER, D.SALES_ORDER), POC),
    "865": SetKind("CA", (D.PURCHASE_ORDER, D.SALES_ORDER), POC),
    "856": SetKind("SH", (D.DELIVERY, D.RECEIVING), LIN),
    "857": SetKind("BS", (D.DELIVERY, D.RECEIVING), IT1),
    "810": SetKind("IN", (D.ACCOUNT_RECEIVABLE, D.ACCOUNT_PAYABLE), IT1),
    "820": SetKind("RA", (D.PAYMENT, D.RECEIPT), IT1, buyer=("PR",), seller=("PE",)),
    "180": SetKind("AN", (D.RETURN, D.RETURN_RECEIVING), BLI),
}
_ORDERS = {Purpose.ORIGINAL: "850", Purpose.CHANGE: "860", Purpose.CANCELLATION: "860",
           Purpose.RESPONSE: "855"}
SET_OF = {
    D.PURCHASE_ORDER: _ORDERS, D.SALES_ORDER: _ORDERS, D.DELIVERY: "856", D.RECEIVING: "856",
    D.ACCOUNT_RECEIVABLE: "810", D.ACCOUNT_PAYABLE: "810", D.PAYMENT: "820", D.RECEIPT: "820",
    D.RETURN: "180", D.RETURN_RECEIVING: "180",
}
SENT_BY_OWNER = {D.PURCHASE_ORDER, D.DELIVERY, D.ACCOUNT_RECEIVABLE, D.PAYMENT, D.RETURN}

PURPOSE_CODE = {Purpose.ORIGINAL: "00", Purpose.CHANGE: "04", Purpose.CANCELLATION: "01"}
PURPOSE_OF = {"00": Purpose.ORIGINAL, "01": Purpose.CANCELLATION, "04": Purpose.CHANGE,
              "05": Purpose.CHANGE, "06": Purpose.ORIGINAL, "07": Purpose.ORIGINAL}
ACK_CODE = {Response.ACCEPTED: "AD", Response.REJECTED: "RJ", Response.CHANGED: "AC"}
ACK_OF = {"AD": Response.ACCEPTED, "AK": Response.ACCEPTED, "AT": Response.ACCEPTED,
          "AP": Response.ACCEPTED, "AE": Response.ACCEPTED, "RJ": Response.REJECTED,
          "RD": Response.REJECTED, "AC": Response.CHANGED}

# REF qualifiers (X12 element 128).  A type without one travels as ZZ "<type>/<number>".
REF_QUALIFIER = {
    D.PURCHASE_ORDER: "PO", D.SALES_ORDER: "VN", D.DELIVERY: "PK", D.RECEIVING: "RV",
    D.ACCOUNT_RECEIVABLE: "IV", D.WORK_ORDER: "WO", D.DELIVERY_REQUEST: "DO",
}
REF_TYPE = {v: k for k, v in REF_QUALIFIER.items()}
# X12 004010 lengths the writer must keep: document numbers (BEG03, BAK03, BCH03, BIG02
# are 1/22; BSN02, BGN02, TRN02 and REF02 hold 30), product ids 48, N104 80.
NUMBER_LENGTH = {"850": 22, "855": 22, "860": 22, "810": 22}
# X12 unit codes (element 355) are two characters; the network's UN/ECE Rec 20 codes map
# onto them through the one table in edi_doc (C62 -> EA, PCE -> PC ...; EA reads as C62).
# Any other unit travels as it is, and one longer than two characters is refused.
UNIT_TO_X12 = E.REC20_TO_X12
UNIT_FROM_X12 = E.X12_TO_REC20
MUTUAL = "ZZ"
TYPE_MARK = "ZZ"
BASIS = {"HP": Decimal(100), "TP": Decimal(1000)}
REQUESTED_DTM = ("002", "010", "017", "067", "011", "037", "038", "063", "064", "068")


# ------------------------------------------------------------------ reading

def _date(text: str, where: str) -> dt.date:
    value = text.strip()
    return E.edi_date(value, where, "101" if len(value) == 6 else "102")


def _type_named(value: str, kind: SetKind) -> DocType | None:
    return next((t for t in kind.types if t.value == value), None)


class _Reader:
    def __init__(self, ts: S.TransactionSet, context: AdapterContext) -> None:
        self.ts, self.context = ts, context
        self.kind = SETS.get(ts.code)
        self.where = ts.where()
        if self.kind is None:
            raise InvalidRequest(f"{self.where}: transaction set {ts.code} is not one the "
                                 f"{KIND} adapter reads ({', '.join(SETS)})")

    def read(self) -> Canonical:
        ts, kind = self.ts, self.kind
        number = issue = None
        purpose, response, response_number = Purpose.ORIGINAL, None, None
        doc_type = kind.types[0]
        requested = currency = None
        notes: list[str] = []
        buyer = seller = None
        refs: list[tuple[S.Segment, DocType, str, Decimal | None]] = []
        lines: list[dict] = []
        remittances: list[S.Segment] = []
        ctt: S.Segment | None = None
        cur: dict | None = None
        seen_header = False
        party: dict | None = None          # the N1 loop being read (N1, N2, N3, N4)
        party_loops: list[dict] = []
        for seg in ts.segments:
            tag = seg.tag
            if party is not None and cur is None and tag in ("N2", "N3", "N4"):
                self._party_detail(seg, party)
                continue
            party = None
            if tag in ("BEG", "BAK", "BCH", "BCA", "BSN", "BIG", "BGN", "BHT", "BPR", "TRN"):
                seen_header = True
                h = self._header(seg)
                number = h.get("number", number)
                issue = h.get("issue", issue)
                purpose = h.get("purpose", purpose)
                response = h.get("response", response)
                response_number = h.get("response_number", response_number)
                if h.get("order"):
                    refs.append((seg, D.PURCHASE_ORDER, h["order"], None))
                continue
            if tag == kind.line.tag or (kind.line is IT1 and tag == "IT1"):
                cur = {"seg": seg, "desc": [], "date": None, "qty": None, "unit": None,
                       "price": None}
                lines.append(cur)
                self._line(seg, cur)
                continue
            if tag == "CTT":
                ctt = seg
                continue
            if tag == "HL":
                cur = None
                continue
            if tag == "RMR":
                remittances.append(seg)
                cur = None
                continue
            if cur is not None:
                self._line_detail(seg, cur)
                continue
            if tag == "REF" and seg.get(1) == "CK" and ts.code == "820" and number is None:
                number = seg.get(2).strip() or None  # a check number where there is no TRN
            elif tag == "REF" and seg.get(1) == TYPE_MARK and _type_named(seg.get(2), kind):
                doc_type = _type_named(seg.get(2), kind)  # type: ignore[assignment]
            elif tag in ("REF", "N9"):
                parsed = self._reference(seg)
                if parsed:
                    refs.append((seg, *parsed))
            elif tag == "PRF" and seg.get(1).strip():
                refs.append((seg, D.PURCHASE_ORDER, seg.get(1).strip(), None))
            elif tag == "CUR" and len(seg.get(2)) == 3:
                currency = currency or seg.get(2)
            elif tag == "DTM" and seg.get(1) in REQUESTED_DTM and requested is None:
                requested = _date(seg.get(2), seg.where(2))
            elif tag in ("NTE", "MSG"):
                notes.append(seg.get(2) if tag == "NTE" else seg.get(1))
            elif tag == "N1":
                party = {"seg": seg, "name": [seg.get(2)] if seg.get(2) else [],
                         "street": [], "more": False, "city": None, "region": None,
                         "postal": None, "country": None}
                party_loops.append(party)
                pid = seg.get(4).strip() or None
                if seg.get(1) in kind.buyer and buyer is None:
                    buyer = pid
                elif seg.get(1) in kind.seller and seller is None:
                    seller = pid
        if not seen_header or number is None:
            raise InvalidRequest(f"{self.where}: the beginning segment (BEG, BAK, BSN, BIG, BGN, "
                                 f"BPR/TRN ...) with the document number is missing")
        if issue is None and ts.code == "820" and ts.group_date:
            issue = _date(ts.group_date, f"{self.where}: GS04")  # no BPR16: the group's date
        if issue is None:
            raise InvalidRequest(f"{self.where}: the document has no date")
        out_lines = [self._finish(c) for c in lines]
        if not out_lines and remittances:
            out_lines = [self._remittance(seg, currency) for seg in remittances]
        elif remittances:
            refs.extend((seg, self._paid_type(doc_type), seg.get(2).strip(), None)
                        for seg in remittances if seg.get(2).strip())
        out_lines = _number_lines(out_lines)
        # An 855/865 answering an order, or an 860 cancelling it (BCH01 01), may name
        # the order and no line; any other set carries its lines.
        E.lines_required(purpose, len(out_lines), self.where)
        if ctt is not None and ctt.get(1).strip().isdigit():
            # In an 856, CTT01 counts HL segments by most partners' guides, items by others.
            counts = {len(out_lines)}
            if ts.code == "856":
                counts.add(sum(1 for s in ts.segments if s.tag == "HL"))
            if int(ctt.get(1)) not in counts:
                raise InvalidRequest(f"{ctt.where(1)}: CTT01 says {ctt.get(1)} line items, the "
                                     f"transaction set has {len(out_lines)}")
        numbers = [ln.number for ln in out_lines]
        if len(set(numbers)) != len(numbers):
            out_lines = [replace(ln, number=i) for i, ln in enumerate(out_lines, start=1)]
        refs = [r for r in refs if not (r[1] == doc_type and r[2] == number)]
        company, partner = E.owner_and_partner(
            doc_type, E.Parties(buyer=buyer, seller=seller), self.context, self.where,
            sent_by_owner=(doc_type in SENT_BY_OWNER) != (purpose is Purpose.RESPONSE))
        references = tuple(
            DocRef(company=E.reference_company(doc_type.value, t.value, company, partner),
                   type=t.value, number=E.number(n, seg.where()), quantity=q)
            for seg, t, n, q in refs)
        doc = Doc(type=doc_type.value, number=E.number(number, self.where), company=company,
                  partner=partner, issue_date=issue, requested_date=requested,
                  currency=currency, note="".join(notes) or None, lines=tuple(out_lines),
                  references=references)
        return E.canonical(purpose, doc, self.where, response=response,
                           response_number=response_number,
                           parties=self._parties(party_loops),
                           item_ids=[c["item_ids"] for c in lines])

    def _party_detail(self, seg: S.Segment, party: dict) -> None:
        party["more"] = True
        if seg.tag == "N2":
            party["name"].extend(v for v in (seg.get(1), seg.get(2)) if v)
        elif seg.tag == "N3":
            party["street"].extend(v for v in (seg.get(1), seg.get(2)) if v)
        else:
            party["city"] = seg.get(1) or None
            party["region"] = seg.get(2) or None
            party["postal"] = seg.get(3) or None
            party["country"] = P.country(seg.get(4), seg.where(4))

    def _parties(self, loops: list[dict]) -> list[P.Party]:
        """Every N1 loop as a party, but for the N1s that only name the two companies by
        their agreed ids (see edi_doc.identity_ids)."""
        identity = E.identity_ids(self.context)
        roles = (self.kind.buyer[0], self.kind.seller[0])
        out = []
        for loop in loops:
            seg = loop["seg"]
            qualifier, value = seg.get(3).strip(), seg.get(4).strip()
            if seg.get(1) in roles and not loop["name"] and not loop["more"] \
                    and qualifier == "92" and value in identity:
                continue
            ids = ((P.x12_id_scheme(qualifier or "ZZ", seg.where(3)), value),) if value else ()
            out.append(P.Party(
                role=P.X12_ROLE.get(seg.get(1), "Other"), ids=ids,
                name="\n".join(loop["name"]) or None,
                address=P.Address(street=tuple(loop["street"]), city=loop["city"],
                                  postal_code=loop["postal"], region=loop["region"],
                                  country=loop["country"])))
        return out

    def _header(self, seg: S.Segment) -> dict:
        g, tag, w = seg.get, seg.tag, seg.where
        if tag == "BEG":
            return {"number": g(3), "issue": _date(g(5), w(5)),
                    "purpose": PURPOSE_OF.get(g(1), Purpose.ORIGINAL)}
        if tag == "BAK":
            return {"number": g(3), "issue": _date(g(4), w(4)), "purpose": Purpose.RESPONSE,
                    "response": ACK_OF.get(g(2), Response.ACCEPTED),
                    "response_number": g(8).strip() or None}
        if tag == "BCA":
            return {"number": g(3), "issue": _date(g(6) or g(10), w(6)),
                    "purpose": Purpose.RESPONSE, "response": ACK_OF.get(g(2), Response.ACCEPTED)}
        if tag == "BCH":
            if g(1) not in ("01", "04", "05"):
                raise InvalidRequest(f"{w(1)}: change purpose {g(1)!r} is not 01 (cancellation) "
                                     f"or 04/05 (change)")
            return {"number": g(3), "issue": _date(g(6), w(6)),
                    "purpose": Purpose.CANCELLATION if g(1) == "01" else Purpose.CHANGE}
        if tag == "BSN":
            return {"number": g(2), "issue": _date(g(3), w(3)),
                    "purpose": PURPOSE_OF.get(g(1), Purpose.ORIGINAL)}
        if tag == "BHT":
            return {"number": g(3), "issue": _date(g(4), w(4)),
                    "purpose": PURPOSE_OF.get(g(2), Purpose.ORIGINAL)}
        if tag == "BIG":
            purpose = PURPOSE_OF.get(g(8), Purpose.ORIGINAL)
            if g(7) == "CR":  # a credit memo cancels what it credits
                purpose = Purpose.CANCELLATION
            out = {"number": g(2), "issue": _date(g(1), w(1)), "purpose": purpose}
            if g(4).strip():
                out["order"] = g(4).strip()
            return out
        if tag == "BGN":
            return {"number": g(2), "issue": _date(g(3), w(3)),
                    "purpose": PURPOSE_OF.get(g(1), Purpose.ORIGINAL)}
        if tag == "BPR":
            return {"issue": _date(g(16), w(16))} if g(16).strip() else {}
        if tag == "TRN":
            return {"number": g(2)}
        return {}

    def _ids(self, seg: S.Segment, first: int) -> list[tuple[str, str, int]]:
        """The product id pairs of a line segment: (qualifier, id, position of the id)."""
        out, i = [], first
        last = first + 1 if self.kind.line is BLI else len(seg.elements)
        while i + 1 <= last:
            if seg.get(i + 1).strip():
                out.append((seg.get(i).strip(), seg.get(i + 1).strip(), i))
            i += 2
        return out

    def _line(self, seg: S.Segment, cur: dict) -> None:
        layout = self.kind.line
        raw = seg.get(1).strip() if layout is not BLI else ""
        cur["number"] = int(raw) if raw.isdigit() and 0 < int(raw) <= 999999 else None
        pairs = self._ids(seg, layout.ids)
        # the first id is the item (through the CIA); every other id travels as an item id
        cur["item"] = pairs[0][1] if pairs else None
        cur["item_ids"] = tuple((P.x12_item_scheme(q or "ZZ", seg.where(i)), v)
                                for q, v, i in pairs[1:])
        if layout.qty:
            if layout is POC and seg.get(2) == "DI" and not seg.get(3).strip():
                raise InvalidRequest(f"{seg.where(2)}: line {raw} is deleted (DI) with no "
                                     f"quantity; a canonical change carries the order's new "
                                     f"lines, which this change does not give")
            if seg.get(layout.qty).strip():
                cur["qty"] = E.quantity(seg.get(layout.qty), seg.where(layout.qty))
            cur["unit"] = seg.get(layout.unit).strip() or None
        if layout.price and seg.get(layout.price).strip():
            price = E.decimal(seg.get(layout.price), seg.where(layout.price))
            basis = BASIS.get(seg.get(layout.basis)) if layout.basis else None
            cur["price"] = price / basis if basis else price

    def _line_detail(self, seg: S.Segment, cur: dict) -> None:
        tag = seg.tag
        if tag == "PID" and seg.get(1) == "F" and seg.get(5):
            cur["desc"].append(seg.get(5))
        elif tag == "DTM" and seg.get(1) in REQUESTED_DTM and cur["date"] is None:
            cur["date"] = _date(seg.get(2), seg.where(2))
        elif tag == "SN1" and cur["qty"] is None:
            cur["qty"] = E.quantity(seg.get(2), seg.where(2))
            cur["unit"] = seg.get(3).strip() or None
        elif tag == "CTP" and cur["price"] is None and seg.get(3).strip():
            cur["price"] = E.decimal(seg.get(3), seg.where(3))
        elif tag == "REF" and seg.get(1) == "LI" and seg.get(2).strip().isdigit():
            cur["number"] = int(seg.get(2)) or None
        elif tag == "ACK" and cur["qty"] is None and seg.get(2).strip():
            cur["qty"] = E.quantity(seg.get(2), seg.where(2))
            cur["unit"] = cur["unit"] or seg.get(3).strip() or None

    def _finish(self, cur: dict) -> DocLine:
        seg = cur["seg"]
        if cur["item"] is None:
            raise InvalidRequest(f"{seg.where()}: the line names no item")
        if cur["qty"] is None or not cur["unit"]:
            raise InvalidRequest(f"{seg.where()}: the line has no quantity and unit")
        price = cur["price"]
        if price is not None and price.as_tuple().exponent < -6:  # type: ignore[operator]
            raise Unrepresentable(f"{seg.where()}: unit price {price} has more than 6 decimals")
        return DocLine(number=cur["number"] or 0, item=E.item_code(cur["item"], self.context,
                                                                   seg.where()),
                       quantity=cur["qty"], unit=E.rec20_unit(cur["unit"]),
                       description="".join(cur["desc"]) or None, unit_price=price,
                       requested_date=cur["date"])

    def _remittance(self, seg: S.Segment, currency: str | None) -> DocLine:
        if not seg.get(2).strip() or not seg.get(4).strip():
            raise InvalidRequest(f"{seg.where()}: a remittance without a document number or "
                                 f"an amount paid")
        return DocLine(number=0, item=E.item_code(seg.get(2).strip(), self.context, seg.where(2)),
                       quantity=E.quantity(seg.get(4), seg.where(4)), unit=currency or "USD")

    @staticmethod
    def _paid_type(doc_type: DocType) -> DocType:
        return D.ACCOUNT_PAYABLE if doc_type == D.PAYMENT else D.ACCOUNT_RECEIVABLE

    def _reference(self, seg: S.Segment) -> tuple[DocType, str, Decimal | None] | None:
        qualifier, value = seg.get(1), seg.get(2).strip()
        qty_text = seg.get(3).strip() if seg.tag == "REF" else ""
        if qualifier in REF_TYPE and value:
            qty = E.quantity(qty_text, seg.where(3)) if _is_number(qty_text) else None
            return REF_TYPE[qualifier], value, qty
        if qualifier == MUTUAL and "/" in value:
            name, number = value.split("/", 1)
            if name in {t.value for t in DocType}:
                qty = E.quantity(qty_text, seg.where(3)) if _is_number(qty_text) else None
                return DocType(name), number, qty
        return None


def _is_number(text: str) -> bool:
    try:
        return bool(text) and Decimal(text) > 0
    except ArithmeticError:
        return False


def _number_lines(out: list[DocLine]) -> list[DocLine]:
    return [ln if ln.number else replace(ln, number=i) for i, ln in enumerate(out, start=1)]


# ------------------------------------------------------------------ writing

class _Writer:
    def __init__(self, message: Canonical, context: AdapterContext) -> None:
        self.m, self.context = message, context
        self.doc = from_element(message.document)
        self.where = f"{self.doc.type} {self.doc.number}"

    def v(self, value: str, what: str, most: int = 30) -> str:
        """An identifier: exactly as it is, within ``most`` characters, or refused."""
        value = encode_text(value, charset_of(self.context), TextRule.REFUSE,
                            f"{self.where} {what}")
        E.fits(value, most, self.where, what)
        return S.check_value(value, f"{self.where} {what}")

    def t(self, value: str, what: str) -> str:
        """Free text, by the agreement's text rule."""
        value = encode_text(value, charset_of(self.context), self.context.text_rule,
                            f"{self.where} {what}")
        return S.check_value(value, f"{self.where} {what}")

    def chunks(self, value: str, what: str, size: int = 80) -> list[str]:
        """Free text in elements of ``size`` characters.  X12 holds trailing blanks
        insignificant, so no piece may end with one: pieces are cut before a blank
        run, and text that itself ends with blanks is refused (or, under the
        transliterate rule, sent without them)."""
        text = self.t(value, what)
        if text != text.rstrip():
            if self.context.text_rule is not TextRule.TRANSLITERATE:
                raise Unrepresentable(f"{self.where} {what}: ends with blanks, which X12 does "
                                      f"not carry (trailing blanks are insignificant)")
            text = text.rstrip()
        out, i = [], 0
        while i < len(text):
            end = min(i + size, len(text))
            while end > i and text[end - 1].isspace():
                end -= 1
            if end == i:
                raise Unrepresentable(f"{self.where} {what}: a run of {size} blanks cannot be "
                                      f"carried")
            out.append(text[i:end])
            i = end
        return out

    def write(self) -> S.OutSet:
        doc, m, seg = self.doc, self.m, S.segment
        doc_type = DocType(doc.type)
        target = SET_OF.get(doc_type)
        if target is None:
            raise Unrepresentable(f"{self.where}: the {KIND} adapter carries no {doc.type}")
        code = target[m.purpose] if isinstance(target, dict) else target
        if m.purpose is Purpose.RESPONSE and code != "855":
            raise Unrepresentable(f"{self.where}: only an order has a response")
        kind = SETS[code]
        E.lines_required(m.purpose, len(doc.lines), self.where)
        date = doc.issue_date.strftime("%Y%m%d")
        number = self.v(doc.number, "number", NUMBER_LENGTH.get(code, 30))
        body: list[str] = []
        if code == "850":
            body.append(seg("BEG", "00", "SA", number, "", date))
        elif code == "860":
            body.append(seg("BCH", PURPOSE_CODE[m.purpose], "SA", number, "", "", date))
        elif code == "855":
            body.append(seg("BAK", "00", ACK_CODE[m.response or Response.ACCEPTED], number, date,
                            "", "", "", self.v(m.response_number or "", "response number")))
        elif code == "856":
            body.append(seg("BSN", PURPOSE_CODE[m.purpose], number, date, "0000"))
        elif code == "810":
            body.append(seg("BIG", date, number, "", "", "", "", "", PURPOSE_CODE[m.purpose]))
        elif code == "820":
            if m.purpose is not Purpose.ORIGINAL:
                raise Unrepresentable(f"{self.where}: an 820 has no purpose code; only an "
                                      f"original payment can be sent")
            total = sum((ln.quantity * (ln.unit_price or 0) for ln in doc.lines), Decimal(0))
            body.append(seg("BPR", "I", E.plain(total), "C", "NON", *[""] * 11, date))
            body.append(seg("TRN", "1", number))
        elif code == "180":
            body.append(seg("BGN", PURPOSE_CODE[m.purpose], number, date))
        if doc_type != kind.types[0]:
            body.append(seg("REF", TYPE_MARK, doc.type))
        if doc.currency:
            body.append(seg("CUR", "BY", doc.currency))
        if doc.requested_date:
            body.append(seg("DTM", "002", doc.requested_date.strftime("%Y%m%d")))
        if doc.note:
            body.extend(seg("NTE", "GEN", part) for part in self.chunks(doc.note, "note"))
        for ref in doc.references:
            E.check_reference(doc, ref, self.where)
            rt = DocType(ref.type)
            qualifier = REF_QUALIFIER.get(rt, MUTUAL)
            value = ref.number if qualifier != MUTUAL else f"{ref.type}/{ref.number}"
            qty = E.plain(ref.quantity) if ref.quantity is not None else ""
            body.append(seg("REF", qualifier, self.v(value, "reference"), qty))
        parties = E.parties_of(doc, self.context)
        for role, pid in ((kind.buyer[0], parties.buyer), (kind.seller[0], parties.seller)):
            if pid:
                body.append(seg("N1", role, "", "92", self.v(pid, "party", 80)))
        for party in doc.parties:
            body.extend(self._party(party))
        id_type = "VP" if E.OWNER_ROLE[doc_type] == E.BUYER else "BP"
        if code == "856":
            body.append(seg("HL", "1", "", "S"))
        for i, ln in enumerate(doc.lines, start=2):
            body.extend(self._line(code, ln, id_type, i, ln.item_ids))
        if code != "820" and doc.lines:   # a lineless response or cancellation: no CTT
            count = len(doc.lines) + 1 if code == "856" else len(doc.lines)  # 856: HL segments
            body.append(seg("CTT", str(count),
                            E.plain(sum((ln.quantity for ln in doc.lines), Decimal(0)))))
        return S.OutSet(code=code, functional_id=kind.functional_id, body=body)

    def _party(self, party: P.Party) -> list[str]:
        """One N1 loop: N1 (role, name, id), N2 (more name lines), N3 (street), N4."""
        seg, w = S.segment, f"party {party.role}"
        if len(party.ids) > 1:
            raise Unrepresentable(f"{self.where} {w}: an X12 N1 carries one id; this party has "
                                  f"{len(party.ids)}")
        def text(value: str, what: str, most: int) -> str:
            # X12 004010 N102/N201 hold 60, N301 55, N401 30, N402 2, N403 15, N404 3
            return E.fits(self.t(value, f"{w} {what}"), most, self.where, f"{w} {what}")

        names = party.name.split("\n") if party.name else []
        n1 = [P.X12_ROLE_CODE[party.role], text(names[0], "name", 60) if names else ""]
        if party.ids:
            scheme, value = party.ids[0]
            n1 += [P.x12_id_code(scheme, f"{self.where} {w}"), self.v(value, f"{w} id", 80)]
        out = [seg("N1", *n1)]
        rest = names[1:]
        for i in range(0, len(rest), 2):
            out.append(seg("N2", *(text(x, "name", 60) for x in rest[i:i + 2])))
        a = party.address
        for i in range(0, len(a.street), 2):
            out.append(seg("N3", *(text(x, "street", 55) for x in a.street[i:i + 2])))
        if a.city or a.region or a.postal_code or a.country:
            out.append(seg("N4", text(a.city or "", "city", 30), text(a.region or "", "region", 2),
                           text(a.postal_code or "", "postcode", 15), a.country or ""))
        return out

    def _line(self, code: str, ln: DocLine, id_type: str, hl: int,
              item_ids: tuple = ()) -> list[str]:
        seg, w = S.segment, f"line {ln.number}"
        item = self.v(self.context.items.partner_code(ln.item), f"{w} item", 48)
        more: list[str] = []
        for scheme, value in item_ids:
            more += [P.x12_item_code(scheme, value, f"{self.where} {w}"),
                     self.v(value, f"{w} item id", 48)]
        if more and code == "180":
            raise Unrepresentable(f"{self.where} {w}: an X12 180 line (BLI) carries one "
                                  f"product id")
        qty = E.plain(ln.quantity)
        unit = self.v(E.x12_unit(ln.unit), f"{w} unit", 2)
        E.digits(qty, 15, self.where, f"{w} quantity")
        if ln.unit_price is not None:
            E.digits(E.plain(ln.unit_price), 17, self.where, f"{w} unit price")
        price = E.plain(ln.unit_price) if ln.unit_price is not None else ""
        basis = "PE" if price else ""
        n = str(ln.number)
        out: list[str] = []
        if code in ("850", "855"):
            out.append(seg("PO1", n, qty, unit, price, basis, id_type, item, *more))
        elif code == "860":
            out.append(seg("POC", n, "DI" if self.m.purpose is Purpose.CANCELLATION else "CA",
                           qty, "", unit, price, basis, id_type, item, *more))
        elif code in ("810", "820"):
            out.append(seg("IT1", n, qty, unit, price, basis, id_type, item, *more))
        elif code == "180":
            out.append(seg("BLI", id_type, item, qty, unit, "UCP" if price else "", price))
            out.append(seg("REF", "LI", n))
        elif code == "856":
            out.append(seg("HL", str(hl), "1", "I"))
            out.append(seg("LIN", n, id_type, item, *more))
            out.append(seg("SN1", "", qty, unit))
            if price:
                out.append(seg("CTP", "", "UCP", price))
        if ln.description:
            out.extend(seg("PID", "F", "", "", "", part)
                       for part in self.chunks(ln.description, f"{w} description"))
        if ln.requested_date:
            out.append(seg("DTM", "002", ln.requested_date.strftime("%Y%m%d")))
        return out


class X12Adapter:
    kind = "x12-4010"
    media_type = "application/edi-x12"
    file_suffix = ".x12"

    def read(self, data: bytes, context: AdapterContext) -> list[Canonical]:
        return [_Reader(ts, context).read() for ts in S.parse(data)]

    def write(self, messages: list[Canonical], context: AdapterContext) -> bytes:
        if not messages:
            raise InvalidRequest("an X12 interchange needs at least one transaction set")
        sets = [_Writer(m, context).write() for m in messages]
        sender = E.native_party(context.sender, context) or ""
        receiver = E.native_party(context.receiver, context) or ""
        return S.write(sets, sender, receiver)


KIND = X12Adapter.kind
register(X12Adapter())
