"""The one catalogue of user-facing strings.

Strings live in ``locales/{lang}/{namespace}.yaml``; ``t("kiosk.home_take")`` looks up key
``home_take`` in namespace ``kiosk``. Each component owns its namespace file, so another language
is added by copying a folder. Values are NFC-normalised and formatted with ``str.format``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from motcua.text import nfc

LOCALES = Path(__file__).parent / "locales"
DEFAULT_LANG = "vi"


@lru_cache(maxsize=None)
def _namespace(lang: str, namespace: str) -> dict[str, str]:
    path = LOCALES / lang / f"{namespace}.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): nfc(str(v)) for k, v in data.items()}


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The text for ``namespace.key`` in ``lang`` (falling back to Vietnamese, then the key)."""
    namespace, _, name = key.partition(".")
    text = _namespace(lang, namespace).get(name)
    if text is None and lang != DEFAULT_LANG:
        text = _namespace(DEFAULT_LANG, namespace).get(name)
    if text is None:
        return key
    return text.format(**params) if params else text
