"""Vietnamese-capable fonts for printed images: DejaVu Sans, else Noto Sans (never a Mono face)."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# Preference order per weight. DejaVu Sans Mono lacks 46 Vietnamese letters: it is not listed.
FONT_FILES = {
    "regular": ("DejaVuSans.ttf", "NotoSans-Regular.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf"),
}


class FontNotFoundError(RuntimeError):
    """No Vietnamese-capable font file is installed."""


@cache
def font_path(weight: str) -> Path:
    """The first installed file for ``weight`` ("regular" or "bold") under the fontconfig dirs."""
    names = FONT_FILES[weight]
    for name in names:
        for root in FONT_DIRS:
            if root.is_dir():
                found = sorted(root.rglob(name))
                if found:
                    return found[0]
    raise FontNotFoundError(
        f"no {weight} font for Vietnamese text: looked for {', '.join(names)} under "
        f"{', '.join(str(d) for d in FONT_DIRS)}; install fonts-dejavu-core or fonts-noto-core"
    )


@lru_cache(maxsize=256)
def font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    """A loaded font of ``weight`` at ``size`` pixels (cached)."""
    return ImageFont.truetype(str(font_path(weight)), size)
