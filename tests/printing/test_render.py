"""Ticket and test-page images: size, big number, QR, wrapping, Vietnamese glyphs."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageDraw, ImageFont

from ticketd.printing.fonts import font_path
from ticketd.printing.render import (
    render_test_page,
    render_ticket,
    vietnamese_letter_lines,
)

WIDTHS = (384, 576)


def decode_qr(image: Image.Image) -> str:
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(np.array(image.convert("L")))
    return text


def ink_bbox(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of black dots (PIL "1": 0 = black)."""
    return ImageChops.invert(image.convert("L")).getbbox()


@pytest.mark.parametrize("width", WIDTHS)
def test_ticket_is_one_bit_paper_width_with_readable_qr(sample_ticket, width):
    image = render_ticket(sample_ticket, width)
    assert image.mode == "1"
    assert image.width == width
    assert decode_qr(image) == sample_ticket.qr_url


@pytest.mark.parametrize("width", WIDTHS)
def test_number_fills_most_of_the_width(sample_ticket, width):
    # Two tickets that differ only in the number: the pixels that differ are the number.
    a = render_ticket(sample_ticket, width)
    b = render_ticket(dataclasses.replace(sample_ticket, number="B345"), width)
    assert a.size == b.size
    left, top, right, bottom = ImageChops.difference(a.convert("L"), b.convert("L")).getbbox()
    assert right - left >= 0.75 * width
    assert bottom - top >= 0.18 * width  # 576 dots: over 13 mm tall


def test_optional_parts_add_to_the_ticket(sample_ticket):
    plain = dataclasses.replace(sample_ticket, qr_url=None, est_wait_s=None)
    full = dataclasses.replace(
        sample_ticket, priority=True, note="Vui lòng chuẩn bị căn cước công dân.",
        reprint_at=datetime(2026, 11, 22, 9, 15),
    )
    heights = [render_ticket(t, 576).height for t in (plain, sample_ticket, full)]
    assert heights[0] < heights[1] < heights[2]
    assert decode_qr(render_ticket(plain, 576)) == ""


def test_reprint_and_priority_marks_are_black_bars(sample_ticket):
    marked = render_ticket(
        dataclasses.replace(sample_ticket, priority=True, reprint_at=datetime(2026, 11, 22, 9, 15)),
        576,
    )
    rows = np.array(marked.convert("L")) == 0
    full_rows = rows[:, 40:-40].all(axis=1)  # a bar is black across the content width
    runs = np.flatnonzero(np.diff(full_rows.astype(int)) == 1)
    assert len(runs) >= 2  # the "IN LẠI" bar and the "ƯU TIÊN" bar


vietnamese_text = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐÂƠ ",
    min_size=1, max_size=160,
)


@settings(max_examples=15, deadline=None)
@given(office=vietnamese_text, service=vietnamese_text, note=vietnamese_text)
def test_long_texts_wrap_inside_the_margins(sample_ticket, office, service, note):
    ticket = dataclasses.replace(
        sample_ticket, office_name=office, service_name=service, note=note, qr_url=None
    )
    for width in WIDTHS:
        image = render_ticket(ticket, width)
        margin = width // 32
        left, _, right, _ = ink_bbox(image)
        assert left >= margin and right <= width - margin


def test_an_unbreakable_word_is_split_not_cut(sample_ticket):
    word = "Trungtâmphụcvụhànhchínhcôngphườngbếnthành" * 2
    image = render_ticket(dataclasses.replace(sample_ticket, office_name=word), 384)
    left, _, right, _ = ink_bbox(image)
    assert left >= 12 and right <= 384 - 12


def tofu_letters(path: str) -> list[str]:
    """Letters of the test page that ``path`` has no glyph for (drawn as its missing-glyph box;
    BASIC layout, so HarfBuzz cannot paper over a gap by composing marks)."""
    f = ImageFont.truetype(path, 32, layout_engine=ImageFont.Layout.BASIC)

    def glyph(char: str) -> bytes:
        canvas = Image.new("L", (64, 64), 0)
        ImageDraw.Draw(canvas).text((8, 48), char, font=f, anchor="ls", fill=255)
        return canvas.tobytes()

    box = glyph("\U000f0001")  # a private-use code point: the missing-glyph box
    letters = {c for line in vietnamese_letter_lines() for c in line if c != " "}
    assert len(letters) == 2 * (29 + 12 * 5)
    return sorted(c for c in letters if glyph(c) == box)


def test_fonts_have_every_vietnamese_letter():
    for weight in ("regular", "bold"):
        path = font_path(weight)
        assert "Mono" not in path.name
        assert tofu_letters(str(path)) == []


def test_tofu_check_sees_the_mono_font_gaps():
    mono = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    if not Path(mono).exists():
        pytest.skip("DejaVu Sans Mono not installed")
    assert len(tofu_letters(mono)) == 46


@pytest.mark.parametrize("width", WIDTHS)
def test_test_page_has_qr_and_full_width_ruler(width):
    image = render_test_page(width, "Máy in quầy 1", "trực tuyến")
    assert image.mode == "1" and image.width == width
    assert decode_qr(image) == "motcua-test:Máy in quầy 1"
    bottom = np.array(image.convert("L"))[-60:] == 0
    assert bottom[:, 0].any() and bottom[:, width - 1].any()  # ruler ticks at both edges


def test_render_is_pure(sample_ticket):
    a, b = render_ticket(sample_ticket, 576), render_ticket(sample_ticket, 576)
    assert a.tobytes() == b.tobytes()
