"""Job bytes decode back to the exact ticket image, on full-width paper, and then cut."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from escpos_sim import parse_job, raster_image
from PIL import Image

from motcua.i18n import t
from ticketd import printing
from ticketd.printing.escpos_job import paper_width_dots, ticket_job_bytes
from ticketd.printing.render import render_ticket
from ticketd.printing.worker import ERROR_CODES


@pytest.mark.parametrize("width", (384, 576))
def test_job_decodes_to_the_ticket_and_cuts(sample_ticket, width):
    image = render_ticket(sample_ticket, width)
    commands = parse_job(ticket_job_bytes(image, width))
    names = [c[0] for c in commands]
    assert names[0] == "init"
    assert names[-1] == "cut" and names.index("cut") > max(
        i for i, n in enumerate(names) if n == "raster"
    )
    assert "feed" in names[names.index("raster"):]  # paper passes the cutter before the cut
    decoded = raster_image(commands)
    assert decoded.size == image.size
    assert decoded.tobytes() == image.tobytes()


def test_tall_image_is_split_into_full_width_pieces():
    tall = Image.new("1", (384, 2500), 1)
    tall.paste(0, (100, 0, 110, 2500))  # a black stripe top to bottom
    commands = parse_job(ticket_job_bytes(tall, 576))
    pieces = [c for c in commands if c[0] == "raster"]
    assert len(pieces) == 3
    assert {c[2] for c in pieces} == {576 // 8}
    decoded = raster_image(commands)
    assert decoded.size == (576, 2500)
    # centred: 96 white dots were added on each side, on every piece
    assert decoded.crop((196, 0, 206, 2500)).getextrema() == (0, 0)
    assert decoded.crop((0, 0, 196, 2500)).getextrema() == (255, 255)
    assert decoded.crop((206, 0, 576, 2500)).getextrema() == (255, 255)


def test_job_bytes_print_no_warning(capsys, sample_ticket):
    ticket_job_bytes(render_ticket(sample_ticket, 576), 576)
    assert capsys.readouterr().out == ""


def test_image_wider_than_paper_is_refused(sample_ticket):
    with pytest.raises(ValueError):
        ticket_job_bytes(render_ticket(sample_ticket, 576), 384)


def test_paper_width_follows_a_known_profile():
    assert paper_width_dots(80) == 576
    assert paper_width_dots(58) == 384
    assert paper_width_dots(80, "TM-T88V") == 512  # 180 dpi printer
    assert paper_width_dots(58, "TM-T88V") == 384  # capped to the paper
    assert paper_width_dots(80, "simple") == 576  # profile without a width


def test_every_printing_string_is_in_the_catalogue():
    source = "".join(p.read_text() for p in Path(printing.__file__).parent.glob("*.py"))
    keys = set(re.findall(r't\("printing\.(\w+)"', source))
    keys |= {f"error_{code}" for code in ERROR_CODES}
    assert len(keys) > 15
    assert [k for k in sorted(keys) if t(f"printing.{k}") == f"printing.{k}"] == []
