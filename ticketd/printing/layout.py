"""A top-to-bottom layout on a one-bit strip of paper: wrapped centred text, bars, rules, images."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from ticketd.printing.fonts import font

WHITE = 255
BLACK = 0
# Glyphs that reach highest (stacked Vietnamese marks) and lowest; a line box holds both.
_TALLEST = "ẨỄỖỮỸ"
_DEEPEST = "gjpqyỵ"


def line_box(f: ImageFont.FreeTypeFont) -> tuple[int, int]:
    """(above, below) the baseline for any Vietnamese line in ``f``, stacked marks included."""
    ascent, descent = f.getmetrics()
    above = max(ascent, -f.getbbox(_TALLEST, anchor="ls")[1])
    below = max(descent, f.getbbox(_DEEPEST, anchor="ls")[3])
    return above, below


def wrap(text: str, f: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines of ``text`` no wider than ``width`` pixels; words longer than a line are split."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if f.getlength(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:
                if line and f.getlength(line + char) > width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


def fit_size(text: str, weight: str, width: int, height: int) -> int:
    """The largest font size whose ink of ``text`` fits ``width`` x ``height`` pixels."""
    lo, hi = 8, max(9, height * 2)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        left, top, right, bottom = font(weight, mid).getbbox(text, anchor="ls")
        if right - left <= width and bottom - top <= height:
            lo = mid
        else:
            hi = mid - 1
    return lo


class Sheet:
    """Paper of fixed width that grows downwards; ``image()`` crops it to what was drawn."""

    def __init__(self, width: int, margin: int) -> None:
        self.width = width
        self.margin = margin
        self.content_width = width - 2 * margin
        self._img = Image.new("L", (width, 1024), WHITE)
        self._draw = ImageDraw.Draw(self._img)
        self.y = margin

    def _room(self, height: int) -> None:
        """Make sure ``height`` more dots fit below ``y`` (the paper doubles as needed)."""
        need = self.y + height + self.margin
        if need > self._img.height:
            grown = Image.new("L", (self.width, max(need, 2 * self._img.height)), WHITE)
            grown.paste(self._img, (0, 0))
            self._img = grown
            self._draw = ImageDraw.Draw(grown)

    def space(self, dots: int) -> None:
        self.y += dots

    def text(self, text: str, weight: str, size: int, gap: int = 4, invert: bool = False) -> None:
        """Centred text wrapped to the content width; ``invert`` draws white on a black bar."""
        f = font(weight, size)
        above, below = line_box(f)
        pad = size // 4 if invert else 0
        lines = wrap(text, f, self.content_width - 2 * pad)
        height = len(lines) * (above + below) + (len(lines) - 1) * gap + 2 * pad
        self._room(height)
        if invert:
            self._draw.rectangle(
                (self.margin, self.y, self.width - self.margin - 1, self.y + height - 1), fill=BLACK
            )
        y = self.y + pad
        for line in lines:
            self._draw.text(
                (self.width // 2, y + above), line, font=f, anchor="ms",
                fill=WHITE if invert else BLACK,
            )
            y += above + below + gap
        self.y += height

    def big(self, text: str, weight: str, width: int, height: int) -> None:
        """One line drawn as large as fits ``width`` x ``height``, its ink centred.

        The size is fitted to a template (digits as "0", other characters as "W"), so every
        number of the same shape prints at the same size and the layout below it never moves.
        """
        template = "".join("0" if c.isdigit() else "W" for c in text)
        f = font(weight, fit_size(template, weight, width, height))
        _, top, _, bottom = f.getbbox(template, anchor="ls")
        self._room(bottom - top)
        left, _, right, _ = f.getbbox(text, anchor="ls")
        x = (self.width - (right - left)) // 2 - left
        self._draw.text((x, self.y - top), text, font=f, anchor="ls", fill=BLACK)
        self.y += bottom - top

    def rule(self, dash: int = 0, thickness: int = 2) -> None:
        """A horizontal line across the content width, dashed when ``dash`` > 0."""
        self._room(thickness)
        x0, x1 = self.margin, self.width - self.margin
        step = 2 * dash if dash else x1 - x0
        for x in range(x0, x1, step):
            self._draw.rectangle(
                (x, self.y, min(x + (dash or step), x1) - 1, self.y + thickness - 1), fill=BLACK
            )
        self.y += thickness

    def paste(self, img: Image.Image) -> None:
        """A one-bit or greyscale image centred horizontally."""
        self._room(img.height)
        self._img.paste(img.convert("L"), ((self.width - img.width) // 2, self.y))
        self.y += img.height

    def ruler(self, dots_per_mm: int = 8) -> None:
        """A millimetre scale across the full paper width (ticks every mm, labels every 10 mm)."""
        f = font("regular", 14)
        self._room(40)
        base = self.y + 38
        self._draw.line((0, base, self.width - 1, base), fill=BLACK, width=2)
        for mm in range(self.width // dots_per_mm + 1):
            x = min(mm * dots_per_mm, self.width - 1)
            tick = 18 if mm % 10 == 0 else 10 if mm % 5 == 0 else 5
            self._draw.line((x, base - tick, x, base), fill=BLACK, width=1)
            if mm % 10 == 0 and 0 < mm:
                self._draw.text((x, base - 20), str(mm), font=f, anchor="ms", fill=BLACK)
        self.y = base + 2

    def image(self) -> Image.Image:
        """The drawn paper as mode "1" (threshold at mid grey, no dithering)."""
        self._room(0)
        height = self.y + self.margin
        return self._img.crop((0, 0, self.width, height)).convert("1", dither=Image.Dither.NONE)
