"""The network file loader: the demo loads, and every kind of bad file is refused with all its problems."""
from __future__ import annotations

from decimal import Decimal

import pytest

from smart_gateway.network.loader import (
    DEMO_NETWORK, ChangeTerms, Credential, NetworkFileError, load_network, load_network_from_string,
)

DEMO_VARIABLES = {
    "MOTHER_URL": "http://127.0.0.1:8101/sap/orders",
    "T1A_URL": "http://127.0.0.1:8102/ubl",
    "T2B_URL": "https://127.0.0.1:8103/cxml",
}

# A small valid network; each refusal test breaks it in one place.
BASE = """
[network]
name = "test"

[[company]]
code = "M"
name = "Mother"
tier = 0
role = "mother"
erp_kind = "sap-idoc"
transport = "push"
endpoint = "http://m.example/soap"
[company.credentials]
username = "m"
secret = "m-secret"

[[company]]
code = "S1"
name = "Supplier one"
tier = 1
role = "supplier"
erp_kind = "csv"
transport = "pull"
[company.credentials]
username = "s1"
secret = "s1-secret"

[[admin]]
username = "hq"
secret = "hq-secret"

[[agreement]]
buyer = "M"
supplier = "S1"
lead_time_days = 7
[[agreement.item]]
item = "PART"
"""


def problems_of(text: str, **variables: str) -> tuple[str, ...]:
    with pytest.raises(NetworkFileError) as caught:
        load_network_from_string(text, source="net.toml", variables=variables)
    error = caught.value
    assert str(error).startswith("invalid network file net.toml")
    assert len(str(error).splitlines()) == 1 + len(error.problems)  # one line per problem
    return error.problems


def only_problem(text: str, **variables: str) -> str:
    problems = problems_of(text, **variables)
    assert len(problems) == 1, problems
    return problems[0]


def test_base_is_valid() -> None:
    network = load_network_from_string(BASE)
    assert [c.code for c in network.companies] == ["M", "S1"]
    assert network.agreements[0].items[0].decoupling == "MTS"  # the default


def test_demo_loads_with_variables() -> None:
    network = load_network(DEMO_NETWORK, variables=DEMO_VARIABLES)
    assert [c.code for c in network.companies] == ["MOTHER", "T1A", "T1B", "T2A", "T2B", "T3A", "RAW"]
    assert [(c.code, c.tier) for c in network.companies if c.role == "mother"] == [("MOTHER", 0)]
    assert network.company("RAW").role == "raw-material" and network.company("RAW").tier == 4
    assert network.company("MOTHER").endpoint == DEMO_VARIABLES["MOTHER_URL"]
    assert network.company("T2B").endpoint == DEMO_VARIABLES["T2B_URL"]
    assert network.company("T1B").endpoint is None and network.company("T1B").transport == "pull"
    assert network.company("T2A").credentials == Credential("t2a", "T2A-secret")
    assert network.admins == (Credential("hq-admin", "HQ-ADMIN-secret"),)
    assert {(a.buyer, a.supplier) for a in network.agreements} == {
        ("MOTHER", "T1A"), ("MOTHER", "T1B"), ("T1A", "T2A"), ("T1A", "T2B"),
        ("T1B", "T2B"), ("T2A", "T3A"), ("T2B", "T3A"), ("T3A", "RAW")}
    raw = network.agreement("T3A", "RAW")
    assert raw.max_quantity == Decimal("12500.5") and raw.currency == "CNY"
    assert isinstance(raw.items[0].unit_price, Decimal)
    assert network.agreement("MOTHER", "T1A").items[0].decoupling == "MTO"
    assert all(5 <= a.lead_time_days <= 30 for a in network.agreements)


def test_secret_is_not_in_repr() -> None:
    network = load_network(DEMO_NETWORK, variables=DEMO_VARIABLES)
    assert "-secret" not in repr(network)


def test_float_and_integer_decimals_are_exact() -> None:
    text = BASE.replace('lead_time_days = 7', 'lead_time_days = 7\nmax_quantity = 0.1') \
               .replace('item = "PART"', 'item = "PART"\nunit_price = 3')
    agreement = load_network_from_string(text).agreements[0]
    assert agreement.max_quantity == Decimal("0.1")
    assert agreement.items[0].unit_price == Decimal(3)


# ---------------------------------------------------------------- refusals, one each

