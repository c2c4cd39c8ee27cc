"""Every MSME operation answers with a response valid against gateway.xsd,
as written on the wire (checked here until tests/contract lists them)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from lxml import etree

from fixtures.gw_network import ENV, chain, mid, party
from smart_gateway.messages.schema import gateway_schema
from smart_gateway.soap.ops_msme import OPERATIONS

START = dt.date(2026, 1, 5)


def test_every_msme_response_is_valid_against_the_schema(gw):
    m, t1, admin = party(gw, "MOTHER"), party(gw, "T1A"), party(gw, None)
    schema = gateway_schema()
    seen = set()

    def call(p, operation, **kwargs):
        result = getattr(p.service, operation)(**kwargs)
        body = p.history.last_received["envelope"].find(f"{{{ENV}}}Body")[0]
        assert etree.QName(body).localname == f"{operation}Response"
        assert schema.validate(body), (operation, [str(e) for e in schema.error_log],
                                       etree.tostring(body).decode())
        seen.add(operation)
        return result

    chain(gw)
    call(t1, "ReportInventory", company="T1A", level=[{"item": "C1", "onHand": D(5),
                                                       "unit": "EA"}])
    call(t1, "ReportManufacturingStatus", company="T1A", orderType="SalesOrder",
         orderNumber="SO-1", item="C1", quantity=D(10), completed=D(4), status="InProgress",
         expectedCompletion=START)
    call(m, "ReportBillOfMaterials", company="MOTHER", item="P",
         component=[{"item": "C1", "quantityPer": D(2), "unit": "EA", "supplier": "T1A"}],
         routingStep=[{"sequence": 1, "workCentre": "ASSEMBLY", "days": D("1.5")}])
    call(m, "ExplodeBillOfMaterials", company="MOTHER", item="P", quantity=D(3))
    call(m, "ExplodeRouting", company="MOTHER", item="P", quantity=D(3))
    call(m, "EstimateDelivery", company="MOTHER", item="P", quantity=D(3), orderDate=START)
    call(t1, "CalculateOrderQuantity", company="T1A", item="C1",
         given={"annualDemand": D(1200), "orderCost": D(100), "holdingCost": D(6),
                "dailyDemand": D(10), "leadTimeDays": D(5), "safetyStock": D(20)})
    call(t1, "ReportInventory", company="T1A", level=[{"item": "C1", "onHand": D(5),
                                                       "unit": "EA"}])   # with an advice
    call(t1, "ReportSupplierOffer", supplier="T1A",
         location={"latitude": D("37.5665"), "longitude": D("126.978")},
         offer=[{"item": "C1", "unitPrice": D(2), "available": D(500), "leadTimeDays": 3}])
    call(m, "ParallelizeOrder", messageId=mid(), company="MOTHER", item="C1", unit="EA",
         capacity=D(50), held=D(10), requiredQuantity=D(30), immediate=False, place=False,
         location={"latitude": D("35.1796"), "longitude": D("129.0756")})
    plan = call(m, "ParallelizeOrder", messageId=mid(), company="MOTHER", item="C1", unit="EA",
                capacity=D(50), held=D(10), requiredQuantity=D(100), immediate=True,
                initialQuantity=D(20), dailyUsage=D(5), orderDate=START, place=True,
                numberPrefix="PAR", candidate=[{"supplier": "T1A", "distance": D(3),
                                                "unitPrice": D(2), "available": D(500)}])
    call(t1, "DefineCustomization", supplier="T1A", item="C1", code="RED",
         description="red", unitPrice=D(3), days=4)
    n = call(m, "RequestCustomization", buyer="MOTHER", supplier="T1A", item="C1",
             quantity=D(2), description="blue")
    call(t1, "Negotiate", negotiationId=n.id, action="Propose", unitPrice=D(4), days=6,
         text="blue costs more")
    call(m, "Negotiate", negotiationId=n.id, action="Accept")
    call(m, "PlaceNegotiatedOrder", messageId=mid(), negotiationId=n.id, number="PO-BLUE",
         unit="EA", issueDate=START)
    call(m, "TrackOrder", company="MOTHER", parallelOrderId=plan.parallelOrderId)
    call(m, "TrackOrder", company="MOTHER", number="PO-BLUE")
    call(admin, "RaiseDueAlerts")   # PO-M1 and the parallel orders are long overdue
    call(m, "ListAlerts")
    call(admin, "ListAlerts", company="T1A")
    assert seen == {op.name for op in OPERATIONS}
