"""The one place where gateway errors become SOAP faults.

faultcode is ``Client.<code>`` or ``Server.<code>`` (domain/errors.py holds the
codes); detail carries a tns:GatewayFault element with the code again and
every problem found, so a partner's ERP can branch without parsing text.
"""
from __future__ import annotations

import logging

from lxml import etree
from spyne import Fault

from ..domain.errors import GatewayError, Internal
from ..messages.schema import NS

log = logging.getLogger(__name__)


class GatewayFault(Fault):
    __namespace__ = NS

    def __init__(self, error: GatewayError) -> None:
        side = "Client" if error.client_side else "Server"
        super().__init__(faultcode=f"{side}.{error.code.value}", faultstring=error.message)
        self.error = error

    def detail_element(self) -> etree._Element:
        el = etree.Element("{%s}GatewayFault" % NS, nsmap={None: NS})
        etree.SubElement(el, "{%s}code" % NS).text = self.error.code.value
        for problem in self.error.problems[:50]:
            etree.SubElement(el, "{%s}problem" % NS).text = problem[:512]
        return el


def to_fault(exc: BaseException) -> GatewayFault:
    if isinstance(exc, GatewayError):
        return GatewayFault(exc)
    # Never a stack trace on the wire: the log has it, the partner gets a code.
    log.exception("unexpected error while handling a request")
    return GatewayFault(Internal("the gateway failed to process the request; it was not "
                                 "applied. Retry later or contact the headquarter"))
