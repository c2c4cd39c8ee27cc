"""SAP IDoc: the segment model, its mapping to canonical documents, and the XML form.

One IDoc is a control record (EDI_DC40) and a tree of data segments.  Both
forms SAP exchanges, the XML form (``<ORDERS05><IDOC BEGIN="1">...``, kind
"sap-idoc") and the fixed-length flat file of file ports (idoc_flat.py, kind
"sap-idoc-flat"), are read into the same ``Idoc`` value and mapped to the
canonical document by the same code here, so the two forms cannot drift.

Which IDoc carries which canonical message (the message type, MESTYP, says the
family; the document type, E1EDK01-BSART, the canonical type within it;
E1EDK01-ACTION the purpose):

    family  MESTYP (Original / Change+Cancel / Response)  IDOCTYP   BSART: canonical type
    order   ORDERS / ORDCHG / ORDRSP                     ORDERS05  NB PurchaseOrder, TA SalesOrder,
                                                                   RE Return, RL ReturnReceiving
    despatch DESADV                                      ORDERS05  LF Delivery, WE Receiving
    invoice INVOIC                                       INVOIC02  INVO AccountReceivable,
                                                                   KR AccountPayable
    payment REMADV                                       INVOIC02  ZP Payment, DZ Receipt

    ACTION: blank or 001 Original, 002 Change, 003 Cancellation; in an ORDRSP
    001 Accepted, 002 Changed, 003 Rejected (the order answered, with the
    receiver's own number in E1EDK02 qualifier 002).

Any other BSART (customer types such as ZRLS) reads as the family's first type.
A customer message type (ZZORDERS) reads as the standard type it ends with.
The gateway's IDocs use the ORDERS05/INVOIC02 segment set for every family,
and carry references to preceding documents in the extension segment
Z1GWREF (IDoc extension ZSMARTGW), which E1EDK02 cannot hold (company and
quantity).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

from smart_gateway.domain.errors import InvalidRequest, SchemaInvalid, UnmappedCode, Unrepresentable
from smart_gateway.messages import safe_xml

from .. import canonical_doc as cd
from ..base import AdapterContext, Canonical, Purpose, Response
from ..registry import register
from ..text import check_text, encode_text

# ---------------------------------------------------------------- segment layouts
# Field name and length (characters) of each segment, in SAP's order: the flat
# form's positions and the XML form's element order both come from here.  The
# positions were checked against the corpus files (E1EDK01-RECIPNT_NO at 212,
# E1EDP01-MATKL at 175 and BRGEW at 257, E1EDKA1-ILNNR at 873 ...).
CONTROL = (
    ("TABNAM", 10), ("MANDT", 3), ("DOCNUM", 16), ("DOCREL", 4), ("STATUS", 2), ("DIRECT", 1),
    ("OUTMOD", 1), ("EXPRSS", 1), ("TEST", 1), ("IDOCTYP", 30), ("CIMTYP", 30), ("MESTYP", 30),
    ("MESCOD", 3), ("MESFCT", 3), ("STD", 1), ("STDVRS", 6), ("STDMES", 6), ("SNDPOR", 10),
    ("SNDPRT", 2), ("SNDPFC", 2), ("SNDPRN", 10), ("SNDSAD", 21), ("SNDLAD", 70), ("RCVPOR", 10),
    ("RCVPRT", 2), ("RCVPFC", 2), ("RCVPRN", 10), ("RCVSAD", 21), ("RCVLAD", 70), ("CREDAT", 8),
    ("CRETIM", 6), ("REFINT", 14), ("REFGRP", 14), ("REFMES", 14), ("ARCKEY", 70), ("SERIAL", 20),
)
_TEXT_HEAD = (("TDID", 4), ("TSSPRAS", 3), ("TSSPRAS_ISO", 2))
_TEXT_LINE = (("TDLINE", 70), ("TDFORMAT", 2))
SEGMENTS: dict[str, tuple[tuple[str, int], ...]] = {
    "E1EDK01": (("ACTION", 3), ("KZABS", 1), ("CURCY", 3), ("HWAER", 3), ("WKURS", 12),
                ("ZTERM", 17), ("KUNDEUINR", 20), ("EIGENUINR", 20), ("BSART", 4), ("BELNR", 35),
                ("NTGEW", 18), ("BRGEW", 18), ("GEWEI", 3), ("FKART_RL", 4), ("ABLAD", 25),
                ("BSTZD", 4), ("VSART", 2), ("VSART_BEZ", 20), ("RECIPNT_NO", 10), ("KZAZU", 1),
                ("AUTLF", 1), ("AUGRU", 3), ("AUGRU_BEZ", 40), ("ABRVW", 3), ("ABRVW_BEZ", 20),
                ("FKTYP", 1), ("LIFSK", 2), ("LIFSK_BEZ", 20), ("EMPST", 25), ("ABTNR", 4),
                ("DELCO", 3), ("WKURS_M", 12)),
    "E1EDK14": (("QUALF", 3), ("ORGID", 35)),
    "E1EDK03": (("IDDAT", 3), ("DATUM", 8), ("UZEIT", 6)),
    "E1EDKA1": (("PARVW", 3), ("PARTN", 17), ("LIFNR", 17), ("NAME1", 35), ("NAME2", 35),
                ("NAME3", 35), ("NAME4", 35), ("STRAS", 35), ("STRS2", 35), ("PFACH", 35),
                ("ORT01", 35), ("COUNC", 9), ("PSTLZ", 9), ("PSTL2", 9), ("LAND1", 3),
                ("ABLAD", 35), ("PERNR", 30), ("PARNR", 30), ("TELF1", 25), ("TELF2", 25),
                ("TELBX", 25), ("TELFX", 25), ("TELTX", 25), ("TELX1", 25), ("SPRAS", 1),
                ("ANRED", 15), ("ORT02", 35), ("HAUSN", 6), ("STOCK", 6), ("REGIO", 3),
                ("PARGE", 1), ("ISOAL", 2), ("ISONU", 2), ("FCODE", 20), ("IHREZ", 30),
                ("BNAME", 35), ("PAORG", 30), ("ORGTX", 35), ("PAGRU", 30), ("KNREF", 30),
                ("ILNNR", 70), ("PFORT", 35), ("SPRAS_ISO", 2), ("TITLE", 15)),
    "E1EDK02": (("QUALF", 3), ("BELNR", 35), ("POSNR", 6), ("DATUM", 8), ("UZEIT", 6)),
    "E1EDK17": (("QUALF", 3), ("LKOND", 3), ("LKTEXT", 70)),
    "E1EDK18": (("QUALF", 3), ("TAGE", 8), ("PRZNT", 8), ("ZTERM_TXT", 70)),
    "E1EDKT1": _TEXT_HEAD,
    "E1EDKT2": _TEXT_LINE,
    "E1EDP01": (("POSEX", 6), ("ACTION", 3), ("PSTYP", 1), ("KZABS", 1), ("MENGE", 15),
                ("MENEE", 3), ("BMNG2", 15), ("PMENE", 3), ("ABFTZ", 7), ("VPREI", 15),
                ("PEINH", 9), ("NETWR", 18), ("ANETW", 18), ("SKFBP", 18), ("NTGEW", 18),
                ("GEWEI", 3), ("EINKZ", 1), ("CURCY", 3), ("PREIS", 18), ("MATKL", 9),
                ("UEPOS", 6), ("GRKOR", 3), ("EVERS", 7), ("BPUMN", 6), ("BPUMZ", 6), ("ABGRU", 2),
                ("ABGRT", 40), ("ANTLF", 1), ("FIXMG", 1), ("KZAZU", 1), ("BRGEW", 18),
                ("PSTYV", 4), ("EMPST", 25), ("ABTNR", 4), ("ABRVW", 3), ("WERKS", 4),
                ("LPRIO", 2), ("LPRIO_BEZ", 20), ("ROUTE", 6), ("ROUTE_BEZ", 40), ("LGORT", 4),
                ("VSTEL", 4), ("DELCO", 3), ("MATNR", 35), ("VALTG", 2), ("HIPOS", 6),
                ("HIEVW", 1), ("POSGUID", 22)),
    "E1EDP02": (("QUALF", 3), ("BELNR", 35), ("ZEILE", 6), ("DATUM", 8), ("UZEIT", 6),
                ("BSARK", 35), ("IHREZ", 30)),
    "E1EDP19": (("QUALF", 3), ("IDTNR", 35), ("KTEXT", 70), ("MFRPN", 42), ("MFRNR", 10)),
    "E1EDP20": (("WMENG", 15), ("AMENG", 15), ("EDATU", 8), ("EZEIT", 6), ("EDATU_OLD", 8),
                ("EZEIT_OLD", 6), ("ACTION", 3)),
    "E1EDPT1": _TEXT_HEAD,
    "E1EDPT2": _TEXT_LINE,
    "E1EDS01": (("SUMID", 3), ("SUMME", 18), ("SUNIT", 3), ("WAERQ", 3)),
    "Z1GWREF": (("PARTN", 35), ("DOCTYP", 20), ("BELNR", 35), ("MENGE", 15)),
}
FIELDS = {name: dict(layout) for name, layout in SEGMENTS.items()}
CONTROL_FIELDS = dict(CONTROL)

# Which segment may hold which: None is the IDoc itself.
CHILDREN: dict[str | None, frozenset[str]] = {
    None: frozenset({"E1EDK01", "E1EDK14", "E1EDK03", "E1EDKA1", "E1EDK02", "E1EDK17",
                     "E1EDK18", "E1EDKT1", "E1EDP01", "E1EDS01", "Z1GWREF"}),
    "E1EDKT1": frozenset({"E1EDKT2"}),
    "E1EDP01": frozenset({"E1EDP02", "E1EDP19", "E1EDP20", "E1EDPT1"}),
    "E1EDPT1": frozenset({"E1EDPT2"}),
}
PARENT = {child: parent for parent, kids in CHILDREN.items() for child in kids}


@dataclass
class Segment:
    name: str
    fields: dict[str, str]
    where: str                              # "record 12" / "IDOC[1]/E1EDP01[2]": for faults
    children: list[Segment] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    def kids(self, name: str) -> list[Segment]:
        return [c for c in self.children if c.name == name]


@dataclass
class Idoc:
    control: dict[str, str]
    segments: list[Segment]
    where: str

    def top(self, name: str) -> list[Segment]:
        return [s for s in self.segments if s.name == name]


# ---------------------------------------------------------------- the type table
_FAMILIES = {  # family -> (MESTYP Original, Change, Response, IDOCTYP, {BSART: type})
    "order": ("ORDERS", "ORDCHG", "ORDRSP", "ORDERS05",
              {"NB": "PurchaseOrder", "TA": "SalesOrder", "RE": "Return", "RL": "ReturnReceiving"}),
    "despatch": ("DESADV", "DESADV", None, "ORDERS05", {"LF": "Delivery", "WE": "Receiving"}),
    "invoice": ("INVOIC", "INVOIC", None, "INVOIC02",
                {"INVO": "AccountReceivable", "KR": "AccountPayable"}),
    "payment": ("REMADV", "REMADV", None, "INVOIC02", {"ZP": "Payment", "DZ": "Receipt"}),
}
_TYPE_INFO = {t: (fam, bsart) for fam, spec in _FAMILIES.items() for bsart, t in spec[4].items()}
_MESTYP_FAMILY = {m: fam for fam, spec in _FAMILIES.items() for m in spec[:3] if m}
# Which side owns each type: the buyer (sold-to, AG) or the supplier (vendor, LF).
SUPPLIER_SIDE = frozenset({"SalesOrder", "Delivery", "AccountReceivable", "Receipt",
                           "ReturnReceiving"})
_ACTION = {Purpose.ORIGINAL: "001", Purpose.CHANGE: "002", Purpose.CANCELLATION: "003"}
_RESPONSE = {Response.ACCEPTED: "001", Response.CHANGED: "002", Response.REJECTED: "003"}
# A quantity without a unit is a count: UN/ECE Rec 20 "C62" (one), as the EDI
# adapters read a QTY without a unit, so the same order reads the same from both.
DEFAULT_UNIT = "C62"


# ---------------------------------------------------------------- small readers
def _dec(seg: Segment, name: str, required: bool = False) -> Decimal | None:
    text = seg.get(name).strip()
    if not text:
        if required:
            raise InvalidRequest(f"{seg.where} {seg.name}-{name}: no value; it is required")
        return None
    return cd.parse_number(text.replace(",", "."), f"{seg.where} {seg.name}-{name}", shown=text)


def _date(seg: Segment, name: str) -> dt.date | None:
    text = seg.get(name).strip()
    if not text or text == "00000000":
        return None
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise InvalidRequest(f"{seg.where} {seg.name}-{name}: {text!r} is not a date "
                             f"(YYYYMMDD)") from None


def _by_qualifier(segments: list[Segment], field_name: str,
                  used: tuple[str, ...]) -> dict[str, Segment]:
    """Segments by their qualifier; one the mapping uses must not come twice (which
    of two buyers or two document dates would be a guess)."""
    out: dict[str, Segment] = {}
    for seg in segments:
        key = seg.get(field_name).strip()
        if key in used and key in out:
            raise InvalidRequest(f"{seg.where} {seg.name}-{field_name}: a second {key!r}; "
                                 f"{out[key].where} already gives one")
        out[key] = seg
    return out


def _party_code(seg: Segment, context: AdapterContext) -> str:
    """The network company of an E1EDKA1: its SAP partner number, else its GLN,
    looked up in the agreement's party ids (none there: the number is the code)."""
    ids = [v for v in (seg.get("PARTN").strip(), seg.get("ILNNR").strip()) if v]
    if not ids:
        raise InvalidRequest(f"{seg.where} E1EDKA1 {seg.get('PARVW').strip()}: neither a "
                             f"partner number (PARTN) nor a GLN (ILNNR)")
    if not context.party_ids:
        return context.company_of(ids[0])
    for native in ids:
        if native in context.party_ids.values():
            return context.company_of(native)
    raise UnmappedCode(f"{seg.where} E1EDKA1 {seg.get('PARVW').strip()}: partner "
                       f"{' / '.join(ids)} is not a company of the agreement's party ids")


