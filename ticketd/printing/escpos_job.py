"""One print job as ESC/POS bytes: initialise, GS v 0 raster image, feed and cut.

python-escpos builds the bytes (``Dummy``). Its traps are avoided here: the image is centred on
a full-width canvas by us (``image(center=True)`` breaks on images split into 960-row pieces), and
the profile is given the canvas width (without it escpos prints a warning on every image and a
named profile may reject a wider image).
"""

from __future__ import annotations

import copy
from functools import lru_cache

from escpos.capabilities import BaseProfile, get_profile
from escpos.printer import Dummy
from PIL import Image

PAPER_DOTS = {58: 384, 80: 576}


def paper_width_dots(paper_width_mm: int, profile: str | None = None) -> int:
    """Printable dots: the named escpos profile's width when it knows one, else 384 / 576.

    A profile wider than the paper (an 80 mm model loaded with 58 mm rolls) is capped to the paper.
    """
    paper = PAPER_DOTS[paper_width_mm]
    if profile:
        pixels = get_profile(profile).profile_data.get("media", {}).get("width", {}).get("pixels")
        if isinstance(pixels, int) and pixels > 0:
            return min(pixels, paper)
    return paper


@lru_cache(maxsize=32)
def _profile(name: str | None, width: int) -> BaseProfile:
    """The escpos profile ``name`` (default when None) with its media width set to ``width``."""
    profile = get_profile(name)
    data = copy.deepcopy(profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = width
    profile.profile_data = data
    return profile


def full_width_canvas(image: Image.Image, width_dots: int) -> Image.Image:
    """``image`` as mode "1", centred on white paper ``width_dots`` wide."""
    if image.width > width_dots:
        raise ValueError(f"image is {image.width} dots wide, the paper {width_dots}")
    mono = image if image.mode == "1" else image.convert("1")
    if mono.width == width_dots:
        return mono
    canvas = Image.new("1", (width_dots, mono.height), 1)
    canvas.paste(mono, ((width_dots - mono.width) // 2, 0))
    return canvas


def ticket_job_bytes(
    image: Image.Image, width_dots: int | None = None, profile: str | None = None
) -> bytes:
    """The bytes of one job printing ``image`` centred on ``width_dots`` (default: its width)."""
    width = width_dots or image.width
    printer = Dummy()
    printer.profile = _profile(profile, width)
    printer.hw("INIT")
    printer.image(full_width_canvas(image, width), impl="bitImageRaster")
    printer.cut()
    return printer.output
