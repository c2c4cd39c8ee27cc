"""Simulated ERPs that speak their own format at the boundary, as a real EDI translator would.

A ``NativeErp`` is a SimulatedErp (the same business behaviour) behind a small
translator built on the same adapter library the gateway uses: what reaches
the company natively (an IDoc at its SAP endpoint, the UBL native element of
FetchInbox, an X12 or CSV file in its drop folder's out/) is read back into
the canonical messages the ERP acts on, and every document the ERP sends is
written in its format (an IDoc or UBL document through SubmitNative, an X12
or CSV file into its drop folder's in/).  The translator knows the
company's part codes from the network file, as the partner's own EDI
translator would know them from its trading partner set-up.

Acknowledgements stay SOAP calls (Acknowledge): they are gateway messages,
not documents.  A document that reached the company without its agent id
(a file, an IDoc) finds it with SearchAgents by the sender's document key,
which the document carries.
"""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from lxml import etree

from adapters import canonical_doc as cd
from adapters.base import AdapterContext, Canonical, Purpose, TextRule
from adapters.registry import adapter_for

from ..delivery.native import item_map, other_party
from ..domain.documents import PROPAGATION, DocType
from ..messages.schema import NS
from ..network.loader import Company, Network
from .erp import SimulatedErp
from .sap_endpoint import IdocInbox

_Q = "{%s}" % NS


@dataclass(frozen=True)
class Translator:
    """One company's adapter and agreements, as its EDI translator is set up."""
    company: Company
    network: Network

    @property
    def adapter(self):
        return adapter_for(self.company.erp_kind)

    def context(self, counterpart: str, *, sender: str, receiver: str) -> AdapterContext:
        rows = [(a.buyer, a.supplier, it.item, it.supplier_part)
                for a in self.network.agreements for it in a.items]
        fmt = self.company.format
        return AdapterContext(
            sender=sender, receiver=receiver,
            items=item_map(rows, self.company.code, counterpart),
            text_rule=TextRule(fmt.text_rule) if fmt else TextRule.REFUSE,
            party_ids=dict(fmt.party_ids) if fmt else {},
            charset=fmt.charset if fmt else None)

    def read(self, data: bytes, sender: str) -> list[Canonical]:
        return self.adapter.read(data, self.context(sender, sender=sender,
                                                    receiver=self.company.code))

    def write(self, document: dict) -> bytes:
        doc = _doc(document)
        context = self.context(doc.partner, sender=doc.company, receiver=doc.partner)
        return self.adapter.write([Canonical(Purpose.ORIGINAL, cd.to_element(doc))], context)


def _doc(d: dict) -> cd.Doc:
    """The ERP's document (the dict it would hand zeep) as canonical values."""
    def dec(v):
        return None if v is None else Decimal(v)
    lines = tuple(cd.DocLine(number=int(ln["lineNumber"]), item=ln["item"],
                             quantity=Decimal(ln["quantity"]), unit=ln["unit"],
                             description=ln.get("description"),
                             unit_price=dec(ln.get("unitPrice")),
                             requested_date=ln.get("requestedDate"))
                  for ln in d["line"])
    refs = tuple(cd.DocRef(company=r["company"], type=r["type"], number=r["number"],
                           quantity=dec(r.get("quantity"))) for r in d.get("reference") or ())
    return cd.Doc(type=d["type"], number=d["number"], company=d["company"],
                  issue_date=d["issueDate"], lines=lines, partner=d.get("partner"),
                  requested_date=d.get("requestedDate"), currency=d.get("currency"),
                  note=d.get("note"), references=refs)


def _message(message_id: str, agent_id: str, document: etree._Element,
             receiver: str) -> etree._Element:
    """An InboxMessage as the gateway would have sent it canonically, rebuilt from a
    native document and the agent found for it."""
    doc_type = document.findtext(_Q + "type")
    el = etree.Element(_Q + "message", nsmap={None: NS})
    for name, value in (("messageId", message_id), ("kind", "Propagation"),
                        ("agentId", agent_id), ("sender", document.findtext(_Q + "company")),
                        ("receiver", receiver),
                        ("counterpartType", PROPAGATION[DocType(doc_type)][1].value)):
        etree.SubElement(el, _Q + name).text = value
    el.append(document)
    return el