# E1EDKA1-PARVW (SAP partner function) <-> canonical party role.  Any other
# function reads as Other and is written as ZZ (its own code is not kept).
PARVW_ROLE = {"AG": "Buyer", "LF": "Seller", "WE": "ShipTo", "RE": "BillTo", "RG": "Payer",
              "RS": "Payee", "WL": "ShipFrom"}
ROLE_PARVW = {role: parvw for parvw, role in PARVW_ROLE.items()} | {"Other": "ZZ"}
# E1EDKA1 id fields <-> canonical id schemes, in the order they are read
PARTY_ID_FIELDS = (("PARTN", "PARTN"), ("LIFNR", "LIFNR"), ("ILNNR", "GLN"))
_NAME_FIELDS = ("NAME1", "NAME2", "NAME3", "NAME4")
_STREET_FIELDS = ("STRAS", "STRS2")


def _identity_field(seg: Segment) -> str | None:
    """The field that names the company or partner in the AG/LF segment (PARTN, else
    ILNNR): it travels as ``company``/``partner`` and is not repeated as a party id."""
    if seg.get("PARVW").strip() not in ("AG", "LF"):
        return None
    return "PARTN" if seg.get("PARTN").strip() else "ILNNR"


def _party(seg: Segment) -> cd.Party | None:
    """An E1EDKA1 as a canonical party: every id, its name lines (NAME1..NAME4, one
    per text line) and its address; None for an AG/LF that says nothing but the
    id of the company or partner it names."""
    parvw = seg.get("PARVW").strip()
    skip = _identity_field(seg)
    ids = tuple((scheme, seg.get(f).strip()) for f, scheme in PARTY_ID_FIELDS
                if f != skip and seg.get(f).strip())
    names = [seg.get(f).rstrip() for f in _NAME_FIELDS]
    while names and not names[-1]:
        names.pop()
    land = seg.get("LAND1").strip().upper()
    if land and not re.fullmatch(r"[A-Z]{2}", land):
        raise InvalidRequest(f"{seg.where} E1EDKA1-LAND1: {land!r} is not an ISO 3166-1 "
                             f"alpha-2 country")
    address = cd.Address(
        street=tuple(v for v in (seg.get(f).rstrip() for f in _STREET_FIELDS) if v),
        city=seg.get("ORT01").rstrip() or None, postal_code=seg.get("PSTLZ").strip() or None,
        region=seg.get("REGIO").strip() or None, country=land or None)
    if skip and not ids and not names and not address:
        return None
    return cd.Party(role=PARVW_ROLE.get(parvw, "Other"), ids=ids,
                    name="\n".join(names) if names else None, address=address)


