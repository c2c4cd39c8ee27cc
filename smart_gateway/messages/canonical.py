"""Canonical XML (schemas/gateway/v1) to domain documents.

Runs on elements that already passed the schema, so it trusts structure and
only converts text.  Written against lxml directly, not spyne objects: this is
the SubmitTransaction hot path, and building spyne objects for a 20-line order
costs more than parsing, validating and storing it together.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from ..domain.documents import DocKey, DocType, Document, Line, Reference, Submission
from .schema import NS

_Q = "{%s}" % NS
T_MESSAGE_ID, T_DOCUMENT = _Q + "messageId", _Q + "document"
T_LINE, T_REFERENCE = _Q + "line", _Q + "reference"


def _fields(el: etree._Element) -> dict[str, object]:
    """Child texts by local name; repeated line/reference children as lists of elements.

    Texts are kept exactly as sent (descriptions and notes keep their own
    whitespace: LIA promises text survives unchanged); the schema's token
    types already refuse stray blanks in codes and numbers.
    """
    out: dict[str, object] = {}
    cut = len(_Q)
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):  # comments, processing instructions
            continue
        name = tag[cut:]
        if name == "line" or name == "reference":
            out.setdefault(name, []).append(child)  # type: ignore[union-attr]
        else:
            out[name] = child.text or ""
    return out


def _date(value: object) -> dt.date | None:
    if not value:
        return None
    text = str(value).strip()[:10]  # xs:date may carry a zone suffix; the day is what counts
    return dt.date.fromisoformat(text)


# Position of each Line child in the constructor arguments below.  One dict
# lookup per child: reading a 20-line order is on the SubmitTransaction path.
_LINE_SLOTS = {_Q + name: i for i, name in enumerate(
    ("lineNumber", "item", "description", "quantity", "unit", "unitPrice", "requestedDate"))}


def line_from_xml(el: etree._Element) -> Line:
    v: list[str | None] = [None] * 7
    slots = _LINE_SLOTS
    for child in el:
        i = slots.get(child.tag)  # comments' tags are functions: never found
        if i is not None:
            v[i] = child.text or ""
    number, item, description, quantity, unit, price, requested = v
    return Line(
        number=int(number),  # type: ignore[arg-type]
        item=item,  # type: ignore[arg-type]
        quantity=Decimal(quantity),  # type: ignore[arg-type]
        unit=unit,  # type: ignore[arg-type]
        unit_price=Decimal(price) if price else None,
        description=description,
        requested_date=_date(requested),
    )


def reference_from_xml(el: etree._Element) -> Reference:
    f = _fields(el)
    qty, amount = f.get("quantity"), f.get("amount")
    return Reference(
        key=DocKey(str(f["company"]), DocType(str(f["type"])), str(f["number"])),
        quantity=Decimal(str(qty)) if qty else None,
        amount=Decimal(str(amount)) if amount else None,
    )


def document_from_xml(el: etree._Element) -> Document:
    f = _fields(el)
    return Document(
        key=DocKey(str(f["company"]), DocType(str(f["type"])), str(f["number"])),
        partner=str(f["partner"]) if f.get("partner") else None,
        issue_date=_date(f["issueDate"]),  # type: ignore[arg-type]
        requested_date=_date(f.get("requestedDate")),
        currency=str(f["currency"]) if f.get("currency") else None,
        note=f.get("note"),  # type: ignore[arg-type]
        lines=tuple(line_from_xml(x) for x in f.get("line", ())),  # type: ignore[union-attr]
        references=tuple(reference_from_xml(x) for x in f.get("reference", ())),  # type: ignore[union-attr]
    )


def submission_from_xml(el: etree._Element) -> Submission:
    """A validated SubmitTransaction element as a domain Submission."""
    return Submission(
        message_id=el.findtext(T_MESSAGE_ID),  # type: ignore[union-attr]
        document=document_from_xml(el.find(T_DOCUMENT)),  # type: ignore[arg-type]
    )


def _num(value: Decimal) -> str:
    # Plain notation, no exponent: "1E+2" is not a valid xs:decimal lexical form.
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


format_decimal = _num
