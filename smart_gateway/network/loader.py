"""The network file: the companies, their credentials and their agreements, declared in TOML.

A network is declared in a file (DESIGN.md section 1) so that an operator can
review it, keep it under version control and load it into an empty gateway in
one step.  The loader checks the whole file before anything is written and
reports every problem at once, each naming its entry, so the operator fixes
the file in one round instead of one error per run.

    [network]
    name = "Hanbit handset network"

    [[company]]
    code = "T1A"                      # [A-Z0-9][A-Z0-9_-]*, at most 32
    name = "Siam Precision Assembly"
    tier = 1                          # 0 only for the mother company
    role = "supplier"                 # mother | supplier | raw-material
    erp_kind = "ubl-2.1"              # see ERP_KINDS
    transport = "push"                # push (needs endpoint) | pull (no endpoint) | file
    endpoint = "${T1A_URL}"           # http(s) URL; ${VAR} from load_network(variables=),
                                      # ${VAR:-default} where the file has a default
    [company.format]                  # optional: documents in the ERP kind's own format
    native = true                     # propagated documents rendered by the kind's adapter
    text_rule = "refuse"              # refuse | transliterate (text the charset cannot carry)
    charset = "x12-basic"             # EDI/flat/CSV character set (adapters/text.py CHARSETS)
    drop_folder = "${DROP}/t1a"       # transport "file": <drop>/in, out, done, rejected
    native_endpoint = "${SAP_URL}"    # sap-idoc pushed natively: SAP's own IDoc SOAP endpoint
    [company.format.party_ids]        # the company's own identifiers of the parties
    MOTHER = "0000100001"
    # secret may be "${VAR}" too, so that a production file holds no secret
    [company.credentials]
    username = "t1a"
    secret = "..."

    [[admin]]                         # headquarter administrators
    username = "hq-admin"
    secret = "..."

    [[agreement]]
    buyer = "MOTHER"
    supplier = "T1A"
    lead_time_days = 14
    max_quantity = "50000"            # optional, decimal string or number
    currency = "USD"                  # optional, ISO 4217
    [[agreement.item]]
    item = "MAINBOARD"
    supplier_part = "SPA-MB-7720"     # optional
    unit_price = "38.50"              # optional
    decoupling = "MTO"                # MTS (default) | MTO | ETO
    safety_stock = "200"              # optional: what the supplier keeps on hand
    [agreement.item.change]           # optional: this item's change terms
    frozen_days = 7                   # a change due within 7 days is with penalty
    penalty_percent = "10"            # of the changed value
    penalty_fixed = "50.00"           # per changed line
    [agreement.change]                # optional: the terms of every other item

``install`` writes a loaded network into gw_company, gw_credential,
gw_agreement, gw_agreement_item and gw_change_term, idempotently.
"""
from __future__ import annotations

import json
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, Iterable, Literal, Mapping, Sequence
from urllib.parse import urlsplit

from sqlalchemy import Connection, Table, and_, delete, insert, select, update

from ..persistence.tables import SCALE
from ..persistence.tables import agreement as agreement_table
from ..persistence.tables import agreement_item as agreement_item_table
from ..persistence.tables_cascade import change_term as change_term_table
from ..persistence.tables import company as company_table
from ..persistence.tables import credential as credential_table
from ..persistence.tables_adapters import partner_format as format_table

DEMO_NETWORK: Final = Path(__file__).resolve().with_name("demo.toml")

Role = Literal["mother", "supplier", "raw-material"]
Transport = Literal["push", "pull", "file"]
Decoupling = Literal["MTS", "MTO", "ETO"]

ROLES: Final = ("mother", "supplier", "raw-material")
TRANSPORTS: Final = ("push", "pull", "file")
TEXT_RULES: Final = ("refuse", "transliterate")
DECOUPLING_POINTS: Final = ("MTS", "MTO", "ETO")
# The ERP kinds the gateway has an adapter for; a typo here would otherwise only
# surface at the first message to that company.  Written out rather than read
# from adapters.registry so that loading a network file does not import every
# adapter; tests/unit/test_network_file.py holds the two lists equal.
ERP_KINDS: Final = ("cii-d16b", "csv", "cxml", "edifact-d96a", "sap-idoc", "sap-idoc-flat",
                    "ubl-2.1", "x12-4010")