def test_not_toml() -> None:
    assert "not valid TOML" in only_problem(BASE + "\n[[company]\n")


def test_missing_required_key() -> None:
    problem = only_problem(BASE.replace('name = "Supplier one"\n', ""))
    assert problem == "company[1] (S1): name: required key is missing"


def test_missing_credentials() -> None:
    text = BASE.replace('[company.credentials]\nusername = "s1"\nsecret = "s1-secret"\n', "")
    assert only_problem(text) == "company[1] (S1): credentials: required key is missing"


def test_missing_credential_secret() -> None:
    problem = only_problem(BASE.replace('secret = "s1-secret"\n', ""))
    assert problem == "company[1] (S1): credentials.secret: required key is missing"


def test_no_companies() -> None:
    problems = problems_of('[network]\nname = "empty"\n')
    assert "top level: company: required: at least one [[company]] table" in problems
    assert any('no company has role "mother"' in p for p in problems)


def test_wrong_type() -> None:
    problem = only_problem(BASE.replace("tier = 1", 'tier = "1"'))
    assert problem == "company[1] (S1): tier: must be an integer, not a string"


def test_boolean_is_not_an_integer() -> None:
    problem = only_problem(BASE.replace("lead_time_days = 7", "lead_time_days = true"))
    assert problem == "agreement[0] (M->S1): lead_time_days: must be an integer, not a boolean"


def test_unknown_key_in_company() -> None:
    problem = only_problem(BASE.replace('code = "S1"', 'code = "S1"\nadress = "Bangkok"'))
    assert problem.startswith("company[1] (S1): adress: unknown key (allowed: code, name,")


def test_unknown_key_in_item() -> None:
    problem = only_problem(BASE.replace('item = "PART"', 'item = "PART"\nprice = "1.0"'))
    assert problem.startswith("agreement[0] (M->S1) item[0] (PART): price: unknown key")


def test_unknown_top_level_key() -> None:
    problem = only_problem("[[companies]]\ncode = 'X'\n" + BASE)
    assert problem.startswith("top level: companies: unknown key")


def test_single_table_instead_of_array() -> None:
    problem = only_problem(BASE.replace("[[admin]]", "[admin]"))
    assert problem == "top level: admin: must be an array of tables ([[admin]]), not a table"


def test_bad_code() -> None:
    problem = only_problem(BASE.replace('code = "S1"', 'code = "s1"').replace('supplier = "S1"', 'supplier = "s1"'))
    assert problem.startswith("company[1] (s1): code: 's1' is not allowed: upper-case letters")


def test_code_too_long() -> None:
    long_code = "S" * 33
    text = BASE.replace('code = "S1"', f'code = "{long_code}"').replace('supplier = "S1"', f'supplier = "{long_code}"')
    assert only_problem(text) == f"company[1] ({long_code}): code: longer than 32 characters"


def test_bad_choice() -> None:
    problem = only_problem(BASE.replace('erp_kind = "csv"', 'erp_kind = "excel"'))
    assert problem.startswith("company[1] (S1): erp_kind: 'excel' is not one of: cii-d16b, csv, cxml,")


def test_bad_decoupling() -> None:
    problem = only_problem(BASE.replace('item = "PART"', 'item = "PART"\ndecoupling = "ATO"'))
    assert problem == "agreement[0] (M->S1) item[0] (PART): decoupling: 'ATO' is not one of: MTS, MTO, ETO"


def test_negative_lead_time() -> None:
    problem = only_problem(BASE.replace("lead_time_days = 7", "lead_time_days = -1"))
    assert problem == "agreement[0] (M->S1): lead_time_days: must be at least 0, not -1"


def test_bad_decimal() -> None:
    problem = only_problem(BASE.replace("lead_time_days = 7", 'lead_time_days = 7\nmax_quantity = "12,5"'))
    assert problem == "agreement[0] (M->S1): max_quantity: '12,5' is not a decimal number"


def test_decimal_with_too_many_fraction_digits() -> None:
    problem = only_problem(BASE.replace('item = "PART"', 'item = "PART"\nunit_price = "0.0000001"'))
    assert problem == "agreement[0] (M->S1) item[0] (PART): unit_price: 1E-7 has more than 6 fraction digits"


def test_zero_max_quantity() -> None:
    problem = only_problem(BASE.replace("lead_time_days = 7", "lead_time_days = 7\nmax_quantity = 0"))
    assert problem == "agreement[0] (M->S1): max_quantity: must be greater than 0"