# E1EDP19-QUALF <-> item id scheme: 001 the buyer's material number, 002 the
# vendor's, 003 the EAN/GTIN; any other qualifier is its own scheme.
P19_SCHEME = {"001": "Buyer", "002": "Seller", "003": "GTIN"}
SCHEME_P19 = {scheme: q for q, scheme in P19_SCHEME.items()}


def _text(head: Segment, line_name: str) -> str:
    """SAPscript lines back to one text: TDFORMAT '=' continues the line, any
    other starts a new one."""
    out: list[str] = []
    for i, ln in enumerate(head.kids(line_name)):
        if i and ln.get("TDFORMAT").strip() != "=":
            out.append("\n")
        out.append(ln.get("TDLINE"))
    return "".join(out)


def _family(idoc: Idoc) -> str:
    mestyp = idoc.control.get("MESTYP", "").strip()
    for candidate in (mestyp, mestyp.lstrip("Z")):
        if candidate in _MESTYP_FAMILY:
            return _MESTYP_FAMILY[candidate]
    idoctyp = idoc.control.get("IDOCTYP", "").strip()
    if idoctyp.startswith("ORDERS") or not (mestyp or idoctyp):
        # Converters writing for a file port sometimes leave both blank: the
        # port's partner profile then decides, and an order port takes orders.
        return "order"
    raise InvalidRequest(f"{idoc.where} EDI_DC40: message type {mestyp!r} (IDoc type "
                         f"{idoctyp!r}) is none the gateway maps; expected one of "
                         f"{', '.join(sorted(_MESTYP_FAMILY))}")


