"""Turn a captured ESC/POS job back into the picture the paper would show (GS v 0 raster)."""

from __future__ import annotations

from PIL import Image

_GS_V0 = b"\x1dv0"


def job_image(data: bytes) -> Image.Image:
    """Every GS v 0 piece of ``data`` stacked into one mode "1" image (black = printed dot)."""
    pieces = []
    pos = data.find(_GS_V0)
    while pos >= 0:
        header = data[pos + 4: pos + 8]
        if len(header) < 4:
            break
        width_bytes = header[0] | header[1] << 8
        height = header[2] | header[3] << 8
        start = pos + 8
        raster = data[start: start + width_bytes * height]
        if len(raster) < width_bytes * height:
            raise ValueError("the job ends inside a raster image")
        pieces.append(Image.frombytes("1", (width_bytes * 8, height), bytes(255 - b for b in raster)))
        pos = data.find(_GS_V0, start + len(raster))
    if not pieces:
        raise ValueError("no raster image in this job")
    out = Image.new("1", (max(p.width for p in pieces), sum(p.height for p in pieces)), 1)
    y = 0
    for piece in pieces:
        out.paste(piece, (0, y))
        y += piece.height
    return out
