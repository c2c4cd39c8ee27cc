"""Parties and item identifiers as a partner's document carries them, for UBL, X12 and EDIFACT.

A canonical document names two companies (``company``, ``partner``: network
codes) and, since gateway.xsd's Party and ItemIdentifier, every party the
native file names (buyer, seller, ship-to, bill-to, payer, payee ...) with
its ids, name and address, and every identifier of a line's item besides
the one the CIA turns into the network's ``item``.  This module holds the
values (canonical_doc's ``Party``, ``Address``, ids as ``(scheme, value)``)
as each format names them: the one table of roles and id schemes per format.

Schemes, one name per meaning whatever the format says it with:

    canonical  X12 (N103 / 235)      EDIFACT (3055 / 7143)   UBL (schemeID / element)
    GLN        UL                    9                        GLN (read also 0088)
    DUNS       1                     16                       DUNS (read also 0060)
    Buyer      92 / BP               92 / IN, BP              Buyer / BuyersItemIdentification
    Seller     91 / VP (read VN)     91 / SA                  Seller / SellersItemIdentification
    GTIN       UP, EN, UK by length  EN (read also SRV)       StandardItemIdentification
    ZZZ        ZZ (mutually defined) ZZZ                      no schemeID
    any other  as given              as given                 as given

A scheme a format cannot write (too long for its code element) is refused
with Unrepresentable, never dropped.
"""
from __future__ import annotations

import re

from lxml import etree

from smart_gateway.domain.errors import InvalidRequest, Unrepresentable

from .. import canonical_doc as cd

# The values the tables below fill, as canonical_doc defines them.
Address, Party = cd.Address, cd.Party

MUTUAL = "ZZZ"
_SCHEME = re.compile(r"[A-Za-z0-9:._\-]{1,35}")

Ident = cd.Ident


# ------------------------------------------------------------------ roles per format

X12_ROLE = {"BY": "Buyer", "SE": "Seller", "SU": "Seller", "VN": "Seller", "ST": "ShipTo",
            "SF": "ShipFrom", "BT": "BillTo", "PR": "Payer", "PE": "Payee"}
X12_ROLE_CODE = {"Buyer": "BY", "Seller": "SE", "ShipTo": "ST", "ShipFrom": "SF",
                 "BillTo": "BT", "Payer": "PR", "Payee": "PE", "Other": "ZZ"}
EDIFACT_ROLE = {"BY": "Buyer", "SU": "Seller", "SE": "Seller", "DP": "ShipTo", "ST": "ShipTo",
                "SF": "ShipFrom", "CZ": "ShipFrom", "IV": "BillTo", "BT": "BillTo",
                "PR": "Payer", "PE": "Payee"}
EDIFACT_ROLE_CODE = {"Buyer": "BY", "Seller": "SU", "ShipTo": "DP", "ShipFrom": "SF",
                     "BillTo": "IV", "Payer": "PR", "Payee": "PE", "Other": "ZZZ"}

# party id schemes: canonical <-> X12 N103, EDIFACT 3055, UBL schemeID
_X12_ID = {"UL": "GLN", "1": "DUNS", "92": "Buyer", "91": "Seller", "ZZ": MUTUAL}
_EDIFACT_ID = {"9": "GLN", "16": "DUNS", "92": "Buyer", "91": "Seller", "ZZZ": MUTUAL}
_UBL_ID = {"0088": "GLN", "0060": "DUNS", "GLN": "GLN", "DUNS": "DUNS"}


def _scheme(raw: str, table: dict[str, str], where: str) -> str:
    value = table.get(raw.strip(), raw.strip()) or MUTUAL
    if not _SCHEME.fullmatch(value):
        raise InvalidRequest(f"{where}: identifier scheme {raw!r} is not a code (letters, digits, "
                             f". : _ -, at most 35)")
    return value


def _native(scheme: str, table: dict[str, str], most: int, where: str) -> str:
    code = next((k for k, v in table.items() if v == scheme), scheme)
    if len(code) > most:
        raise Unrepresentable(f"{where}: identifier scheme {scheme!r} does not fit the "
                              f"{most}-character code element of this format")
    return code


def x12_id_scheme(code: str, where: str) -> str:
    return _scheme(code, _X12_ID, where)


def x12_id_code(scheme: str, where: str) -> str:
    return _native(scheme, _X12_ID, 2, where)


def edifact_id_scheme(code: str, where: str) -> str:
    return _scheme(code, _EDIFACT_ID, where)


def edifact_id_code(scheme: str, where: str) -> str:
    return _native(scheme, _EDIFACT_ID, 3, where)


def ubl_id_scheme(scheme_id: str | None, where: str) -> str:
    return _scheme(scheme_id or MUTUAL, _UBL_ID, where)


def ubl_scheme_id(scheme: str) -> str | None:
    return None if scheme == MUTUAL else scheme


# item id schemes: X12 235 (product id qualifier), EDIFACT 7143
_X12_ITEM = {"BP": "Buyer", "VP": "Seller", "VN": "Seller", "UP": "GTIN", "EN": "GTIN",
             "UK": "GTIN"}
_EDIFACT_ITEM = {"IN": "Buyer", "BP": "Buyer", "SA": "Seller", "EN": "GTIN", "SRV": "GTIN"}


def x12_item_scheme(code: str, where: str) -> str:
    return _scheme(code, _X12_ITEM, where)


def x12_item_code(scheme: str, value: str, where: str) -> str:
    if scheme == "GTIN":   # the qualifier names the GTIN's length
        return {12: "UP", 14: "UK"}.get(len(value), "EN")
    return _native(scheme, {"BP": "Buyer", "VP": "Seller"}, 2, where)


def edifact_item_scheme(code: str, where: str) -> str:
    return _scheme(code, _EDIFACT_ITEM, where)


def edifact_item_code(scheme: str, where: str) -> str:
    return _native(scheme, {"IN": "Buyer", "SA": "Seller", "EN": "GTIN"}, 3, where)


# ------------------------------------------------------------------ the canonical element

def parties_of(document: etree._Element) -> list[Party]:
    return list(cd.from_element(document).parties)


def item_ids_of(document: etree._Element) -> list[tuple[Ident, ...]]:
    return [ln.item_ids for ln in cd.from_element(document).lines]


# ISO 3166-1 alpha-3 codes X12 partners send in N404 (element 26 takes either form), for
# the network's trading countries; another alpha-3 code is refused, not guessed.
ALPHA3 = dict(pair.split(":") for pair in (
    "USA:US CAN:CA MEX:MX BRA:BR ARG:AR CHL:CL COL:CO PER:PE DEU:DE FRA:FR GBR:GB ITA:IT "
    "ESP:ES NLD:NL BEL:BE LUX:LU CHE:CH AUT:AT SWE:SE NOR:NO DNK:DK FIN:FI POL:PL CZE:CZ "
    "HUN:HU IRL:IE PRT:PT TUR:TR CHN:CN HKG:HK TWN:TW JPN:JP KOR:KR THA:TH VNM:VN MYS:MY "
    "SGP:SG IDN:ID PHL:PH IND:IN AUS:AU NZL:NZ ZAF:ZA ISR:IL ARE:AE SAU:SA").split())


def country(code: str | None, where: str) -> str | None:
    """An ISO 3166-1 alpha-2 country (alpha-3 codes of ``ALPHA3`` read as theirs);
    anything else is refused rather than guessed."""
    if code is None or not code.strip():
        return None
    value = code.strip().upper()
    value = ALPHA3.get(value, value)
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise InvalidRequest(f"{where}: country {code!r} is not an ISO 3166-1 alpha-2 code")
    return value