# ---------------------------------------------------------------- IDoc -> canonical
def to_canonical(idoc: Idoc, context: AdapterContext, charset: str) -> Canonical:
    family = _family(idoc)
    mestyp = idoc.control.get("MESTYP", "").strip().lstrip("Z")
    heads = idoc.top("E1EDK01")
    if len(heads) != 1:
        raise InvalidRequest(f"{idoc.where}: {len(heads)} E1EDK01 header segments; an IDoc "
                             f"has exactly one")
    head = heads[0]
    types = _FAMILIES[family][4]
    doc_type = types.get(head.get("BSART").strip(), next(iter(types.values())))
    action = head.get("ACTION").strip()
    response = response_number = None
    if mestyp == "ORDRSP":
        purpose = Purpose.RESPONSE
        by_code = {v: k for k, v in _RESPONSE.items()}
        response = by_code.get(action or "001")
        if response is None:
            raise InvalidRequest(f"{head.where} E1EDK01-ACTION: {action!r} is no response "
                                 f"code (001 accepted, 002 changed, 003 rejected)")
    else:
        by_code = {v: k for k, v in _ACTION.items()}
        purpose = by_code.get(action or "001")  # type: ignore[assignment]
        if purpose is None:
            raise InvalidRequest(f"{head.where} E1EDK01-ACTION: {action!r} is no action code "
                                 f"(001 original, 002 change, 003 cancellation)")
    refs_k02 = {s.get("QUALF").strip(): s for s in idoc.top("E1EDK02")}
    if "002" in refs_k02 and purpose is Purpose.RESPONSE:
        response_number = refs_k02["002"].get("BELNR").strip() or None
    number = head.get("BELNR").strip() or (refs_k02["001"].get("BELNR").strip()
                                           if "001" in refs_k02 else "")
    if not number:
        raise InvalidRequest(f"{head.where} E1EDK01-BELNR: no document number")

    dates = _by_qualifier(idoc.top("E1EDK03"), "IDDAT", ("012", "002"))
    issue = _date(dates["012"], "DATUM") if "012" in dates else None
    if issue is None:
        raise InvalidRequest(f"{idoc.where}: no document date (E1EDK03 qualifier 012)")
    requested = _date(dates["002"], "DATUM") if "002" in dates else None

    parties = _by_qualifier(idoc.top("E1EDKA1"), "PARVW", ("AG", "LF"))
    own_role, other_role = ("LF", "AG") if doc_type in SUPPLIER_SIDE else ("AG", "LF")
    if own_role not in parties:
        raise InvalidRequest(f"{idoc.where}: no E1EDKA1 partner {own_role}, the owner of a "
                             f"{doc_type}")
    company = _party_code(parties[own_role], context)
    partner = _party_code(parties[other_role], context) if other_role in parties else None
    named = tuple(p for p in (_party(s) for s in idoc.top("E1EDKA1")) if p is not None)

    # several header texts (SAP text ids) become one note, a line break between them
    texts = [check_text(_text(t, "E1EDKT2"), charset, f"{t.where} header text")
             for t in idoc.top("E1EDKT1")]
    note = "\n".join(texts) if texts else None

    lines = [_line(item, context, charset) for item in idoc.top("E1EDP01")]
    if not lines and purpose not in (Purpose.RESPONSE, Purpose.CANCELLATION):
        raise InvalidRequest(f"{idoc.where}: no item segment E1EDP01; only a response or a "
                             f"cancellation may name its document without lines")
    _check_summary(idoc, lines)

    refs = []
    for r in idoc.top("Z1GWREF"):
        try:
            ref_company = context.company_of(r.get("PARTN").strip())
        except UnmappedCode as exc:
            raise UnmappedCode(f"{r.where} Z1GWREF-PARTN: {exc.message}") from None
        refs.append(cd.DocRef(company=ref_company,
                              type=r.get("DOCTYP").strip(), number=r.get("BELNR").strip(),
                              quantity=_dec(r, "MENGE")))
    doc = cd.Doc(type=doc_type, number=number, company=company, issue_date=issue,
                 lines=tuple(lines), partner=partner, requested_date=requested,
                 currency=head.get("CURCY").strip() or None, note=note, references=tuple(refs),
                 parties=named)
    return Canonical(purpose=purpose, document=cd.checked(doc, idoc.where, purpose),
                     response=response,
                     response_number=response_number)