CODE_RE: Final = re.compile(r"[A-Z0-9][A-Z0-9_-]*")
TOKEN_RE: Final = re.compile(r"\S+")
CURRENCY_RE: Final = re.compile(r"[A-Z]{3}")
VARIABLE_RE: Final = re.compile(r"\$\{([^}]*)\}")

MICRO: Final = Decimal(1) / SCALE
MAX_DECIMAL: Final = Decimal(2**63 - 1) / SCALE  # what a Micro (BigInteger millionths) column holds

TOP_KEYS: Final = ("network", "company", "admin", "agreement")
NETWORK_KEYS: Final = ("name",)
COMPANY_KEYS: Final = ("code", "name", "tier", "role", "erp_kind", "transport", "endpoint", "credentials",
                        "format")
FORMAT_KEYS: Final = ("native", "text_rule", "charset", "drop_folder", "native_endpoint", "party_ids")
CREDENTIAL_KEYS: Final = ("username", "secret")
AGREEMENT_KEYS: Final = ("buyer", "supplier", "lead_time_days", "max_quantity", "currency", "item",
                          "change")
ITEM_KEYS: Final = ("item", "supplier_part", "unit_price", "decoupling", "safety_stock", "change")
CHANGE_KEYS: Final = ("frozen_days", "penalty_percent", "penalty_fixed")
EVERY_ITEM: Final = "*"  # gw_change_term's row for the items without terms of their own


# --------------------------------------------------------------------------- the model

@dataclass(frozen=True)
class Credential:
    """A WS-Security UsernameToken login; the secret is kept out of repr so logs never show it."""
    username: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class PartnerFormat:
    """How documents reach the company and leave it in its ERP kind's own format."""
    native: bool = False
    text_rule: str = "refuse"
    charset: str | None = None
    drop_folder: str | None = None
    native_endpoint: str | None = None
    party_ids: tuple[tuple[str, str], ...] = ()     # (company code, native id), sorted


@dataclass(frozen=True)
class Company:
    code: str
    name: str
    tier: int
    role: Role
    erp_kind: str
    transport: Transport
    endpoint: str | None
    credentials: Credential
    format: PartnerFormat | None = None


@dataclass(frozen=True)
class ChangeTerms:
    """What a change costs under an agreement (see smart_gateway/cascade/README.md)."""
    frozen_days: int = 0
    penalty_percent: Decimal = Decimal(0)
    penalty_fixed: Decimal = Decimal(0)


@dataclass(frozen=True)
class AgreementItem:
    item: str
    supplier_part: str | None = None
    unit_price: Decimal | None = None
    decoupling: Decoupling = "MTS"
    safety_stock: Decimal | None = None
    change: ChangeTerms | None = None


@dataclass(frozen=True)
class Agreement:
    buyer: str
    supplier: str
    lead_time_days: int
    max_quantity: Decimal | None = None
    currency: str | None = None
    items: tuple[AgreementItem, ...] = ()
    change: ChangeTerms | None = None


@dataclass(frozen=True)
class Network:
    name: str
    companies: tuple[Company, ...]
    admins: tuple[Credential, ...]
    agreements: tuple[Agreement, ...]

    def company(self, code: str) -> Company:
        """The company with this code; KeyError if the network has none."""
        for candidate in self.companies:
            if candidate.code == code:
                return candidate
        raise KeyError(code)

    def agreement(self, buyer: str, supplier: str) -> Agreement:
        """The agreement between buyer and supplier; KeyError if there is none."""
        for candidate in self.agreements:
            if (candidate.buyer, candidate.supplier) == (buyer, supplier):
                return candidate
        raise KeyError(f"{buyer}->{supplier}")


class NetworkFileError(ValueError):
    """A network file that cannot be used, with every problem found, one per line.

    ``problems`` holds the lines without the file name, for callers that
    show them their own way.
    """

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        header = f"invalid network file {source} ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([header, *(f"  {source}: {line}" for line in self.problems)]))


# --------------------------------------------------------------------------- loading

def load_network(path: str | os.PathLike[str], *,
                 variables: Mapping[str, str] | None = None) -> Network:
    """Read, check and return the network declared in the TOML file at path.

    variables fills ``${NAME}`` in endpoint values (the demo passes the URLs
    of the ERP simulators it started on ephemeral ports).
    """
    source = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NetworkFileError(source, [f"file: not UTF-8 ({exc.reason} at byte {exc.start})"]) from None
    return load_network_from_string(text, source=source, variables=variables)


