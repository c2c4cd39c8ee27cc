"""[company.format] in the network file: read, defaulted, and refused naming the entry."""
from __future__ import annotations

import pytest

from smart_gateway.network.loader import (
    NetworkFileError, PartnerFormat, load_network_from_string,
)

BASE = """
[[company]]
code = "M"
name = "Mother"
tier = 0
role = "mother"
erp_kind = "sap-idoc"
transport = "push"
endpoint = "http://m.example/soap"
{mother_format}
[company.credentials]
username = "m"
secret = "m-secret"

[[company]]
code = "S1"
name = "Supplier one"
tier = 1
role = "supplier"
erp_kind = "x12-4010"
transport = "{transport}"
{supplier_format}
[company.credentials]
username = "s1"
secret = "s1-secret"
"""


def load(mother_format="", supplier_format="", transport="file", **variables):
    text = "[network]\nname = \"t\"\n" + BASE.format(
        mother_format=mother_format, supplier_format=supplier_format, transport=transport)
    return load_network_from_string(text, source="net.toml", variables=variables)


def problems(**kwargs) -> tuple[str, ...]:
    with pytest.raises(NetworkFileError) as caught:
        load(**kwargs)
    return caught.value.problems


FILE = '[company.format]\ndrop_folder = "${DROP}/s1"\ncharset = "x12-basic"\n'


def test_a_file_partner_is_native_with_its_folder_and_charset():
    network = load(supplier_format=FILE, DROP="/srv/drop")
    assert network.company("S1").format == PartnerFormat(
        native=True, text_rule="refuse", charset="x12-basic", drop_folder="/srv/drop/s1")
    assert network.company("M").format is None


def test_defaults_from_the_file_when_a_variable_is_not_given():
    fmt = load(supplier_format=FILE.replace("${DROP}", "${DROP:-drops}")).company("S1").format
    assert fmt.drop_folder == "drops/s1"


def test_sap_native_endpoint_and_party_ids():
    mother = ('[company.format]\nnative = true\nnative_endpoint = "http://sap.example/idoc"\n'
              '[company.format.party_ids]\nS1 = "0000100042"\nM = "HANBIT"\n')
    fmt = load(mother_format=mother, supplier_format=FILE, DROP="/d").company("M").format
    assert fmt.native_endpoint == "http://sap.example/idoc"
    assert fmt.party_ids == (("M", "HANBIT"), ("S1", "0000100042"))


@pytest.mark.parametrize("mother_format, supplier_format, transport, expected", [
    ("", "", "file",
     'company[1] (S1): format: required for transport "file": [company.format] with drop_folder'),
    ("", '[company.format]\ncharset = "ebcdic"\ndrop_folder = "/d"', "file",
     "company[1] (S1): format.charset: 'ebcdic' is not one of: "),
    ("", '[company.format]\ntext_rule = "guess"\ndrop_folder = "/d"', "file",
     "company[1] (S1): format.text_rule: 'guess' is not one of: refuse, transliterate"),
    ("", '[company.format]\nnative = false\ndrop_folder = "/d"', "file",
     'company[1] (S1): format.native: must be true for transport "file"'),
    ("", '[company.format]\nnative = true\ndrop_folder = "/d"', "pull",
     'company[1] (S1): format.drop_folder: only for transport "file"'),
    ('[company.format]\nnative_endpoint = "http://sap/idoc"', FILE.replace("${DROP}", "/d"), "file",
     'company[0] (M): format.native_endpoint: only for erp_kind "sap-idoc", transport "push" and '
     'native = true'),
    ('[company.format]\nnative = true\nnative_endpoint = "ftp://sap/idoc"',
     FILE.replace("${DROP}", "/d"), "file",
     "company[0] (M): format.native_endpoint: 'ftp://sap/idoc' is not an http(s) URL"),
    ('[company.format]\ncolour = "blue"', FILE.replace("${DROP}", "/d"), "file",
     "company[0] (M): format.colour: unknown key (allowed: native, text_rule, charset, "
     "drop_folder, native_endpoint, party_ids)"),
    ('[company.format.party_ids]\nS1 = "A"\nM = "A"', FILE.replace("${DROP}", "/d"), "file",
     "company[0] (M): format.party_ids: two companies have the same native id"),
])
def test_each_problem_names_its_entry(mother_format, supplier_format, transport, expected):
    found = problems(mother_format=mother_format, supplier_format=supplier_format,
                     transport=transport)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found


def test_party_ids_name_declared_companies():
    mother = '[company.format.party_ids]\nS2 = "0000100042"\n'
    assert problems(mother_format=mother, supplier_format=FILE.replace("${DROP}", "/d")) == (
        "company[0] (M): format.party_ids.S2: not a declared company",)


def test_an_unknown_variable_in_the_drop_folder():
    assert problems(supplier_format=FILE) == (
        "company[1] (S1): format.drop_folder: unknown variable ${DROP}",)