def _line(item: Segment, context: AdapterContext, charset: str) -> cd.DocLine:
    posex = item.get("POSEX").strip()
    if not posex.isdigit():
        raise InvalidRequest(f"{item.where} E1EDP01-POSEX: {posex!r} is no item number")
    ids = _by_qualifier(item.kids("E1EDP19"), "QUALF", ("001", "002"))
    ident = ids.get("001") or ids.get("002")
    if ident is None or not ident.get("IDTNR").strip():
        raise InvalidRequest(f"{item.where} item {posex}: no material number (E1EDP19 "
                             f"qualifier 001 or 002)")
    part = ident.get("IDTNR").strip()
    try:
        code = context.items.network_code(part)
    except UnmappedCode as exc:
        raise UnmappedCode(f"{ident.where} item {posex}: {exc.message}") from None
    quantity = _dec(item, "MENGE", required=True)
    assert quantity is not None
    if quantity <= 0:
        raise InvalidRequest(f"{item.where} E1EDP01-MENGE: {quantity} is not a positive quantity")
    unit = item.get("MENEE").strip() or DEFAULT_UNIT
    price = None
    vprei = _dec(item, "VPREI")
    if vprei is not None:
        peinh = _dec(item, "PEINH") or Decimal(1)
        bmng2 = _dec(item, "BMNG2") or quantity   # price quantity, in the price unit
        price = vprei * bmng2 / (peinh * quantity)
        if price != price.quantize(Decimal("0.000001")):
            raise InvalidRequest(f"{item.where} item {posex}: the price {vprei} per {peinh} "
                                 f"{item.get('PMENE').strip()} is not a whole number of "
                                 f"millionths per {unit}")
    description = None
    texts = item.kids("E1EDPT1")
    if texts:
        description = "\n".join(_text(t, "E1EDPT2") for t in texts)
    elif ident.get("KTEXT").strip():
        description = ident.get("KTEXT").rstrip()
    if description is not None:
        description = check_text(description, charset, f"{item.where} item {posex} text")
    schedule = {d for d in (_date(s, "EDATU") for s in item.kids("E1EDP20")) if d}
    if len(schedule) > 1:
        raise InvalidRequest(f"{item.where} item {posex}: schedule lines on {len(schedule)} "
                             f"different dates; a canonical line has one date")
    # every other E1EDP19 is another id of the item: the one giving ``item`` is
    # not repeated (the CIA gives its partner code back)
    item_ids = tuple((P19_SCHEME.get(q, q), seg.get("IDTNR").strip())
                     for seg in item.kids("E1EDP19") if seg is not ident
                     for q in [seg.get("QUALF").strip()] if seg.get("IDTNR").strip())
    return cd.DocLine(number=int(posex), item=code, quantity=quantity, unit=unit,
                      description=description, unit_price=price,
                      requested_date=next(iter(schedule), None), item_ids=item_ids)


def _check_summary(idoc: Idoc, lines: list[cd.DocLine]) -> None:
    """E1EDS01 control totals: 001 number of items, 002 total net value."""
    for s in idoc.top("E1EDS01"):
        sumid, total = s.get("SUMID").strip(), _dec(s, "SUMME")
        if sumid == "001" and total != len(lines):
            raise InvalidRequest(f"{s.where} E1EDS01 001: the control total says {total} "
                                 f"items, the IDoc has {len(lines)}")
        if sumid == "002" and total is not None:
            net = sum((_dec(p, "NETWR") or Decimal(0)) for p in idoc.top("E1EDP01"))
            if net != total:
                raise InvalidRequest(f"{s.where} E1EDS01 002: the control total says "
                                     f"{total}, the items' net values add up to {net}")