def load_network_from_string(text: str, source: str = "<string>", *,
                             variables: Mapping[str, str] | None = None) -> Network:
    """Like load_network, for a file's text; source names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NetworkFileError(source, [f"file: not valid TOML: {exc}"]) from None
    problems = _Problems()
    network = _read_network(data, dict(variables or {}), problems)
    if problems.lines:
        raise NetworkFileError(source, problems.lines)
    return network


class _Problems:
    """Collects problems so that one run reports all of them, not only the first."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, entry: str, message: str) -> None:
        self.lines.append(f"{entry}: {message}")


def _toml_type(value: Any) -> str:
    """How TOML calls the type of value, for messages an operator understands."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"


class _Table:
    """Typed reads from one TOML table.

    A bad or missing value is recorded as a problem and read as None, so the
    caller goes on reading the rest of the file; unknown keys are refused at
    construction because a misspelt optional key would otherwise be ignored.
    """

    def __init__(self, raw: Mapping[str, Any], entry: str, problems: _Problems,
                 keys: Sequence[str], prefix: str = "") -> None:
        self.raw = raw
        self.entry = entry
        self.problems = problems
        self.prefix = prefix
        for key in raw:
            if key not in keys:
                self.problem(key, f"unknown key (allowed: {', '.join(keys)})")

    def problem(self, key: str, message: str) -> None:
        self.problems.add(self.entry, f"{self.prefix}{key}: {message}")

    def has(self, key: str) -> bool:
        return key in self.raw

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.raw:
            if required:
                self.problem(key, "required key is missing")
            return None
        return self.raw[key]

    def text(self, key: str, *, max_len: int, required: bool = True,
             choices: Sequence[str] | None = None, pattern: re.Pattern[str] | None = None,
             hint: str = "", default: str | None = None) -> Any:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            self.problem(key, f"must be a string, not {_toml_type(value)}")
            return None
        if choices is not None and value not in choices:
            self.problem(key, f"{value!r} is not one of: {', '.join(choices)}")
            return None
        if not value.strip():
            self.problem(key, "must not be empty")
            return None
        if len(value) > max_len:
            self.problem(key, f"longer than {max_len} characters")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.problem(key, f"{value!r} is not allowed: {hint or pattern.pattern}")
            return None
        return value

    def integer(self, key: str, *, minimum: int) -> Any:
        value = self._get(key, True)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"must be an integer, not {_toml_type(value)}")
            return None
        if value < minimum:
            self.problem(key, f"must be at least {minimum}, not {value}")
            return None
        return value

    def decimal(self, key: str, *, positive: bool) -> Decimal | None:
        """An optional exact decimal; floats go through repr so 0.1 stays 0.1."""
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(key, f"must be a decimal string or a number, not {_toml_type(value)}")
            return None
        number = _parse_decimal(value)
        if number is None:
            self.problem(key, f"{value!r} is not a decimal number")
            return None
        limit_problem = _decimal_limits(number, positive)
        if limit_problem:
            self.problem(key, limit_problem)
            return None
        return number

    def table(self, key: str) -> Mapping[str, Any] | None:
        value = self._get(key, True)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(key, f"must be a table, not {_toml_type(value)}")
            return None
        return value

    def tables(self, key: str, *, header: str, required: bool = False) -> list[Mapping[str, Any]]:
        """An array of tables; entries that are not tables are reported and left out."""
        value = self._get(key, False)
        if value is None:
            if required:
                self.problem(key, f"required: at least one {header} table")
            return []
        if not isinstance(value, list):
            self.problem(key, f"must be an array of tables ({header}), not {_toml_type(value)}")
            return []
        good = [entry for entry in value if isinstance(entry, dict)]
        if len(good) != len(value):
            self.problem(key, f"must be an array of tables ({header}); it holds other values")
        return good


def _parse_decimal(value: str | int | float) -> Decimal | None:
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _decimal_limits(number: Decimal, positive: bool) -> str | None:
    """Why number cannot be stored in a Micro column (or, if positive, is not above zero)."""
    if number < 0:
        return f"must not be negative, not {number}"
    if positive and number == 0:
        return "must be greater than 0"
    if number > MAX_DECIMAL:
        return f"{number} is too large"
    if number != number.quantize(MICRO):
        return f"{number} has more than 6 fraction digits"
    return None


def _label(kind: str, index: int, name: object) -> str:
    """An entry's name in messages: its position (from 0, as in the file) and its identity."""
    return f"{kind}[{index}] ({name})" if isinstance(name, str) and name else f"{kind}[{index}]"


