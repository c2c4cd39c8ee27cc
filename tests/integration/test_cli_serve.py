"""`smart-gateway serve` as an operator runs it: a network file, a port, and partners calling."""
from __future__ import annotations

import os
import urllib.request

import zeep
from zeep.wsse.username import UsernameToken

from fixtures.serve_process import free_port, start_serve, stop

NETWORK = """
[network]
name = "two companies"

[[company]]
code = "BUYER"
name = "Buyer Co"
tier = 0
role = "mother"
erp_kind = "sap-idoc"
transport = "pull"
[company.credentials]
username = "buyer"
secret = "${BUYER_SECRET}"

[[company]]
code = "SELLER"
name = "Seller Co"
tier = 1
role = "supplier"
erp_kind = "csv"
transport = "pull"
[company.credentials]
username = "seller"
secret = "seller-secret"

[[agreement]]
buyer = "BUYER"
supplier = "SELLER"
lead_time_days = 5
"""


def test_serve_installs_the_network_and_answers_partners(tmp_path):
    network = tmp_path / "network.toml"
    network.write_text(NETWORK)
    port = free_port()
    env = {**os.environ, "SMART_GATEWAY_SQLITE_PATH": str(tmp_path / "gw.db"),
           "SMART_GATEWAY_PORT": str(port), "BUYER_SECRET": "buyer-secret"}
    env.pop("SMART_GATEWAY_DATABASE_URL", None)
    proc = start_serve(network, env)
    try:
        assert f"http://127.0.0.1:{port}/soap" in proc.listening_line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as resp:
            assert resp.read() == b"ok\n"
        wsdl = f"http://127.0.0.1:{port}/soap?wsdl"
        buyer = zeep.Client(wsdl, wsse=UsernameToken("buyer", "buyer-secret")).service
        seller = zeep.Client(wsdl, wsse=UsernameToken("seller", "seller-secret")).service
        sent = buyer.SubmitTransaction(messageId="m-1", document={
            "type": "PurchaseOrder", "number": "PO-1", "company": "BUYER", "partner": "SELLER",
            "issueDate": "2026-01-05", "line": [{"lineNumber": 1, "item": "BOLT",
                                                 "quantity": "500", "unit": "EA"}]})
        (message,) = seller.FetchInbox(maxMessages=5).message
        assert (message.agentId, message.document.number) == (sent.agentId, "PO-1")
    finally:
        stop(proc)


def test_the_command_called_with_arguments_leaves_the_callers_signals_alone(tmp_path, monkeypatch):
    # A process that calls main([...]) (a test run, a script) keeps Python's
    # SIGPIPE handling: with the default action, a write to a socket its peer
    # closed would kill the whole process without a word.
    import signal
    from smart_gateway import cli
    monkeypatch.setenv("SMART_GATEWAY_SQLITE_PATH", str(tmp_path / "gw.db"))
    before = signal.getsignal(signal.SIGPIPE)
    assert cli.main(["migrate"]) == 0
    assert signal.getsignal(signal.SIGPIPE) == before != signal.SIG_DFL