# ---------------------------------------------------------------- canonical -> IDoc
class _Writer:
    """Fills segments, checking each value against its field's length and the
    agreement's character set."""

    def __init__(self, context: AdapterContext, charset: str, where: str) -> None:
        self.context, self.charset, self.where = context, charset, where

    def seg(self, name: str, **values: str | None) -> Segment:
        layout = FIELDS[name]
        fields = {}
        for fname, value in values.items():
            if value is None or value == "":
                continue
            value = encode_text(value, self.charset, self.context.text_rule,
                                f"{self.where} {name}-{fname}", self.context.notes)
            if len(value) > layout[fname]:
                raise Unrepresentable(f"{self.where} {name}-{fname}: {value!r} has "
                                      f"{len(value)} characters; the IDoc field holds "
                                      f"{layout[fname]}")
            fields[fname] = value
        return Segment(name, fields, self.where)

    def text(self, head: str, line: str, tdid: str, value: str) -> Segment:
        seg = self.seg(head, TDID=tdid)
        # the charset rule first: transliteration changes the length to cut
        value = encode_text(value, self.charset, self.context.text_rule,
                            f"{self.where} {line}-TDLINE", self.context.notes)
        for tdline, fmt in _chunks(value, FIELDS[line]["TDLINE"]):
            seg.children.append(self.seg(line, TDLINE=tdline, TDFORMAT=fmt))
        return seg


def _partner_segments(doc: cd.Doc, w: _Writer, context: AdapterContext) -> list[Segment]:
    """E1EDKA1 segments: one a party, in the document's order.  The company's and the
    partner's AG/LF segment holds its id (PARTN) and, merged into it, the first party
    of the same role; it comes first when there is no such party."""
    own, other = ("LF", "AG") if doc.type in SUPPLIER_SIDE else ("AG", "LF")
    identity = {own: context.native_party(doc.company)}
    if doc.partner:
        identity[other] = context.native_party(doc.partner)
    seen: set[str] = set()
    placed: list[Segment] = []
    for p in doc.parties:
        parvw = ROLE_PARVW[p.role]
        if parvw in ("AG", "LF") and parvw in seen:
            raise Unrepresentable(f"{w.where}: a second {p.role} party; an IDoc names one "
                                  f"E1EDKA1 {parvw}")
        if parvw in ("AG", "LF") and parvw not in identity:
            raise Unrepresentable(f"{w.where}: a {p.role} party in a document without a "
                                  f"partner; its E1EDKA1 {parvw} would be read as the partner")
        seen.add(parvw)
        placed.append(_party_segment(p, parvw, identity.get(parvw), w))
    lead = [w.seg("E1EDKA1", PARVW=parvw, PARTN=ident) for parvw, ident in identity.items()
            if parvw not in seen]
    return lead + placed


def _party_segment(p: cd.Party, parvw: str, identity: str | None, w: _Writer) -> Segment:
    where = f"{w.where} party {p.role}"
    values: dict[str, str | None] = {"PARVW": parvw}
    if identity is not None:
        values["PARTN"] = identity
    by_scheme = {scheme: f for f, scheme in PARTY_ID_FIELDS}
    for scheme, value in p.ids:
        f = by_scheme.get(scheme)
        if f is None:
            raise Unrepresentable(f"{where}: id scheme {scheme!r} has no E1EDKA1 field "
                                  f"(PARTN, LIFNR, GLN in ILNNR)")
        if f in values:
            raise Unrepresentable(f"{where}: a second {scheme} id {value!r}; E1EDKA1 holds "
                                  f"one {f}" + (" and it names the company" if f == "PARTN"
                                                and identity else ""))
        values[f] = value
    names = p.name.split("\n") if p.name is not None else []
    if len(names) > len(_NAME_FIELDS):
        raise Unrepresentable(f"{where}: a name of {len(names)} lines; E1EDKA1 holds "
                              f"{len(_NAME_FIELDS)} (NAME1..NAME4)")
    values.update(zip(_NAME_FIELDS, names))
    a = p.address
    if len(a.street) > len(_STREET_FIELDS):
        raise Unrepresentable(f"{where}: {len(a.street)} street lines; E1EDKA1 holds "
                              f"{len(_STREET_FIELDS)} (STRAS, STRS2)")
    values.update(zip(_STREET_FIELDS, a.street))
    values.update(ORT01=a.city, PSTLZ=a.postal_code, REGIO=a.region, LAND1=a.country)
    return w.seg("E1EDKA1", **values)


def _chunks(value: str, width: int) -> list[tuple[str, str]]:
    """Text as SAPscript lines of at most ``width`` characters: a line break starts
    a line ('/'), a long line continues ('='). A piece never ends in a blank unless
    the text does, so fixed-width padding cannot swallow it."""
    out: list[tuple[str, str]] = []
    for p, paragraph in enumerate(value.split("\n")):
        fmt = "*" if p == 0 else "/"
        while True:
            piece = paragraph[:width]
            if len(paragraph) > width:
                cut = len(piece.rstrip(" "))
                piece = piece[:cut] if cut else piece
            out.append((piece, fmt))
            paragraph, fmt = paragraph[len(piece):], "="
            if not paragraph:
                break
    return out