def _substitute(text: str, variables: Mapping[str, str]) -> tuple[str, list[str]]:
    """text with each ${NAME} replaced from variables, and the names that were unknown."""
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        # ${NAME:-default}, as in a shell: the default when NAME is not given
        name, has_default, default = match.group(1).partition(":-")
        if name in variables:
            return str(variables[name])
        if has_default:
            return default
        unknown.append(name)
        return match.group(0)

    return VARIABLE_RE.sub(replace, text), unknown


def _url_problem(url: str) -> str | None:
    """Why url cannot be a push partner's SOAP address, or None if it can."""
    if len(url) > 500:
        return "longer than 500 characters"
    if any(ch.isspace() for ch in url):
        return f"{url!r} contains white space"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not host:
        return f"{url!r} is not an http(s) URL"
    return None


# --------------------------------------------------------------------------- entries

def _read_network(data: Mapping[str, Any], variables: Mapping[str, str],
                  problems: _Problems) -> Network:
    top = _Table(data, "top level", problems, TOP_KEYS)
    header = top.table("network")
    name = None
    if header is not None:
        name = _Table(header, "network", problems, NETWORK_KEYS).text("name", max_len=200)
    company_raws = top.tables("company", header="[[company]]", required=True)
    companies = [_read_company(raw, i, variables, problems) for i, raw in enumerate(company_raws)]
    admins = [_read_admin(raw, i, problems, variables)
              for i, raw in enumerate(top.tables("admin", header="[[admin]]"))]
    agreements = [_read_agreement(raw, i, problems)
                  for i, raw in enumerate(top.tables("agreement", header="[[agreement]]"))]

    _check_companies(companies, problems)
    _check_usernames(companies, admins, problems)
    declared = {raw["code"] for raw in company_raws if isinstance(raw.get("code"), str)}
    _check_agreements(agreements, declared, problems)
    for entry, c in companies:
        for code, _ in c.format.party_ids if c.format else ():
            if code not in declared:
                problems.add(entry, f"format.party_ids.{code}: not a declared company")
    return Network(name=name, companies=tuple(c for _, c in companies),
                   admins=tuple(a for _, a in admins), agreements=tuple(a for _, a in agreements))


def _read_company(raw: Mapping[str, Any], index: int, variables: Mapping[str, str],
                  problems: _Problems) -> tuple[str, Company]:
    entry = _label("company", index, raw.get("code"))
    t = _Table(raw, entry, problems, COMPANY_KEYS)
    code = t.text("code", max_len=32, pattern=CODE_RE,
                  hint="upper-case letters, digits, '_' and '-', starting with a letter or digit")
    name = t.text("name", max_len=200)
    tier = t.integer("tier", minimum=0)
    role = t.text("role", max_len=16, choices=ROLES)
    erp_kind = t.text("erp_kind", max_len=32, choices=ERP_KINDS)
    transport = t.text("transport", max_len=8, choices=TRANSPORTS)
    endpoint = _read_endpoint(t, transport, variables)
    _check_tier(t, role, tier)
    credentials_raw = t.table("credentials")
    credentials = (_read_credential(credentials_raw, entry, problems, prefix="credentials.",
                                    variables=variables)
                   if credentials_raw is not None else None)
    fmt = _read_format(t, erp_kind, transport, variables)
    return entry, Company(code=code, name=name, tier=tier, role=role, erp_kind=erp_kind,
                          transport=transport, endpoint=endpoint, credentials=credentials,
                          format=fmt)


