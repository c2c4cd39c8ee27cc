"""The interface every ERP adapter implements.

The canonical side is always a ``tns:Document`` element of
schemas/gateway/v1/gateway.xsd (type, number, company, partner, dates,
currency, note, lines, references) with the purpose of the message:
the document itself, a change or cancellation of it, or the receiver's
response to an order.  The native side is bytes, as the ERP sends and
receives them: an IDoc, a UBL or cXML document, an X12 or EDIFACT
interchange, a CSV file.  One native file may carry several documents (an
EDI interchange with several transaction sets), so ``read`` returns a list.

Part codes are the partner's own on the native side and the network's on
the canonical side: ``AdapterContext.items`` (the CIA) maps them both ways,
and an unmapped code is refused with UnmappedCode.  Text the native
character set cannot carry is refused with Unrepresentable, or
transliterated where the agreement says so (``AdapterContext.text_rule``);
it is never silently mangled.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from lxml import etree

from smart_gateway.domain.errors import UnmappedCode


class Purpose(StrEnum):
    ORIGINAL = "Original"          # a new document (order, delivery, invoice, payment, return ...)
    CHANGE = "Change"              # the document with its new quantities and dates
    CANCELLATION = "Cancellation"  # the document, cancelled as a whole
    RESPONSE = "Response"          # the receiver's answer to an order (accept/reject/change)


class Response(StrEnum):
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    CHANGED = "Changed"            # accepted with changes: the document carries them


class TextRule(StrEnum):
    REFUSE = "refuse"              # text the format cannot carry is an error
    TRANSLITERATE = "transliterate"  # replaced by a documented ASCII form, and said so


@dataclass(frozen=True)
class Canonical:
    """One canonical message: a tns:Document element and what it is for."""
    purpose: Purpose
    document: etree._Element
    response: Response | None = None          # only for Purpose.RESPONSE
    response_number: str | None = None        # the receiver's own document number, if any


@dataclass(frozen=True)
class ItemMap:
    """CIA: one partner's part codes <-> the network's item codes, from its agreement.

    An agreement without a mapping means the partner uses the network's codes;
    an agreement with one maps every code, and a code outside it is an error
    (a guess would ship the wrong part)."""
    to_network: dict[str, str] = field(default_factory=dict)   # partner code -> network code

    def __post_init__(self) -> None:
        to_partner = {network: partner for partner, network in self.to_network.items()}
        if len(to_partner) != len(self.to_network):
            raise ValueError("two partner codes map to the same network item; the mapping "
                             "must be one-to-one to translate both ways")
        object.__setattr__(self, "_to_partner", to_partner)   # the way back, built once

    def network_code(self, partner_code: str) -> str:
        if not self.to_network:
            return partner_code
        try:
            return self.to_network[partner_code]
        except KeyError:
            raise UnmappedCode(f"part code {partner_code!r} has no network item in the "
                               f"agreement's mapping; add it to the agreement") from None

    def partner_code(self, network_code: str) -> str:
        if not self.to_network:
            return network_code
        try:
            return self._to_partner[network_code]  # type: ignore[attr-defined]
        except KeyError:
            raise UnmappedCode(f"network item {network_code!r} has no part code of this "
                               f"partner in the agreement's mapping; add it to the agreement"
                               ) from None


@dataclass(frozen=True)
class AdapterContext:
    """What an adapter needs to know beyond the document: who the parties are in
    the native format's own identifiers, and the agreement's translation rules."""
    sender: str                     # network company code of the sending company
    receiver: str                   # network company code of the receiving company
    items: ItemMap = field(default_factory=ItemMap)
    text_rule: TextRule = TextRule.REFUSE
    # native party identifiers (GLN, DUNS, SAP partner number ...) by company code
    party_ids: dict[str, str] = field(default_factory=dict)
    # the agreement's character set for formats that have a choice (EDI, flat
    # files, CSV): a name from adapters.text.CHARSETS; None = the format's default
    charset: str | None = None
    # what a write changed under TextRule.TRANSLITERATE, one sentence a value, for
    # the caller to pass on (a notice, the outbox record); adapters only append
    notes: list[str] = field(default_factory=list, compare=False)

    def native_party(self, company: str) -> str:
        """A network company as the native format names it (its party id; none: its code)."""
        if not self.party_ids:
            return company
        try:
            return self.party_ids[company]
        except KeyError:
            raise UnmappedCode(f"company {company!r} has no party id in the agreement; "
                               f"add it to the agreement") from None

    def company_of(self, native: str) -> str:
        """The network company a native party id names: the CIA's rule for parties, one
        mapping for every party or none, and an id outside it is an error."""
        if not self.party_ids:
            return native
        for company, ident in self.party_ids.items():
            if ident == native:
                return company
        raise UnmappedCode(f"party {native!r} is not a company of the agreement's party ids; "
                           f"add it to the agreement")


class Adapter(Protocol):
    kind: str               # the ERP kind in the network file: "sap-idoc", "ubl", "csv" ...
    media_type: str         # for a push or a file drop: "application/xml", "application/edi-x12" ...
    file_suffix: str        # for a file drop: ".xml", ".idoc", ".x12", ".edi", ".csv"

    def read(self, data: bytes, context: AdapterContext) -> list[Canonical]:
        """Native bytes -> canonical messages; MalformedXml / SchemaInvalid /
        InvalidRequest naming where for a broken native document."""

    def write(self, messages: list[Canonical], context: AdapterContext) -> bytes:
        """Canonical messages -> one native file (an interchange, where the format has them)."""
