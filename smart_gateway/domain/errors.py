"""Every error the gateway reports to a partner, each with a stable code.

The codes are part of the contract: partners' ERPs branch on them.  A SOAP
fault code is ``Client.<code>`` or ``Server.<code>``; see soap/faults.py.

    GatewayError
     ├── MalformedXml        body is not well-formed XML (or not UTF-8)
     ├── HostileXml          DTD, entity, oversized or too deep document
     ├── SchemaInvalid       well-formed, but not valid against schemas/
     ├── Unauthorized        no or wrong credentials, or acting as another company
     ├── UnknownReference    a referenced company, instance or agent does not exist
     ├── Duplicate           document number or message id already used
     ├── IllegalTransition   state model forbids the move (domain/states.py)
     ├── QuantityExceeded    references carry more than the referenced instance has
     ├── InvalidRequest      well-formed and valid, but semantically wrong
     ├── NotFound            a looked-up document or agent does not exist
     ├── Infeasible          a composition request whose constraints cannot all hold
     ├── UnmappedCode        a partner's part code with no mapping in its agreement
     └── Unrepresentable     text a partner's format or character set cannot carry
"""
from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ErrorCode(StrEnum):
    MALFORMED_XML = "MalformedXml"
    HOSTILE_XML = "HostileXml"
    SCHEMA_INVALID = "SchemaInvalid"
    UNAUTHORIZED = "Unauthorized"
    UNKNOWN_REFERENCE = "UnknownReference"
    DUPLICATE = "Duplicate"
    ILLEGAL_TRANSITION = "IllegalTransition"
    QUANTITY_EXCEEDED = "QuantityExceeded"
    INVALID_REQUEST = "InvalidRequest"
    NOT_FOUND = "NotFound"
    INFEASIBLE = "Infeasible"
    UNMAPPED_CODE = "UnmappedCode"
    UNREPRESENTABLE = "Unrepresentable"
    INTERNAL = "Internal"


class GatewayError(Exception):
    code: ClassVar[ErrorCode]
    client_side: ClassVar[bool] = True  # False -> "Server.*" fault

    def __init__(self, message: str, problems: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)

    def __str__(self) -> str:
        return self.message


class MalformedXml(GatewayError):
    code = ErrorCode.MALFORMED_XML


class HostileXml(GatewayError):
    code = ErrorCode.HOSTILE_XML


class SchemaInvalid(GatewayError):
    code = ErrorCode.SCHEMA_INVALID


class Unauthorized(GatewayError):
    code = ErrorCode.UNAUTHORIZED


class UnknownReference(GatewayError):
    code = ErrorCode.UNKNOWN_REFERENCE


class Duplicate(GatewayError):
    code = ErrorCode.DUPLICATE


class IllegalTransition(GatewayError):
    code = ErrorCode.ILLEGAL_TRANSITION


class QuantityExceeded(GatewayError):
    code = ErrorCode.QUANTITY_EXCEEDED


class InvalidRequest(GatewayError):
    code = ErrorCode.INVALID_REQUEST


class NotFound(GatewayError):
    code = ErrorCode.NOT_FOUND


class Infeasible(GatewayError):
    code = ErrorCode.INFEASIBLE


class UnmappedCode(GatewayError):
    code = ErrorCode.UNMAPPED_CODE


class Unrepresentable(GatewayError):
    code = ErrorCode.UNREPRESENTABLE


class Internal(GatewayError):
    code = ErrorCode.INTERNAL
    client_side = False