def _read_format(t: _Table, erp_kind: str | None, transport: str | None,
                 variables: Mapping[str, str]) -> PartnerFormat | None:
    """The optional [company.format]; a file drop needs one (its folder)."""
    if not t.has("format"):
        if transport == "file":
            t.problem("format", 'required for transport "file": [company.format] with drop_folder')
        return None
    raw = t.table("format")
    if raw is None:
        return None
    f = _Table(raw, t.entry, t.problems, FORMAT_KEYS, prefix="format.")
    native = raw.get("native", transport == "file")
    if not isinstance(native, bool):
        f.problem("native", f"must be a boolean, not {_toml_type(native)}")
        native = False
    if transport == "file" and not native:
        f.problem("native", 'must be true for transport "file": a drop folder carries the '
                            "ERP's own files")
    text_rule = f.text("text_rule", max_len=16, required=False, choices=TEXT_RULES,
                       default="refuse")
    charset = f.text("charset", max_len=16, required=False)
    if charset is not None:
        from adapters.text import CHARSETS  # the adapters' list is the one list of charsets
        if charset.lower() not in CHARSETS:
            f.problem("charset", f"{charset!r} is not one of: {', '.join(sorted(CHARSETS))}")
            charset = None
    drop_folder = _read_substituted(f, "drop_folder", variables)
    if transport == "file" and drop_folder is None and not f.has("drop_folder"):
        f.problem("drop_folder", 'required for transport "file"')
    elif transport != "file" and f.has("drop_folder"):
        f.problem("drop_folder", 'only for transport "file"')
    native_endpoint = _read_substituted(f, "native_endpoint", variables)
    if native_endpoint is not None:
        if (url_problem := _url_problem(native_endpoint)) is not None:
            f.problem("native_endpoint", url_problem)
            native_endpoint = None
        elif erp_kind != "sap-idoc" or transport != "push" or not native:
            f.problem("native_endpoint", 'only for erp_kind "sap-idoc", transport "push" and '
                                         "native = true (SAP's own IDoc endpoint)")
    party_ids: list[tuple[str, str]] = []
    if f.has("party_ids"):
        ids = raw["party_ids"]
        if not isinstance(ids, dict):
            f.problem("party_ids", f"must be a table of company code = native id, not "
                                   f"{_toml_type(ids)}")
        else:
            for code, native_id in ids.items():
                if not isinstance(native_id, str) or not TOKEN_RE.fullmatch(native_id) \
                        or len(native_id) > 35:
                    f.problem(f"party_ids.{code}", "must be a string of at most 35 characters "
                                                   "without white space")
                else:
                    party_ids.append((code, native_id))
            if len({v for _, v in party_ids}) != len(party_ids):
                f.problem("party_ids", "two companies have the same native id; each id must "
                                       "name one company")
    return PartnerFormat(native=native, text_rule=text_rule or "refuse", charset=charset,
                         drop_folder=drop_folder, native_endpoint=native_endpoint,
                         party_ids=tuple(sorted(party_ids)))


def _read_substituted(t: _Table, key: str, variables: Mapping[str, str]) -> str | None:
    """An optional string with ${VAR}s filled in from variables."""
    value = t.text(key, max_len=500, required=False)
    if value is None:
        return None
    value, unknown = _substitute(value, variables)
    for name in unknown:
        t.problem(key, f"unknown variable ${{{name}}}")
    return None if unknown else value


def _read_endpoint(t: _Table, transport: str | None, variables: Mapping[str, str]) -> str | None:
    """The push address with ${VAR}s filled in; pull partners host no server, so they have none."""
    if transport == "pull" and t.has("endpoint"):
        t.problem("endpoint", 'not allowed for transport "pull" (the company polls its inbox)')
        return None
    if transport == "file" and t.has("endpoint"):
        t.problem("endpoint", 'not allowed for transport "file" (messages go to its drop folder)')
        return None
    if transport == "push" and not t.has("endpoint"):
        t.problem("endpoint", 'required for transport "push" (the gateway calls it)')
        return None
    value = t.text("endpoint", max_len=10_000, required=False)
    if value is None:
        return None
    url, unknown = _substitute(value, variables)
    for name in unknown:
        known = ", ".join(sorted(variables)) or "none"
        t.problem("endpoint", f"unknown variable ${{{name}}} (variables given: {known})")
    if unknown:
        return None
    url_problem = _url_problem(url)
    if url_problem:
        t.problem("endpoint", url_problem)
        return None
    return url


def _check_tier(t: _Table, role: str | None, tier: int | None) -> None:
    if role == "mother" and tier not in (None, 0):
        t.problem("tier", f"the mother company is tier 0, not {tier}")
    elif role is not None and role != "mother" and tier == 0:
        t.problem("tier", "tier 0 is the mother company's; a supplier is tier 1 or deeper")