def test_bad_currency() -> None:
    problem = only_problem(BASE.replace("lead_time_days = 7", 'lead_time_days = 7\ncurrency = "usd"'))
    assert problem.startswith("agreement[0] (M->S1): currency: 'usd' is not allowed: three upper-case")


def test_duplicate_company_code() -> None:
    text = BASE.replace('code = "S1"', 'code = "M"').replace('supplier = "S1"', 'supplier = "M"')
    problems = problems_of(text)
    assert "company[1] (M): code: duplicate of company[0] (M)" in problems


def test_duplicate_username() -> None:
    problem = only_problem(BASE.replace('username = "hq"', 'username = "s1"'))
    assert problem == "admin[0] (s1): username: duplicate of company[1] (S1)"


def test_agreement_with_undeclared_company() -> None:
    problem = only_problem(BASE.replace('supplier = "S1"', 'supplier = "S9"'))
    assert problem == "agreement[0] (M->S9): supplier: 'S9' is not a declared company"


def test_agreement_with_itself() -> None:
    problem = only_problem(BASE.replace('supplier = "S1"', 'supplier = "M"'))
    assert problem == "agreement[0] (M->M): supplier: same company as the buyer"


def test_duplicate_agreement() -> None:
    second = '\n[[agreement]]\nbuyer = "M"\nsupplier = "S1"\nlead_time_days = 9\n'
    problem = only_problem(BASE + second)
    assert problem == "agreement[1] (M->S1): buyer/supplier: duplicate of agreement[0] (M->S1)"


def test_duplicate_item() -> None:
    problem = only_problem(BASE + '[[agreement.item]]\nitem = "PART"\nunit_price = "2"\n')
    assert problem == "agreement[0] (M->S1) item[1] (PART): item: duplicate of agreement[0] (M->S1) item[0] (PART)"


def test_no_mother() -> None:
    problems = problems_of(BASE.replace('role = "mother"', 'role = "supplier"').replace("tier = 0", "tier = 1"))
    assert problems == ('network: no company has role "mother"; exactly one is required',)


def test_two_mothers() -> None:
    text = BASE.replace('role = "supplier"', 'role = "mother"').replace("tier = 1", "tier = 0")
    problem = only_problem(text)
    assert problem == 'company[1] (S1): role: a second "mother" company (company[0] (M) is the mother)'


def test_tier_zero_is_the_mothers() -> None:
    problem = only_problem(BASE.replace("tier = 1", "tier = 0"))
    assert problem.startswith("company[1] (S1): tier: tier 0 is the mother company's")


def test_mother_not_tier_zero() -> None:
    problem = only_problem(BASE.replace("tier = 0", "tier = 1"))
    assert problem == "company[0] (M): tier: the mother company is tier 0, not 1"


def test_push_needs_endpoint() -> None:
    problem = only_problem(BASE.replace('endpoint = "http://m.example/soap"\n', ""))
    assert problem == 'company[0] (M): endpoint: required for transport "push" (the gateway calls it)'


def test_pull_has_no_endpoint() -> None:
    problem = only_problem(BASE.replace('transport = "pull"', 'transport = "pull"\nendpoint = "http://s1/"'))
    assert problem == 'company[1] (S1): endpoint: not allowed for transport "pull" (the company polls its inbox)'


def test_endpoint_must_be_http() -> None:
    problem = only_problem(BASE.replace("http://m.example/soap", "ftp://m.example/soap"))
    assert problem == "company[0] (M): endpoint: 'ftp://m.example/soap' is not an http(s) URL"


def test_endpoint_variable_is_substituted() -> None:
    text = BASE.replace("http://m.example/soap", "${M_URL}/soap")
    network = load_network_from_string(text, variables={"M_URL": "http://127.0.0.1:5555"})
    assert network.company("M").endpoint == "http://127.0.0.1:5555/soap"


def test_unknown_variable() -> None:
    problem = only_problem(BASE.replace("http://m.example/soap", "${M_URL}"), OTHER_URL="http://x/")
    assert problem == "company[0] (M): endpoint: unknown variable ${M_URL} (variables given: OTHER_URL)"


def test_variable_giving_a_bad_url() -> None:
    problem = only_problem(BASE.replace("http://m.example/soap", "${M_URL}"), M_URL="not a url")
    assert problem == "company[0] (M): endpoint: 'not a url' contains white space"


