"""The call sentence, as text for espeak-ng and as clip tokens for prerecorded playback (pure).

A ticket number "A012" is spoken as its letter(s) then its number: "A, mười hai" (cardinal style)
or "A, không một hai" (digits style). The counter is always read as a cardinal ("quầy số mười
hai", never "một hai"): counters are small numbers and people say them that way.

Tokens name the clip files of a clip set (``{token}.wav``): carrier phrases from the template
("Mời công dân có số" → ``moi_cong_dan_co_so``), ``letter_A``, and one token per number word
(``muoi`` for "mười", ``muoi_ngang`` for "mươi", ``mot_sac`` for "mốt"…). ``chime`` and ``pause``
are played from the clip set when present, else generated.
"""

from __future__ import annotations

import re
import string

from display.vi_numbers import DIGITS, read_digits, read_number
from motcua.config.schema import AnnouncerConfig
from motcua.text import fold, nfc

CHIME = "chime"
PAUSE = "pause"

WORD_TOKENS: dict[str, str] = {
    **{word: fold(word) for word in DIGITS},
    "mười": "muoi",
    "mươi": "muoi_ngang",
    "mốt": "mot_sac",
    "tư": "tu",
    "lăm": "lam",
    "linh": "linh",
    "lẻ": "le",
    "trăm": "tram",
    "nghìn": "nghin",
    "ngàn": "ngan",
    "triệu": "trieu",
}

LETTERS = "ABCDĐEFGHIJKLMNOPQRSTUVWXYZ"

_LABEL = re.compile(r"([^\W\d_]*)(\d+)")


def letter_token(letter: str) -> str:
    """Clip token of a letter: "A" → ``letter_A``, "Đ" → ``letter_DD``."""
    upper = letter.upper()
    if upper not in LETTERS:
        raise ValueError(f"no Vietnamese letter name for {letter!r}")
    return "letter_DD" if upper == "Đ" else f"letter_{upper}"


def slug(text: str) -> str:
    """ASCII token of a phrase: "Mời công dân có số" → ``moi_cong_dan_co_so``."""
    return re.sub(r"[^a-z0-9]+", "_", fold(nfc(text))).strip("_")


def _spoken_label(label: str, style: str, dialect: str) -> tuple[str, list[str]]:
    """Text and tokens for "A012"-like labels: letters, then the number in ``style``."""
    label = nfc(label.strip())
    if not label:
        raise ValueError("nothing to announce: empty number or counter")
    match = _LABEL.fullmatch(label)
    if match is None:
        return label, [slug(label)]
    letters, digits = match.group(1).upper(), match.group(2)
    number = read_digits(digits) if style == "digits" else read_number(int(digits), dialect)
    words = number.split()
    tokens = [letter_token(c) for c in letters] + [WORD_TOKENS[w] for w in words]
    text = f"{' '.join(letters)}, {number}" if letters else number
    return text, tokens


def _parts(number: str, counter: str, cfg: AnnouncerConfig) -> list[tuple[str, list[str]]]:
    """The sentence as (text, tokens) pieces in template order."""
    values = {
        "number": _spoken_label(number, cfg.number_style, cfg.dialect),
        "counter": _spoken_label(counter, "cardinal", cfg.dialect),
    }
    parts: list[tuple[str, list[str]]] = []
    for literal, field, _spec, _conv in string.Formatter().parse(nfc(cfg.template)):
        if literal:
            phrase = slug(literal)
            parts.append((literal, [phrase] if phrase else []))
        if field is not None:
            if field not in values:
                raise ValueError(f"unknown template field {{{field}}} (use {{number}} and {{counter}})")
            parts.append(values[field])
    return parts


def announcement_text(number: str, counter_name_or_id: str, cfg: AnnouncerConfig) -> str:
    """The call sentence (NFC): "Mời công dân có số A, mười hai đến quầy số ba"."""
    return nfc("".join(text for text, _ in _parts(number, counter_name_or_id, cfg)))


def sentence_tokens(number: str, counter_name_or_id: str, cfg: AnnouncerConfig) -> list[str]:
    """Clip tokens of one sentence, without chime or repetition."""
    return [token for _, tokens in _parts(number, counter_name_or_id, cfg) for token in tokens]


def announcement_tokens(number: str, counter_name_or_id: str, cfg: AnnouncerConfig) -> list[str]:
    """The whole clip playlist: chime (if on), then the sentence ``repeat`` times, pauses between."""
    sentence = sentence_tokens(number, counter_name_or_id, cfg)
    playlist = [CHIME] if cfg.chime else []
    for i in range(cfg.repeat):
        if i:
            playlist.append(PAUSE)
        playlist += sentence
    return playlist