def _read_credential(raw: Mapping[str, Any], entry: str, problems: _Problems,
                     prefix: str = "", variables: Mapping[str, str] | None = None) -> Credential:
    t = _Table(raw, entry, problems, CREDENTIAL_KEYS, prefix=prefix)
    username = t.text("username", max_len=64, pattern=TOKEN_RE, hint="no white space")
    secret = t.text("secret", max_len=200)
    if secret is not None and "${" in secret:
        # A secret named ${VAR} comes from the environment: the file need hold none.
        secret, unknown = _substitute(secret, variables or {})
        for name in unknown:
            t.problem("secret", f"unknown variable ${{{name}}}")
    return Credential(username=username, secret=secret)


def _read_admin(raw: Mapping[str, Any], index: int, problems: _Problems,
                variables: Mapping[str, str] | None = None) -> tuple[str, Credential]:
    entry = _label("admin", index, raw.get("username"))
    return entry, _read_credential(raw, entry, problems, variables=variables)


def _read_agreement(raw: Mapping[str, Any], index: int,
                    problems: _Problems) -> tuple[str, Agreement]:
    buyer_raw, supplier_raw = raw.get("buyer"), raw.get("supplier")
    pair = f"{buyer_raw}->{supplier_raw}" if isinstance(buyer_raw, str) and isinstance(supplier_raw, str) else None
    entry = _label("agreement", index, pair)
    t = _Table(raw, entry, problems, AGREEMENT_KEYS)
    # Codes are checked where the company is declared; here only that they are declared.
    buyer = t.text("buyer", max_len=10_000)
    supplier = t.text("supplier", max_len=10_000)
    lead_time_days = t.integer("lead_time_days", minimum=0)
    max_quantity = t.decimal("max_quantity", positive=True)
    currency = t.text("currency", max_len=3, required=False, pattern=CURRENCY_RE,
                      hint="three upper-case letters (ISO 4217)")
    items = [_read_item(item_raw, i, entry, problems)
             for i, item_raw in enumerate(t.tables("item", header="[[agreement.item]]"))]
    _check_items(items, problems)
    change = _read_change(t, entry, problems)
    return entry, Agreement(buyer=buyer, supplier=supplier, lead_time_days=lead_time_days,
                            max_quantity=max_quantity, currency=currency,
                            items=tuple(item for _, item in items), change=change)


def _read_change(parent: "_Table", entry: str, problems: _Problems) -> ChangeTerms | None:
    """An optional [...change] table of change terms."""
    if not parent.has("change"):
        return None
    raw = parent.table("change")
    if raw is None:
        return None
    t = _Table(raw, entry, problems, CHANGE_KEYS, prefix="change.")
    frozen = t.integer("frozen_days", minimum=0) if t.has("frozen_days") else 0
    percent = t.decimal("penalty_percent", positive=False)
    fixed = t.decimal("penalty_fixed", positive=False)
    if percent is not None and percent > 100:
        t.problem("penalty_percent", f"{percent} is more than 100 (percent of the changed value)")
    return ChangeTerms(frozen_days=frozen or 0, penalty_percent=percent or Decimal(0),
                       penalty_fixed=fixed or Decimal(0))


def _read_item(raw: Mapping[str, Any], index: int, agreement_entry: str,
               problems: _Problems) -> tuple[str, AgreementItem]:
    entry = f"{agreement_entry} {_label('item', index, raw.get('item'))}"
    t = _Table(raw, entry, problems, ITEM_KEYS)
    item = t.text("item", max_len=64, pattern=TOKEN_RE, hint="no white space")
    supplier_part = t.text("supplier_part", max_len=64, required=False, pattern=TOKEN_RE,
                           hint="no white space")
    unit_price = t.decimal("unit_price", positive=False)
    decoupling = t.text("decoupling", max_len=4, required=False, choices=DECOUPLING_POINTS,
                        default="MTS")
    safety_stock = t.decimal("safety_stock", positive=False)
    change = _read_change(t, entry, problems)
    return entry, AgreementItem(item=item, supplier_part=supplier_part, unit_price=unit_price,
                                decoupling=decoupling or "MTS", safety_stock=safety_stock,
                                change=change)


# --------------------------------------------------------------------------- cross-entry checks