class NativeErp(SimulatedErp):
    """A SimulatedErp whose documents cross the boundary in its own format.

    ``inbound`` is how native messages reach it: "fetch" (FetchInbox, native
    element), "sap" (IDocs at its SAP endpoint ``idocs``; other messages on its
    partner queue, ``push_inbox``) or "file" (its drop folder's out/).
    ``outbound`` is how its documents leave: "soap" (SubmitNative) or "file"."""

    def __init__(self, *args, translator: Translator, inbound: str, outbound: str,
                 idocs: IdocInbox | None = None, drop_folder: str | None = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.translator = translator
        self.inbound, self.outbound = inbound, outbound
        self.idocs = idocs
        self.drop = Path(drop_folder) if drop_folder else None
        self.native_seen: list[tuple[str, bytes]] = []   # (file name or message id, bytes)
        self.native_sent: list[tuple[str, bytes]] = []

    # ------------------------------------------------------------------ in

    def _fetch(self) -> list[etree._Element]:
        if self.inbound == "fetch":
            return [self._from_native_element(m) for m in super()._fetch()]
        if self.inbound == "sap":
            out = super()._fetch()      # acknowledgements and notices on the partner queue
            for idoc in self.idocs.drain():
                self.native_seen.append((idoc.message_id, idoc.data))
                out.extend(self._found(idoc.message_id, idoc.data))
            return out
        return self._read_out_folder()

    def _from_native_element(self, message: etree._Element) -> etree._Element:
        native = message.find(_Q + "native")
        if native is None:
            return message
        data = base64.b64decode(native.findtext(_Q + "content"))
        self.native_seen.append((message.findtext(_Q + "messageId"), data))
        [read] = self.translator.read(data, message.findtext(_Q + "sender"))
        # the ERP works from what its translator read, not from the canonical copy
        message.replace(message.find(_Q + "document"), read.document)
        message.remove(native)
        return message

    def _found(self, message_id: str, data: bytes) -> list[etree._Element]:
        """Documents that came without their agent id: find it by the sender's key."""
        out = []
        fmt = self.translator.company.format
        sender = other_party(self.translator.company.erp_kind, data, self.code,
                             dict(fmt.party_ids) if fmt else {})
        if sender is None:   # the format names the parties in each document: read them
            first = self.translator.adapter.read(data, AdapterContext(
                sender=self.code, receiver=self.code, party_ids=dict(fmt.party_ids) if fmt else {}))
            sender = first[0].document.findtext(_Q + "company")
        for n, message in enumerate(self.translator.read(data, sender)):
            doc = message.document
            found = self.client.service.SearchAgents(
                company=doc.findtext(_Q + "company"), type=doc.findtext(_Q + "type"),
                number=doc.findtext(_Q + "number"))
            # zeep unwraps a response of one repeated element into a list
            agents = found if isinstance(found, list) else (found.agent or [])
            agent = next(a for a in agents if a.receiver == self.code)
            out.append(_message(message_id if n == 0 else f"{message_id}.{n}",
                                agent.agentId, doc, self.code))
        return out

    def _read_out_folder(self) -> list[etree._Element]:
        out_dir, read_dir = self.drop / "out", self.drop / "read"
        read_dir.mkdir(parents=True, exist_ok=True)
        if not out_dir.is_dir():
            return []
        files = sorted((p for p in out_dir.iterdir() if p.is_file() and not p.name.startswith(".")),
                       key=lambda p: (p.stat().st_mtime_ns, p.name))
        out: list[etree._Element] = []
        for path in files:
            data = path.read_bytes()
            if path.name.endswith(".inbox.xml"):       # an acknowledgement or a notice
                out.append(etree.fromstring(data))
            else:
                self.native_seen.append((path.name, data))
                out.extend(self._found(path.name[:-len(path.suffix)], data))
            os.replace(path, read_dir / path.name)      # the translator's archive
        return out

    # ------------------------------------------------------------------ out

    def _submit(self, document: dict) -> object:
        data = self.translator.write(document)
        message_id = self._message_id()
        self.native_sent.append((message_id, data))
        if self.outbound == "file":
            name = f"{message_id}{self.translator.adapter.file_suffix}"
            folder = self.drop / "in"
            folder.mkdir(parents=True, exist_ok=True)
            temporary = folder / f".{name}.tmp"
            temporary.write_bytes(data)
            os.replace(temporary, folder / name)        # the gateway never sees half a file
            return None
        return self.client.service.SubmitNative(messageId=message_id,
                                                erpKind=self.translator.company.erp_kind,
                                                content=data)


def native_erp_kwargs(company: Company, network: Network, *, idocs: IdocInbox | None = None
                      ) -> dict | None:
    """How the demo wires a company with a native format; None for canonical ones."""
    fmt = company.format
    if fmt is None or not fmt.native:
        return None
    translator = Translator(company, network)
    if company.transport == "file":
        return {"translator": translator, "inbound": "file", "outbound": "file",
                "drop_folder": fmt.drop_folder}
    if company.transport == "pull":
        return {"translator": translator, "inbound": "fetch", "outbound": "soap"}
    if fmt.native_endpoint and company.erp_kind == "sap-idoc":
        return {"translator": translator, "inbound": "sap", "outbound": "soap", "idocs": idocs}
    return None   # native push to ReceiveMessage: not wired in the demo


__all__ = ["NativeErp", "Translator", "native_erp_kwargs"]
