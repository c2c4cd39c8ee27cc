"""LIA: text a charset cannot carry is refused or transliterated, never mangled."""
from __future__ import annotations

import pytest

from adapters.base import TextRule
from adapters.text import carries, decode_bytes, encode_text
from smart_gateway.domain.errors import Unrepresentable

KOREAN, THAI, CHINESE = "구리 적층판", "แผงวงจร", "显示模组"


@pytest.mark.parametrize("text", [KOREAN, THAI, CHINESE, "Crème brûlée ß", "line\nbreak"])
def test_utf8_carries_every_script_unchanged(text):
    assert encode_text(text, "utf-8", TextRule.REFUSE, "note") == text
    assert encode_text(text, "UNOW", TextRule.REFUSE, "note") == text


def test_refusal_names_the_field_the_character_and_its_position():
    with pytest.raises(Unrepresentable) as err:
        encode_text("PCB 한", "unoc", TextRule.REFUSE, "line 2 description")
    message = str(err.value)
    assert "line 2 description" in message
    assert "U+D55C" in message and "HANGUL" in message
    assert "position 5" in message and "unoc" in message


def test_latin1_carries_accents_but_not_hangul():
    assert encode_text("Crème", "iso-8859-1", TextRule.REFUSE, "f") == "Crème"
    with pytest.raises(Unrepresentable):
        encode_text(THAI, "iso-8859-1", TextRule.REFUSE, "f")


def test_transliteration_follows_the_documented_rule_and_says_so():
    notes: list[str] = []
    # given a description in Korean with Latin letters around it, for an UNOA partner
    out = encode_text("Réf 한 ß", "unoa", TextRule.TRANSLITERATE, "line 1 description", notes)
    # then capitals only, accents dropped, the ligature spelled out, Hangul as its code point
    assert out == "REF (U+D55C) SS"
    assert all(carries("unoa")(ch) for ch in out)
    assert len(notes) == 1 and "line 1 description" in notes[0] and "Réf 한 ß" in notes[0]


def test_transliteration_keeps_lower_case_where_the_charset_has_it():
    assert encode_text("Crème", "unob", TextRule.TRANSLITERATE, "f") == "Creme"
    assert encode_text("Crème", "x12-extended", TextRule.TRANSLITERATE, "f") == "Creme"
    assert encode_text("crème", "x12-basic", TextRule.TRANSLITERATE, "f") == "CREME"


def test_unchanged_text_leaves_no_note():
    notes: list[str] = []
    assert encode_text("PCB 4 LAYER", "unoa", TextRule.TRANSLITERATE, "f", notes) == "PCB 4 LAYER"
    assert notes == []


def test_control_characters_never_pass_an_edi_charset():
    with pytest.raises(Unrepresentable):
        encode_text("a\nb", "unob", TextRule.REFUSE, "note")
    assert encode_text("a\nb", "unob", TextRule.TRANSLITERATE, "note") == "a(U+000A)b"


def test_unknown_charset_is_a_configuration_error():
    with pytest.raises(ValueError, match="unknown character set"):
        carries("ebcdic-37")


def test_decode_bytes_prefers_utf8_and_falls_back_to_the_declared_charset():
    assert decode_bytes("\ufeff한국".encode("utf-8")) == "한국"
    assert decode_bytes("Crème".encode("iso-8859-1")) == "Crème"


def test_transliteration_is_logged_even_without_a_notes_list(caplog):
    with caplog.at_level("WARNING", logger="adapters.text"):
        encode_text("Ärger", "unoa", TextRule.TRANSLITERATE, "note")
    assert "note: transliterated for unoa: 'Ärger' -> 'ARGER'" in caplog.text