def _first_seen(entries: Iterable[tuple[str, Any]], key_of: Any,
                problems: _Problems, what: str) -> None:
    """Report every entry whose key an earlier entry already has."""
    first: dict[Any, str] = {}
    for entry, value in entries:
        key = key_of(value)
        if key is None:
            continue
        if key in first:
            problems.add(entry, f"{what}: duplicate of {first[key]}")
        else:
            first[key] = entry


def _check_companies(companies: list[tuple[str, Company]], problems: _Problems) -> None:
    """Codes are unique and there is exactly one mother company, the network's root."""
    _first_seen(companies, lambda c: c.code, problems, "code")
    mothers = [entry for entry, c in companies if c.role == "mother"]
    if not mothers:
        problems.add("network", 'no company has role "mother"; exactly one is required')
    for entry in mothers[1:]:
        problems.add(entry, f'role: a second "mother" company ({mothers[0]} is the mother)')


def _check_usernames(companies: list[tuple[str, Company]], admins: list[tuple[str, Credential]],
                     problems: _Problems) -> None:
    """A username identifies one login in gw_credential, whoever it belongs to."""
    logins = [(entry, c.credentials) for entry, c in companies if c.credentials is not None]
    _first_seen([*logins, *admins], lambda cred: cred.username, problems, "username")


def _check_agreements(agreements: list[tuple[str, Agreement]], declared: set[str],
                      problems: _Problems) -> None:
    for entry, a in agreements:
        for role, code in (("buyer", a.buyer), ("supplier", a.supplier)):
            if code is not None and code not in declared:
                problems.add(entry, f"{role}: {code!r} is not a declared company")
        if a.buyer is not None and a.buyer == a.supplier:
            problems.add(entry, "supplier: same company as the buyer")
    _first_seen(agreements, lambda a: (a.buyer, a.supplier) if a.buyer and a.supplier else None,
                problems, "buyer/supplier")


def _check_items(items: list[tuple[str, AgreementItem]], problems: _Problems) -> None:
    _first_seen(items, lambda i: i.item, problems, "item")


# --------------------------------------------------------------------------- installing

@dataclass(frozen=True)
class InstallReport:
    """What install changed, one line per row, so a caller can log it or say "nothing to do"."""
    changes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def install(conn: Connection, network: Network) -> InstallReport:
    """Write network into the registry tables, inside the caller's transaction.

    Upsert: a row that already holds the declared values is left alone (so
    installing the same file twice writes nothing), a changed company,
    credential or agreement is updated in place (an agreement keeps its id,
    which other rows may refer to), and an agreement's items become exactly
    the declared ones.  Companies, agreements and admins absent from the file
    are kept: documents refer to them, and administrators may have added them.
    A declared company's other logins are removed, so a rotated username
    stops working.
    """
    changes: list[str] = []
    for declared in network.companies:
        _install_company(conn, declared, changes)
    for admin in network.admins:
        _note(changes, f"admin {admin.username}",
              _upsert(conn, credential_table, {"username": admin.username},
                      {"company": None, "is_admin": True, "secret": admin.secret}))
    for declared_agreement in network.agreements:
        _install_agreement(conn, declared_agreement, changes)
    return InstallReport(tuple(changes))


def _note(changes: list[str], what: str, outcome: str | None) -> None:
    if outcome:
        changes.append(f"{outcome} {what}")


def _upsert(conn: Connection, table: Table, key: Mapping[str, Any],
            values: Mapping[str, Any]) -> str | None:
    """Insert or update the row with this key; "inserted", "updated", or None if already so.

    Select-then-write rather than a dialect's ON CONFLICT: it runs the same on
    SQLite and PostgreSQL, and it lets an unchanged row stay unwritten.
    """
    where = and_(*(table.c[name] == value for name, value in key.items()))
    row = conn.execute(select(*(table.c[name] for name in values)).where(where)).mappings().first()
    if row is None:
        conn.execute(insert(table).values({**key, **values}))
        return "inserted"
    if any(row[name] != value for name, value in values.items()):
        conn.execute(update(table).where(where).values(dict(values)))
        return "updated"
    return None


