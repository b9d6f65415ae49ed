"""Ticket and printer test-page images (pure: the same input always gives the same pixels).

Tickets are printed as images, so any cheap 58/80 mm ESC/POS printer shows every Vietnamese
letter without code pages. Widths are in printer dots: 384 on 58 mm paper, 576 on 80 mm.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from PIL import Image

from motcua.i18n import t
from motcua.text import nfc
from ticketd.printing.layout import Sheet
from ticketd.printing.qr import qr_image

MIN_WIDTH = 256
ISSUED_FORMAT = "%d/%m/%Y %H:%M"
REPRINT_FORMAT = "%H:%M %d/%m/%Y"


@dataclass(frozen=True)
class TicketPrint:
    """What a printed ticket shows."""

    office_name: str
    service_name: str
    number: str
    priority: bool
    issued_at: datetime
    ahead: int
    est_wait_s: int | None = None
    note: str | None = None
    qr_url: str | None = None
    reprint_at: datetime | None = None


def _sizes(width: int) -> dict[str, int]:
    """Font sizes in dots for a paper ``width`` (scaled from 80 mm, with readable minimums)."""
    scale = width / 576
    return {
        "office": max(22, round(30 * scale)),
        "heading": max(26, round(34 * scale)),
        "service": max(22, round(30 * scale)),
        "body": max(19, round(24 * scale)),
        "small": max(17, round(20 * scale)),
    }


def _sheet(width: int) -> Sheet:
    if width < MIN_WIDTH:
        raise ValueError(f"paper width {width} dots is below {MIN_WIDTH}")
    return Sheet(width, margin=max(8, width // 32))


def _wait_line(est_wait_s: int) -> str:
    if est_wait_s <= 0:
        return t("printing.est_wait_none")
    return t("printing.est_wait", minutes=max(1, math.ceil(est_wait_s / 60)))


def render_ticket(ticket: TicketPrint, width_dots: int) -> Image.Image:
    """The ticket as a mode "1" image ``width_dots`` wide."""
    sheet = _sheet(width_dots)
    size = _sizes(width_dots)
    gap = size["body"] // 2
    if ticket.reprint_at is not None:
        stamp = ticket.reprint_at.strftime(REPRINT_FORMAT)
        sheet.text(t("printing.reprint", time=stamp), "bold", size["heading"], invert=True)
        sheet.space(gap)
    sheet.text(nfc(ticket.office_name), "bold", size["office"])
    sheet.space(gap)
    sheet.rule(dash=8)
    sheet.space(gap)
    sheet.text(t("printing.ticket_heading"), "bold", size["heading"])
    sheet.space(gap)
    sheet.big(
        nfc(ticket.number), "bold",
        width=round(sheet.content_width * 0.94), height=round(width_dots * 0.3),
    )
    sheet.space(gap)
    if ticket.priority:
        sheet.text(t("printing.priority"), "bold", size["heading"], invert=True)
        sheet.space(gap)
    sheet.text(nfc(ticket.service_name), "bold", size["service"])
    sheet.space(gap)
    sheet.rule(dash=8)
    sheet.space(gap)
    sheet.text(t("printing.issued_at", time=ticket.issued_at.strftime(ISSUED_FORMAT)),
               "regular", size["body"])
    sheet.space(gap // 2)
    sheet.text(t("printing.ahead", count=ticket.ahead), "regular", size["body"])
    if ticket.est_wait_s is not None:
        sheet.space(gap // 2)
        sheet.text(_wait_line(ticket.est_wait_s), "regular", size["body"])
    if ticket.note:
        sheet.space(gap)
        sheet.text(nfc(ticket.note), "regular", size["body"])
    if ticket.qr_url:
        sheet.space(gap)
        sheet.paste(qr_image(ticket.qr_url, max_width=round(width_dots * 0.5)))
        sheet.text(t("printing.qr_hint"), "regular", size["small"])
    sheet.space(gap)
    sheet.rule(dash=8)
    sheet.space(gap)
    sheet.text(t("printing.thanks"), "bold", size["service"])
    return sheet.image()


VOWELS = "aăâeêioôơuưy"
# ngang, huyền, sắc, hỏi, ngã, nặng
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"


def vietnamese_letter_lines() -> list[str]:
    """Every Vietnamese letter: the alphabet in both cases, then each vowel with its five tones."""
    lines = [
        " ".join(letters[start:start + 10])
        for letters in (ALPHABET, ALPHABET.upper())
        for start in range(0, len(letters), 10)
    ]
    for vowel in VOWELS:
        lower = [unicodedata.normalize("NFC", vowel + tone) for tone in TONES]
        lines.append(" ".join(lower + [letter.upper() for letter in lower]))
    return lines


def render_test_page(width_dots: int, printer_name: str, status_text: str) -> Image.Image:
    """A test page: name, status, every Vietnamese letter, a QR and a full-width mm ruler."""
    sheet = _sheet(width_dots)
    size = _sizes(width_dots)
    gap = size["body"] // 2
    sheet.text(t("printing.test_title"), "bold", size["heading"], invert=True)
    sheet.space(gap)
    sheet.text(t("printing.test_printer", name=nfc(printer_name)), "bold", size["service"])
    sheet.text(t("printing.test_status", status=nfc(status_text)), "regular", size["body"])
    sheet.text(t("printing.test_width", dots=width_dots), "regular", size["body"])
    sheet.space(gap)
    sheet.rule(dash=8)
    sheet.space(gap)
    sheet.text(t("printing.test_letters"), "bold", size["body"])
    sheet.space(gap // 2)
    for weight in ("regular", "bold"):
        for line in vietnamese_letter_lines():
            sheet.text(line, weight, size["small"], gap=2)
        sheet.space(gap)
    sheet.text(t("printing.test_qr"), "bold", size["body"])
    sheet.paste(qr_image(nfc(f"motcua-test:{printer_name}"), max_width=round(width_dots * 0.4)))
    sheet.space(gap)
    sheet.text(t("printing.test_ruler"), "regular", size["small"])
    sheet.ruler()
    return sheet.image()
