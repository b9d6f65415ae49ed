"""Every refusal has a Vietnamese message: one per contract code, and every specific key the engine raises."""

import re
import string
import unicodedata
from pathlib import Path

import yaml

import ticketd.engine
from motcua.i18n import LOCALES, t

CONTRACT_CODES = ("bad_request", "unknown_device", "unknown_service", "unknown_counter", "unknown_ticket",
                  "service_closed", "quota_reached", "counter_closed", "not_allowed", "queue_empty",
                  "duplicate_rating", "internal")
ERRORS_FILE = LOCALES / "vi" / "errors.yaml"


def catalogue() -> dict[str, str]:
    return yaml.safe_load(ERRORS_FILE.read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_contract_code_has_a_plain_message():
    messages = catalogue()
    for code in CONTRACT_CODES:
        assert messages[code] and placeholders(messages[code]) == set(), code
        assert t(f"errors.{code}") == messages[code]


def test_specific_keys_are_named_after_a_contract_code():
    for key in catalogue():
        assert any(key == code or key.startswith(code + "_") for code in CONTRACT_CODES), key


def test_every_key_the_engine_raises_exists():
    source = Path(ticketd.engine.__file__).read_text(encoding="utf-8")
    raised = set(re.findall(r'"errors\.(\w+)"', source))
    assert raised and raised <= set(catalogue())


def test_messages_are_nfc_sentences():
    for key, text in catalogue().items():
        assert unicodedata.is_normalized("NFC", text), key
        assert text[0].isupper() or text[0] == "{", key
        assert text.endswith("."), key