def _install_company(conn: Connection, declared: Company, changes: list[str]) -> None:
    _note(changes, f"company {declared.code}",
          _upsert(conn, company_table, {"code": declared.code},
                  {"name": declared.name, "tier": declared.tier, "role": declared.role,
                   "erp_kind": declared.erp_kind, "transport": declared.transport,
                   "endpoint": declared.endpoint}))
    _install_format(conn, declared, changes)
    login = declared.credentials
    _note(changes, f"credential {login.username} of {declared.code}",
          _upsert(conn, credential_table, {"username": login.username},
                  {"company": declared.code, "is_admin": False, "secret": login.secret}))
    c = credential_table.c
    stale = conn.execute(select(c.username).where(
        c.company == declared.code, c.username != login.username)).scalars().all()
    if stale:
        conn.execute(delete(credential_table).where(c.username.in_(stale)))
        changes.extend(f"deleted credential {username} of {declared.code}" for username in stale)


def _install_format(conn: Connection, declared: Company, changes: list[str]) -> None:
    """The company's [company.format] row, or none when the file declares none."""
    fmt = declared.format
    if fmt is None:
        gone = conn.execute(delete(format_table).where(format_table.c.company == declared.code))
        if gone.rowcount:
            changes.append(f"deleted format of {declared.code}")
        return
    party_ids = json.dumps(dict(fmt.party_ids), sort_keys=True) if fmt.party_ids else None
    _note(changes, f"format of {declared.code}",
          _upsert(conn, format_table, {"company": declared.code},
                  {"native": fmt.native, "text_rule": fmt.text_rule, "charset": fmt.charset,
                   "drop_folder": fmt.drop_folder, "native_endpoint": fmt.native_endpoint,
                   "party_ids": party_ids}))


def _install_agreement(conn: Connection, declared: Agreement, changes: list[str]) -> None:
    label = f"agreement {declared.buyer}->{declared.supplier}"
    key = {"buyer": declared.buyer, "supplier": declared.supplier}
    _note(changes, label, _upsert(conn, agreement_table, key,
                                  {"lead_time_days": declared.lead_time_days,
                                   "max_quantity": declared.max_quantity,
                                   "currency": declared.currency}))
    a = agreement_table.c
    agreement_id = conn.execute(select(a.id).where(
        a.buyer == declared.buyer, a.supplier == declared.supplier)).scalar_one()
    _replace_items(conn, agreement_id, declared.items, label, changes)
    _replace_change_terms(conn, agreement_id, declared, label, changes)


def _replace_change_terms(conn: Connection, agreement_id: int, declared: Agreement, label: str,
                          changes: list[str]) -> None:
    """Make the agreement's change terms exactly those the file declares."""
    declared_terms = {item.item: item.change for item in declared.items if item.change}
    if declared.change is not None:
        declared_terms[EVERY_ITEM] = declared.change
    _delete_undeclared(conn, change_term_table, agreement_id, set(declared_terms),
                       f"{label} change terms of", changes)
    for item, terms in sorted(declared_terms.items()):
        _note(changes, f"{label} change terms of {item}",
              _upsert(conn, change_term_table, {"agreement_id": agreement_id, "item": item},
                      {"frozen_days": terms.frozen_days, "penalty_percent": terms.penalty_percent,
                       "penalty_fixed": terms.penalty_fixed}))


def _delete_undeclared(conn: Connection, table, agreement_id: int, declared: set[str],
                       what: str, changes: list[str]) -> None:
    """Delete an agreement's rows (by item) that the file no longer declares."""
    c = table.c
    existing = set(conn.execute(select(c.item).where(c.agreement_id == agreement_id)).scalars())
    gone = sorted(existing - declared)
    if gone:
        conn.execute(delete(table).where(c.agreement_id == agreement_id, c.item.in_(gone)))
        changes.extend(f"deleted {what} {item}" for item in gone)


def _replace_items(conn: Connection, agreement_id: int, items: Sequence[AgreementItem],
                   label: str, changes: list[str]) -> None:
    """Make the agreement's items exactly these, touching only the rows that differ."""
    _delete_undeclared(conn, agreement_item_table, agreement_id, {item.item for item in items},
                       f"{label} item", changes)
    for item in items:
        _note(changes, f"{label} item {item.item}",
              _upsert(conn, agreement_item_table, {"agreement_id": agreement_id, "item": item.item},
                      {"supplier_part": item.supplier_part, "unit_price": item.unit_price,
                       "decoupling": item.decoupling, "safety_stock": item.safety_stock}))
