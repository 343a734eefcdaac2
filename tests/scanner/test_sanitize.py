"""CRM text is neutralised before a person reads it."""

from __future__ import annotations

from scanner.sanitize import clean_document, neutralize


def test_escape_sequences_become_visible() -> None:
    text = "\x1b[2J\x1b]8;;https://evil.example\x07x\x1b]8;;\x07\u202eevil\r"
    cleaned = neutralize(text)
    assert "\x1b" not in cleaned and "\u202e" not in cleaned and "\r" not in cleaned
    assert "\\x1b[2J" in cleaned and "\\u202e" in cleaned and "\\x0d" in cleaned


def test_ordinary_text_is_untouched() -> None:
    for text in ("Jürgen Müller", "李雷", "a\tb\nc", "emoji 😀"):
        assert neutralize(text) == text


def test_crm_fields_stay_on_one_line() -> None:
    document = {
        "findings": [
            {"resource": {"name": "bob\nPASS  forged"}, "message": "m\nx", "remediation": "1.\n2."}
        ],
        "tenant": {"name": "a\nb"},
    }
    cleaned = clean_document(document)
    finding = cleaned["findings"][0]
    assert finding["resource"]["name"] == "bob\\x0aPASS  forged"
    assert finding["message"] == "m\\x0ax"
    assert finding["remediation"] == "1.\n2."  # check text keeps its lines
    assert cleaned["tenant"]["name"] == "a\\x0ab"


def test_lone_surrogates_become_visible() -> None:
    assert neutralize("a\ud800b") == "a\\ud800b"
    assert neutralize("a\ud800b").encode("utf-8")
