"""The demo network in motion: seven simulated ERPs around one running gateway.

Push companies get a partner server first, because their URLs are what the
network file's ${MOTHER_URL}, ${T1A_URL} and ${T2B_URL} are filled with when
the network is installed.  Stock is chosen so that the run shows both kinds
of supplier: T2B serves part of its chipset demand from stock and T3A part of
its laminate demand (leagile: the TDIN ends there), while the rest of every
order travels down to RAW and the deliveries travel back up.  Every delivery,
once acknowledged, is invoiced (A-TPA) and the invoice paid in full (P-TPA);
the mother returns two units of the first goods it receives (R-TPA), so that
the trace shows every kind of agent.

Four companies speak their own format at their boundary (demo.toml): MOTHER's
SAP gets IDocs at its own IDoc endpoint (a simulated one, started here) and
sends IDocs through SubmitNative; T1B pulls UBL with FetchInbox and sends UBL;
T2A (X12) and T3A (CSV) exchange files through their drop folders under
``drop_dir``.  Their simulated ERPs sit behind a translator built on the same
adapters (native_bridge.py), so the same order is seen as an IDoc, a UBL
Order, an X12 850 and a CSV file on its way down the tiers.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

from ..delivery import file_drop
from ..delivery.worker import DeliveryReport, deliver_due
from ..network.loader import DEMO_NETWORK, Network, install, load_network
from ..testing import RunningGateway
from .erp import SimulatedErp
from .native_bridge import NativeErp, native_erp_kwargs
from .partner_server import PartnerApp, start_partner_server
from .sap_endpoint import IdocInbox, start_sap_endpoint

# item sold -> its bill of materials: (component, quantity per unit, supplier)
DEMO_BOM: dict[str, dict[str, list[tuple[str, int, str]]]] = {
    "T1A": {"MAINBOARD": [("PCB", 1, "T2A"), ("CHIPSET", 1, "T2B")]},
    "T1B": {"DISPLAY-MODULE": [("CHIPSET", 1, "T2B")]},
    "T2A": {"PCB": [("COPPER-LAMINATE", 1, "T3A")]},
    "T2B": {"CHIPSET": [("COPPER-LAMINATE", 1, "T3A")]},
    "T3A": {"COPPER-LAMINATE": [("COPPER-FOIL", 2, "RAW")]},
    "RAW": {},
}
DEMO_STOCK: dict[str, dict[str, int]] = {
    "T2B": {"CHIPSET": 60},              # part of one customer's demand from stock
    "T3A": {"COPPER-LAMINATE": 40},      # some laminate on the shelf
    "RAW": {"COPPER-FOIL": 1_000_000},   # raw material: always from stock
}
SPLIT = {"T1A", "T2A", "T3A"}            # these ship in two parts (60 % then 40 %)
RETURNS = {"MOTHER": 2}                  # units of its first receiving sent back (one Return)
MOTHER_ORDERS = (("T1A", "MAINBOARD"), ("T1B", "DISPLAY-MODULE"))
URL_VARIABLES = {"MOTHER": "MOTHER_URL", "T1A": "T1A_URL", "T2B": "T2B_URL"}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class RoundReport:
    round: int
    delivered: int
    retried: int
    dead: int
    acted: int

    @property
    def quiet(self) -> bool:
        return self.delivered + self.retried + self.dead + self.acted == 0


@dataclass
class DemoNetwork:
    gateway: RunningGateway
    network: Network
    erps: dict[str, SimulatedErp]
    partner_apps: dict[str, PartnerApp]
    servers: list = field(default_factory=list)
    clock: Callable[[], dt.datetime] = utc_now
    sap: IdocInbox | None = None
    drop_dir: Path | None = None

    @classmethod
    def start(cls, gateway: RunningGateway, network_file: str | Path = DEMO_NETWORK, *,
              clock: Callable[[], dt.datetime] = utc_now,
              drop_dir: str | Path | None = None) -> "DemoNetwork":
        servers, apps, variables = [], {}, {}
        for code, var in URL_VARIABLES.items():
            server, url, app = start_partner_server()
            servers.append(server)
            apps[code] = app
            variables[var] = url
        sap_server, sap_url, sap = start_sap_endpoint("MOTHER")
        servers.append(sap_server)
        drop = Path(drop_dir) if drop_dir else Path(tempfile.mkdtemp(prefix="smart-gateway-drop-"))
        variables.update({"MOTHER_SAP_URL": sap_url, "DEMO_DROP": str(drop)})
        network = load_network(network_file, variables=variables)
        with gateway.engine.begin() as conn:
            install(conn, network)
        erps = {}
        for company in network.companies:
            code = company.code
            prices = {(a.supplier, it.item): it.unit_price
                      for a in network.agreements if a.buyer == code for it in a.items}
            currencies = {a.currency for a in network.agreements if a.buyer == code and a.currency}
            sells = {it.item for a in network.agreements if a.supplier == code for it in a.items}
            app = apps.get(code) if company.transport == "push" else None
            native = native_erp_kwargs(company, network, idocs=sap)
            make = SimulatedErp if native is None else NativeErp
            erps[code] = make(
                code, company.credentials.username, company.credentials.secret,
                gateway.client(company.credentials.username, company.credentials.secret),
                stock=DEMO_STOCK.get(code), bom=DEMO_BOM.get(code), prices=prices, sells=sells,
                split_shipments=code in SPLIT, return_first_receiving=RETURNS.get(code),
                currency=next(iter(sorted(currencies)), "USD"),
                push_inbox=app.queue.drain if app is not None else None, **(native or {}))
        return cls(gateway, network, erps, apps, servers, clock, sap, drop)

    def place_order(self, qty: int | Decimal) -> list[str]:
        """The mother company's purchase orders that start the whole network."""
        mother = self.erps["MOTHER"]
        return [mother.place_order(supplier, item, qty) for supplier, item in MOTHER_ORDERS]

    def run_round(self, number: int) -> RoundReport:
        files = file_drop.poll(self.gateway.engine, now=self.clock())
        report: DeliveryReport = deliver_due(self.gateway.engine, now=self.clock(), batch=100,
                                             timeout=10.0)
        acted = sum(erp.step() for erp in self.erps.values())
        return RoundReport(number, report.delivered, report.retried, report.dead,
                           acted + files.total)

    def run_until_quiet(self, max_rounds: int = 200,
                        progress: Callable[[RoundReport], None] | None = None) -> int:
        """Push, then let every ERP act, until a round changes nothing; returns rounds run."""
        for n in range(1, max_rounds + 1):
            report = self.run_round(n)
            if progress is not None:
                progress(report)
            if report.quiet:
                return n
        raise RuntimeError(f"the network was still busy after {max_rounds} rounds")

    def native_summary(self) -> str:
        """'MOTHER sap-idoc 4 in / 5 out, ...': the native documents each translator handled."""
        return ", ".join(
            f"{code} {erp.translator.company.erp_kind} {len(erp.native_seen)} in / "
            f"{len(erp.native_sent)} out"
            for code, erp in self.erps.items() if isinstance(erp, NativeErp))

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
