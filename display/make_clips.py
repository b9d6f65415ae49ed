"""Render a ready-made clip set with espeak-ng, for an office to replace with recorded clips.

``python -m display.make_clips OUT_DIR [-c office.yaml] [--voice vi]`` writes one
``{token}.wav`` per word the announcer can say (digits, number words, letters, the template's
carrier phrases), the generated ``chime.wav``, and ``clips.tsv`` (token, text to record) so a
person knows what each file must say. Set ``announcer.clips_dir`` to the folder to use it.
"""

from __future__ import annotations

import argparse
import string
import sys
from pathlib import Path

import numpy as np

from display.announcement import CHIME, LETTERS, WORD_TOKENS, letter_token, slug
from display.voice import RATE, VoiceError, chime, render_espeak, write_wav
from motcua.config import ConfigError, load_config
from motcua.config.schema import AnnouncerConfig
from motcua.text import nfc

DEFAULT_TEMPLATE = AnnouncerConfig().template
KEEP_S = 0.06
THRESHOLD = 300


def vocabulary(template: str) -> dict[str, str]:
    """Every clip token the announcer may need for ``template``, with the text it says."""
    words = {token: word for word, token in WORD_TOKENS.items()}
    letters = {letter_token(letter): letter for letter in LETTERS}
    phrases = {
        slug(literal): nfc(literal.strip())
        for literal, *_ in string.Formatter().parse(nfc(template))
        if literal and slug(literal)
    }
    return {**phrases, **letters, **words}


def trim(samples: np.ndarray, keep_s: float = KEEP_S) -> np.ndarray:
    """Cut leading and trailing silence down to ``keep_s`` seconds each."""
    loud = np.nonzero(np.abs(samples.astype(np.int32)) > THRESHOLD)[0]
    if not len(loud):
        return samples
    keep = round(keep_s * RATE)
    return samples[max(0, loud[0] - keep): loud[-1] + 1 + keep]


def make_clips(out_dir: Path, template: str = DEFAULT_TEMPLATE, voice: str = "vi") -> list[Path]:
    """Write the clip set into ``out_dir``; returns the WAV files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_wav(out_dir / f"{CHIME}.wav", chime())]
    rows = [f"{CHIME}\t(chime)"]
    for token, text in vocabulary(template).items():
        written.append(write_wav(out_dir / f"{token}.wav", trim(render_espeak(text, voice))))
        rows.append(f"{token}\t{text}")
    (out_dir / "clips.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m display.make_clips", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("-c", "--config", help="office YAML (its announcer template and voice)")
    parser.add_argument("--voice", help="espeak-ng voice (default: the config's, else vi)")
    args = parser.parse_args(argv)
    template, voice = DEFAULT_TEMPLATE, "vi"
    if args.config:
        try:
            announcer = load_config(args.config).announcer
        except ConfigError as exc:
            print(exc, file=sys.stderr)
            return 2
        template, voice = announcer.template, announcer.voice
    try:
        written = make_clips(args.out_dir, template, args.voice or voice)
    except VoiceError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{len(written)} clips written to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
