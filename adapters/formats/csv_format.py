"""CSV for the smallest suppliers: a spreadsheet they can open, fill and save (kind "csv").

One layout for every document type.  The first row names the columns, in this
order (a file may use ',', ';' or a tab between them; the header row decides):

    record, document_type, purpose, number, company, partner, issue_date,
    requested_date, currency, response, response_number, note,
    line, item, description, quantity, unit, unit_price,
    ref_company, ref_type, ref_number, ref_quantity,
    party_role, party_ids, party_name, party_street, party_city, party_postal_code,
    party_region, party_country, item_ids

(a file with only the first 22 columns, the layout before parties and item ids,
still reads).  ``record`` says what a row is, and which columns it uses (the others stay empty):

    H  a document's header: document_type (PurchaseOrder ... ReturnReceiving),
       purpose (Original, Change, Cancellation, Response), number, company and
       partner (the agreement's party ids; none: the network codes), issue_date,
       requested_date, currency, response and response_number (a Response only),
       note
    L  one line of the document above: number (the document's), line, item (the
       supplier's own part code, mapped through the agreement), description,
       quantity, unit, unit_price, requested_date, and item_ids (the item's other
       identifiers: the buyer's or seller's number, a GTIN ...)
    R  a reference to a preceding document: number, ref_company, ref_type,
       ref_number, ref_quantity
    P  a party the document names: number, party_role (Buyer, Seller, ShipTo,
       ShipFrom, BillTo, Payer, Payee, Other), party_ids, party_name,
       party_street (one street line per text line, at most 4), party_city,
       party_postal_code, party_region, party_country (ISO 3166-1 alpha-2)

Identifiers (party_ids, item_ids) are written one per text line of the cell as
``scheme=value``: ``GLN=4012345000009``, ``GTIN=4006381333931``, ``Buyer=B-17``
(a scheme never contains ``=``).
    T  optional trailer: number, and in ``line`` the count of L rows; a wrong
       count is refused

A Response or a Cancellation may have no L row (a partner's answer naming only
its document); an Original or a Change is refused without one.

Dates are YYYY-MM-DD, numbers use a decimal point.  Files are UTF-8 (a byte-order
mark, as spreadsheets write, is fine, and the gateway writes one), so Korean,
Thai and Chinese text is carried unchanged; an agreement may name another
charset, and then text it cannot carry is refused or transliterated
(adapters/text.py).  An empty cell is an absent value.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from smart_gateway.domain.errors import InvalidRequest, SchemaInvalid, UnmappedCode, Unrepresentable

from .. import canonical_doc as cd
from ..base import AdapterContext, Canonical, Purpose, Response
from ..registry import register
from ..text import check_text, decode_bytes, encode_text

COLUMNS = ("record", "document_type", "purpose", "number", "company", "partner", "issue_date",
           "requested_date", "currency", "response", "response_number", "note",
           "line", "item", "description", "quantity", "unit", "unit_price",
           "ref_company", "ref_type", "ref_number", "ref_quantity",
           "party_role", "party_ids", "party_name", "party_street", "party_city",
           "party_postal_code", "party_region", "party_country", "item_ids")
LEGACY_COLUMNS = COLUMNS[:22]      # the layout before parties and item ids
_CODECS = {"utf-8": "utf-8-sig", "iso-8859-1": "latin-1", "latin-1": "latin-1"}


class _Row:
    def __init__(self, values: dict[str, str], n: int) -> None:
        self.values, self.where = values, f"row {n}"

    def get(self, column: str) -> str | None:
        value = self.values.get(column, "")
        if value == "":
            return None
        # a control character (a NUL from a broken export) has no place in XML text
        return check_text(value, "utf-8", f"{self.where} column {column}")

    def need(self, column: str) -> str:
        value = self.get(column)
        if value is None or not value.strip():
            raise InvalidRequest(f"{self.where}: column {column} is empty; a "
                                 f"{self.values['record']} row needs it")
        return value.strip()

    def number(self, column: str) -> Decimal | None:
        value = self.get(column)
        if value is None:
            return None
        return cd.parse_number(value.strip(), f"{self.where} column {column}", shown=value,
                               hint=" (use a decimal point)")

    def date(self, column: str) -> dt.date | None:
        value = self.get(column)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidRequest(f"{self.where} column {column}: {value!r} is not a date "
                                 f"(YYYY-MM-DD)") from None


def _rows(data: bytes) -> list[_Row]:
    text = decode_bytes(data)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise SchemaInvalid("the CSV file is empty; its first row names the columns") from None
    header = [h.strip().lower() for h in header]
    columns = COLUMNS if tuple(header) != LEGACY_COLUMNS else LEGACY_COLUMNS
    if tuple(header) != columns:
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        raise SchemaInvalid(f"row 1: the columns must be {', '.join(COLUMNS)} in this order"
                            + (f"; missing {', '.join(missing)}" if missing else "")
                            + (f"; unknown {', '.join(extra)}" if extra else ""))
    rows = []
    try:
        for n, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(columns):
                raise SchemaInvalid(f"row {n}: {len(cells)} cells; the layout has {len(columns)}")
            rows.append(_Row(dict(zip(columns, cells)), n))
    except csv.Error as exc:
        raise SchemaInvalid(f"row {reader.line_num}: not CSV: {exc}") from None
    return rows


def _enum(table, value: str, where: str):
    try:
        return table(value)
    except ValueError:
        raise InvalidRequest(f"{where}: {value!r} is none of "
                             f"{', '.join(m.value for m in table)}") from None


def _idents(r: _Row, column: str) -> tuple[cd.Ident, ...]:
    """``scheme=value`` per text line of a cell."""
    out = []
    for text in (r.get(column) or "").split("\n"):
        if not text.strip():
            continue
        scheme, sep, value = text.partition("=")
        if not sep or not scheme.strip() or not value.strip():
            raise InvalidRequest(f"{r.where} column {column}: {text!r} is not scheme=value "
                                 f"(e.g. GTIN=4006381333931)")
        out.append((scheme.strip(), value.strip()))
    return tuple(out)


def _ident_cell(ids: tuple[cd.Ident, ...], where: str) -> str | None:
    for scheme, value in ids:
        if "\n" in value or value != value.strip():
            raise Unrepresentable(f"{where}: identifier {value!r} has a line break or "
                                  f"surrounding blanks, which the scheme=value cell cannot keep")
    return "\n".join(f"{k}={v}" for k, v in ids) or None


def _party(r: _Row) -> cd.Party:
    role = r.need("party_role")
    if role not in cd.PARTY_ROLES:
        raise InvalidRequest(f"{r.where} column party_role: {role!r} is none of "
                             f"{', '.join(cd.PARTY_ROLES)}")
    street = tuple((r.get("party_street") or "").split("\n")) if r.get("party_street") else ()
    return cd.Party(role, _idents(r, "party_ids"), r.get("party_name"), cd.Address(
        street, r.get("party_city"), r.get("party_postal_code"), r.get("party_region"),
        r.get("party_country")))


class _Draft:
    def __init__(self, head: _Row, context: AdapterContext) -> None:
        self.head, self.lines, self.refs, self.parties = head, [], [], []
        self.trailer: _Row | None = None
        self.number = head.need("number")
        self.context = context

    def finish(self) -> Canonical:
        h, ctx = self.head, self.context
        doc_type = h.need("document_type")
        if doc_type not in cd.DOC_TYPES:
            raise InvalidRequest(f"{h.where} column document_type: {doc_type!r} is none of "
                                 f"{', '.join(cd.DOC_TYPES)}")
        purpose = _enum(Purpose, h.need("purpose"), f"{h.where} column purpose")
        response = None
        if purpose is Purpose.RESPONSE:
            response = _enum(Response, h.need("response"), f"{h.where} column response")
        try:
            company = ctx.company_of(h.need("company"))
            partner = ctx.company_of(h.get("partner").strip()) if h.get("partner") else None
        except UnmappedCode as exc:
            raise UnmappedCode(f"{h.where}: {exc.message}") from None
        issue = h.date("issue_date")
        if issue is None:
            raise InvalidRequest(f"{h.where}: column issue_date is empty")
        if not self.lines and purpose not in (Purpose.RESPONSE, Purpose.CANCELLATION):
            raise InvalidRequest(f"{h.where}: document {self.number} has no L rows; only a "
                                 f"response or a cancellation may name its document without")
        if self.trailer is not None:
            count = self.trailer.number("line")
            if count != len(self.lines):
                raise InvalidRequest(f"{self.trailer.where}: the trailer counts {count} lines, "
                                     f"document {self.number} has {len(self.lines)}")
        refs = tuple(cd.DocRef(self._company(r, "ref_company"), r.need("ref_type"),
                               r.need("ref_number"), r.number("ref_quantity"))
                     for r in self.refs)
        doc = cd.Doc(type=doc_type, number=self.number, company=company, partner=partner,
                     issue_date=issue, requested_date=h.date("requested_date"),
                     currency=h.get("currency"), note=h.get("note"),
                     lines=tuple(self._line(r) for r in self.lines), references=refs,
                     parties=tuple(_party(r) for r in self.parties))
        return Canonical(purpose, cd.checked(doc, f"{h.where} document {self.number}", purpose),
                         response,
                         h.get("response_number") if purpose is Purpose.RESPONSE else None)

    def _company(self, r: _Row, column: str) -> str:
        try:
            return self.context.company_of(r.need(column))
        except UnmappedCode as exc:
            raise UnmappedCode(f"{r.where} column {column}: {exc.message}") from None

    def _line(self, r: _Row) -> cd.DocLine:
        line = r.need("line")
        if not line.isdigit():
            raise InvalidRequest(f"{r.where} column line: {line!r} is no line number")
        try:
            item = self.context.items.network_code(r.need("item"))
        except UnmappedCode as exc:
            raise UnmappedCode(f"{r.where} column item: {exc.message}") from None
        quantity = r.number("quantity")
        if quantity is None or quantity <= 0:
            raise InvalidRequest(f"{r.where} column quantity: a line needs a positive quantity")
        return cd.DocLine(int(line), item, quantity, r.need("unit"), r.get("description"),
                          r.number("unit_price"), r.date("requested_date"),
                          _idents(r, "item_ids"))


def read_csv(data: bytes, context: AdapterContext) -> list[Canonical]:
    drafts: list[_Draft] = []
    for row in _rows(data):
        kind = (row.get("record") or "").strip().upper()
        if kind == "H":
            drafts.append(_Draft(row, context))
            continue
        if kind not in ("L", "R", "P", "T"):
            raise InvalidRequest(f"{row.where} column record: {kind!r} is none of H, L, R, P, T")
        if not drafts:
            raise InvalidRequest(f"{row.where}: a {kind} row before any H row")
        draft = drafts[-1]
        if row.need("number") != draft.number:
            raise InvalidRequest(f"{row.where}: number {row.need('number')!r} is not the "
                                 f"document above it ({draft.number!r}); start it with an H row")
        if draft.trailer is not None:
            raise InvalidRequest(f"{row.where}: a row after document {draft.number}'s trailer")
        if kind == "L":
            draft.lines.append(row)
        elif kind == "R":
            draft.refs.append(row)
        elif kind == "P":
            draft.parties.append(row)
        else:
            draft.trailer = row
    if not drafts:
        raise InvalidRequest("the CSV file holds no document (no H row)")
    return [d.finish() for d in drafts]


def write_csv(messages: list[Canonical], context: AdapterContext) -> bytes:
    charset = (context.charset or "utf-8").lower()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    party = context.native_party

    def row(where: str, **values: object) -> None:
        cells = []
        for column in COLUMNS:
            value = values.get(column)
            if value is None:
                cells.append("")
                continue
            if isinstance(value, Decimal):
                value = cd.decimal_text(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            cells.append(encode_text(str(value), charset, context.text_rule,
                                     f"{where} {column}", context.notes))
        writer.writerow(cells)

    for msg in messages:
        doc = cd.from_element(msg.document)
        where = f"{doc.type} {doc.number}"
        if not doc.lines and msg.purpose in cd.LINES_REQUIRED:
            raise InvalidRequest(f"{where}: the {msg.purpose.value} has no lines; only a "
                                 f"response or a cancellation may name its document without")
        row(where, record="H", document_type=doc.type, purpose=msg.purpose.value,
            number=doc.number, company=party(doc.company),
            partner=party(doc.partner) if doc.partner else None,
            issue_date=doc.issue_date, requested_date=doc.requested_date, currency=doc.currency,
            response=msg.response.value if msg.response else None,
            response_number=msg.response_number, note=doc.note)
        for i, p in enumerate(doc.parties, 1):
            pw = f"{where} party {i} ({p.role})"
            a = p.address
            if any("\n" in s or not s for s in a.street):
                raise Unrepresentable(f"{pw}: a street line that is empty or has a line break; "
                                      f"the party_street cell keeps one line a street")
            row(pw, record="P", number=doc.number, party_role=p.role,
                party_ids=_ident_cell(p.ids, pw), party_name=p.name,
                party_street="\n".join(a.street) or None, party_city=a.city,
                party_postal_code=a.postal_code, party_region=a.region, party_country=a.country)
        for ln in doc.lines:
            lw = f"{where} line {ln.number}"
            row(lw, record="L", number=doc.number, line=ln.number,
                item=context.items.partner_code(ln.item), description=ln.description,
                quantity=ln.quantity, unit=ln.unit, unit_price=ln.unit_price,
                requested_date=ln.requested_date, item_ids=_ident_cell(ln.item_ids, lw))
        for ref in doc.references:
            row(f"{where} reference", record="R", number=doc.number,
                ref_company=party(ref.company), ref_type=ref.type,
                ref_number=ref.number, ref_quantity=ref.quantity)
        row(where, record="T", number=doc.number, line=len(doc.lines))
    return out.getvalue().encode(_CODECS.get(charset, "ascii"))


class CsvAdapter:
    kind = "csv"
    media_type = "text/csv"
    file_suffix = ".csv"

    def read(self, data: bytes, context: AdapterContext) -> list[Canonical]:
        return read_csv(data, context)

    def write(self, messages: list[Canonical], context: AdapterContext) -> bytes:
        return write_csv(messages, context)


register(CsvAdapter())