def _num(value: Decimal) -> str:
    return cd.decimal_text(value)


def from_canonical(msg: Canonical, context: AdapterContext, docnum: int, charset: str) -> Idoc:
    doc = cd.from_element(msg.document)
    where = f"{doc.type} {doc.number}"
    if doc.type not in _TYPE_INFO:
        raise InvalidRequest(f"{where}: no IDoc carries a {doc.type}")
    if not doc.lines and msg.purpose in cd.LINES_REQUIRED:
        raise InvalidRequest(f"{where}: the {msg.purpose.value} has no lines; only a response "
                             f"or a cancellation may name its document without lines")
    family, bsart = _TYPE_INFO[doc.type]
    original, change, respond, idoctyp, _ = _FAMILIES[family]
    if msg.purpose is Purpose.RESPONSE:
        if respond is None:
            raise InvalidRequest(f"{where}: an IDoc response (ORDRSP) answers an order; "
                                 f"there is none for a {doc.type}")
        if msg.response is None:
            raise InvalidRequest(f"{where}: a response must say accepted, changed or rejected")
        mestyp, action = respond, _RESPONSE[msg.response]
    else:
        mestyp = original if msg.purpose is Purpose.ORIGINAL else change
        action = _ACTION[msg.purpose]
    w = _Writer(context, charset, where)
    party = context.native_party
    segs = [w.seg("E1EDK01", ACTION=action, CURCY=doc.currency, BSART=bsart, BELNR=doc.number)]
    segs.append(w.seg("E1EDK03", IDDAT="012", DATUM=doc.issue_date.strftime("%Y%m%d")))
    if doc.requested_date:
        segs.append(w.seg("E1EDK03", IDDAT="002", DATUM=doc.requested_date.strftime("%Y%m%d")))
    segs.extend(_partner_segments(doc, w, context))
    if msg.response_number:
        segs.append(w.seg("E1EDK02", QUALF="002", BELNR=msg.response_number))
    if doc.note is not None:
        segs.append(w.text("E1EDKT1", "E1EDKT2", "0001", doc.note))
    for ref in doc.references:
        segs.append(w.seg("Z1GWREF", PARTN=party(ref.company), DOCTYP=ref.type,
                          BELNR=ref.number,
                          MENGE=_num(ref.quantity) if ref.quantity is not None else None))
    total, priced = Decimal(0), True
    for line in doc.lines:
        w.where = f"{where} line {line.number}"
        net = line.quantity * line.unit_price if line.unit_price is not None else None
        item = w.seg("E1EDP01", POSEX=str(line.number), MENGE=_num(line.quantity),
                     MENEE=line.unit, VPREI=_num(line.unit_price) if net is not None else None,
                     PEINH="1" if net is not None else None,
                     NETWR=_num(net) if net is not None else None)
        own_code = context.items.partner_code(line.item)
        item.children.append(w.seg("E1EDP19", QUALF="001", IDTNR=own_code))
        for scheme, value in line.item_ids:
            qualf = SCHEME_P19.get(scheme, scheme)
            if qualf == "001":
                raise Unrepresentable(f"{w.where}: the buyer's material number {value!r} "
                                      f"cannot travel beside the item's own code {own_code!r}; "
                                      f"E1EDP19 holds one qualifier 001")
            if len(qualf) > FIELDS["E1EDP19"]["QUALF"]:
                raise Unrepresentable(f"{w.where}: item id scheme {scheme!r} has no E1EDP19 "
                                      f"qualifier (001 Buyer, 002 Seller, 003 GTIN, or a code "
                                      f"of at most 3 characters)")
            item.children.append(w.seg("E1EDP19", QUALF=qualf, IDTNR=value))
        if line.requested_date:
            item.children.append(w.seg("E1EDP20", WMENG=_num(line.quantity),
                                       EDATU=line.requested_date.strftime("%Y%m%d")))
        if line.description is not None:
            item.children.append(w.text("E1EDPT1", "E1EDPT2", "0001", line.description))
        segs.append(item)
        if net is None:
            priced = False
        else:
            total += net
    w.where = where
    segs.append(w.seg("E1EDS01", SUMID="001", SUMME=str(len(doc.lines))))
    if priced:
        segs.append(w.seg("E1EDS01", SUMID="002", SUMME=_num(total), WAERQ=doc.currency))
    control = {"TABNAM": "EDI_DC40", "DOCNUM": f"{docnum:016d}", "DIRECT": "2",
               "IDOCTYP": idoctyp, "MESTYP": mestyp, "SNDPRT": "LS", "RCVPRT": "LS",
               "CREDAT": doc.issue_date.strftime("%Y%m%d"), "CRETIM": "000000"}
    for field_name, company in (("SNDPRN", context.sender), ("RCVPRN", context.receiver)):
        partner_no = context.party_ids.get(company, company)
        if len(partner_no) <= CONTROL_FIELDS[field_name]:
            # a longer id (a GLN) is no SAP partner number: the port's partner
            # profile routes the IDoc then, rather than a cut number
            control[field_name] = partner_no
    if doc.references:
        control["CIMTYP"] = "ZSMARTGW"
    return Idoc(control, segs, where)


