"""QR codes drawn dot for dot, with the standard 4-module quiet zone."""

from __future__ import annotations

import qrcode
from PIL import Image

QUIET_ZONE = 4


def qr_image(data: str, max_width: int, min_module: int = 3) -> Image.Image:
    """A mode "1" QR of ``data`` (level M) with modules as large as fit ``max_width``, but at
    least ``min_module`` dots (smaller modules blur on thermal paper)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    scale = max(min_module, max_width // modules)
    small = Image.new("1", (modules, modules), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    return small.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)