def test_all_problems_are_collected() -> None:
    text = (BASE.replace('name = "Supplier one"\n', "")              # missing key
                .replace('transport = "push"', 'transport = "pull"')  # pull with an endpoint
                .replace('username = "hq"', 'username = "m"')         # duplicate username
                .replace('supplier = "S1"', 'supplier = "S2"')        # undeclared supplier
                .replace('item = "PART"', 'item = "PART"\ndecoupling = "JIT"'))
    problems = problems_of(text)
    assert problems == (
        "company[0] (M): endpoint: not allowed for transport \"pull\" (the company polls its inbox)",
        "company[1] (S1): name: required key is missing",
        "agreement[0] (M->S2) item[0] (PART): decoupling: 'JIT' is not one of: MTS, MTO, ETO",
        "admin[0] (m): username: duplicate of company[0] (M)",
        "agreement[0] (M->S2): supplier: 'S2' is not a declared company",
    )


def test_not_utf8(tmp_path) -> None:
    path = tmp_path / "net.toml"
    path.write_bytes(BASE.replace("Supplier one", "Supplier \xe9").encode("latin-1"))
    with pytest.raises(NetworkFileError) as caught:
        load_network(path)
    assert str(path) in str(caught.value) and "not UTF-8" in str(caught.value)


def test_error_message_names_the_file(tmp_path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(BASE.replace("tier = 1", "tier = -1"), encoding="utf-8")
    with pytest.raises(NetworkFileError) as caught:
        load_network(path)
    message = str(caught.value)
    assert message.splitlines() == [
        f"invalid network file {path} (1 problem):",
        f"  {path}: company[1] (S1): tier: must be at least 0, not -1",
    ]
    assert isinstance(caught.value, ValueError)


def test_secrets_can_come_from_variables_so_the_file_holds_none() -> None:
    text = BASE.replace('secret = "s1-secret"', 'secret = "${S1_SECRET}"').replace(
        'secret = "hq-secret"', 'secret = "${HQ_SECRET}"')
    network = load_network_from_string(text, variables={"S1_SECRET": "from-env",
                                                        "HQ_SECRET": "hq-from-env"})
    assert network.company("S1").credentials.secret == "from-env"
    assert network.admins[0].secret == "hq-from-env"
    problem = only_problem(text, HQ_SECRET="x")
    assert "company[1] (S1)" in problem and "secret" in problem and "${S1_SECRET}" in problem


CHANGE_TERMS = BASE.replace('item = "PART"', '''item = "PART"
safety_stock = "40"
[agreement.item.change]
frozen_days = 7
penalty_percent = "10"
penalty_fixed = "50.00"''')


def test_safety_stock_and_change_terms_per_item_and_for_the_agreement() -> None:
    text = CHANGE_TERMS.replace("lead_time_days = 7", "lead_time_days = 7\n[agreement.change]\n"
                                                       "frozen_days = 2\npenalty_percent = 5")
    network = load_network_from_string(text, source="net.toml")
    (agreement,) = network.agreements
    (item,) = agreement.items
    assert item.safety_stock == Decimal(40)
    assert item.change == ChangeTerms(7, Decimal(10), Decimal("50.00"))
    assert agreement.change == ChangeTerms(2, Decimal(5), Decimal(0))


def test_change_terms_are_checked_like_the_rest() -> None:
    problems = problems_of(CHANGE_TERMS.replace("frozen_days = 7", "frozen_days = -1")
                           .replace('penalty_percent = "10"', 'penalty_percent = "120"')
                           .replace('penalty_fixed = "50.00"', 'penalty_fixed = "50.00"\nfee = 1'))
    assert set(problems) == {
        "agreement[0] (M->S1) item[0] (PART): change.frozen_days: must be at least 0, not -1",
        "agreement[0] (M->S1) item[0] (PART): change.penalty_percent: 120 is more than 100 "
        "(percent of the changed value)",
        "agreement[0] (M->S1) item[0] (PART): change.fee: unknown key (allowed: frozen_days, "
        "penalty_percent, penalty_fixed)",
    }


def test_the_erp_kinds_a_network_file_accepts_are_the_registered_adapters():
    from adapters.registry import kinds
    from smart_gateway.network.loader import ERP_KINDS
    assert list(ERP_KINDS) == kinds()