def check_tree(parent: str | None, seg_name: str, where: str) -> None:
    """Refuse a segment the IDoc type does not have, or one out of its place."""
    if seg_name not in PARENT:
        raise SchemaInvalid(f"{where}: segment {seg_name} is not part of the gateway's IDoc "
                            f"types (ORDERS05/INVOIC02 with extension ZSMARTGW)")
    if PARENT[seg_name] != parent:
        place = f"inside {PARENT[seg_name]}" if PARENT[seg_name] else "at the top level"
        raise SchemaInvalid(f"{where}: segment {seg_name} belongs {place}, not "
                            f"{'inside ' + parent if parent else 'at the top level'}")


# ---------------------------------------------------------------- the XML form
_IDOC_TYPE = re.compile(r"^[A-Z][A-Z0-9_]{1,29}$")


def read_xml(data: bytes) -> list[Idoc]:
    root = safe_xml.parse(data)
    if etree.QName(root).namespace or not _IDOC_TYPE.match(root.tag):
        raise SchemaInvalid(f"root element {root.tag!r} is not an IDoc type (ORDERS05, "
                            f"INVOIC02 ...)")
    idocs = []
    for i, el in enumerate(root, start=1):
        if not isinstance(el.tag, str):
            continue
        where = f"/{root.tag}/IDOC[{i}]"
        if el.tag != "IDOC":
            raise SchemaInvalid(f"{where}: expected an IDOC element, found {el.tag}")
        kids = [k for k in el if isinstance(k.tag, str)]
        if not kids or kids[0].tag != "EDI_DC40":
            raise SchemaInvalid(f"{where}: an IDoc starts with its control record EDI_DC40")
        control = _xml_fields(kids[0], CONTROL_FIELDS, f"{where}/EDI_DC40")
        if control.get("IDOCTYP", "").strip() not in ("", root.tag):
            raise SchemaInvalid(f"{where}/EDI_DC40/IDOCTYP: {control['IDOCTYP']!r} differs "
                                f"from the root element {root.tag}")
        segs = [_xml_segment(k, None, f"{where}/{k.tag}[{n}]") for n, k in enumerate(kids[1:], 1)]
        idocs.append(Idoc(control, segs, where))
    if not idocs:
        raise SchemaInvalid(f"/{root.tag}: no IDOC element")
    return idocs


def _xml_fields(el: etree._Element, layout: dict[str, int], where: str,
                nested: frozenset[str] = frozenset()) -> dict[str, str]:
    out = {}
    for f in el:
        if not isinstance(f.tag, str) or f.tag in nested:
            continue
        if f.tag not in layout:
            if f.tag in PARENT:  # a segment out of its place
                check_tree(el.tag, f.tag, f"{where}/{f.tag}")
            raise SchemaInvalid(f"{where}: {el.tag} has no field {f.tag}")
        value = f.text or ""
        if len(value) > layout[f.tag]:
            raise SchemaInvalid(f"{where}/{f.tag}: {len(value)} characters; the field "
                                f"holds {layout[f.tag]}")
        out[f.tag] = value
    return out


def _xml_segment(el: etree._Element, parent: str | None, where: str) -> Segment:
    check_tree(parent, el.tag, where)
    kids = CHILDREN.get(el.tag, frozenset())
    seg = Segment(el.tag, _xml_fields(el, FIELDS[el.tag], where, kids), where)
    for n, k in enumerate((k for k in el if isinstance(k.tag, str) and k.tag in kids), 1):
        seg.children.append(_xml_segment(k, el.tag, f"{where}/{k.tag}[{n}]"))
    return seg


def write_xml(idocs: list[Idoc]) -> bytes:
    types = {i.control["IDOCTYP"] for i in idocs}
    if len(types) != 1:
        raise InvalidRequest(f"one XML IDoc file holds IDocs of one type, not {sorted(types)}")
    root = etree.Element(types.pop())
    for idoc in idocs:
        el = etree.SubElement(root, "IDOC", BEGIN="1")
        dc = etree.SubElement(el, "EDI_DC40", SEGMENT="1")
        for name, _ in CONTROL:
            if idoc.control.get(name):
                etree.SubElement(dc, name).text = idoc.control[name]
        for seg in idoc.segments:
            _xml_put(el, seg)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _xml_put(parent: etree._Element, seg: Segment) -> None:
    el = etree.SubElement(parent, seg.name, SEGMENT="1")
    for name, _ in SEGMENTS[seg.name]:
        if name in seg.fields:
            etree.SubElement(el, name).text = seg.fields[name]
    for child in seg.children:
        _xml_put(el, child)


class IdocXmlAdapter:
    kind = "sap-idoc"
    media_type = "application/xml"
    file_suffix = ".xml"

    def read(self, data: bytes, context: AdapterContext) -> list[Canonical]:
        return [to_canonical(i, context, "utf-8") for i in read_xml(data)]

    def write(self, messages: list[Canonical], context: AdapterContext) -> bytes:
        return write_xml([from_canonical(m, context, n, "utf-8")
                          for n, m in enumerate(messages, start=1)])


register(IdocXmlAdapter())
