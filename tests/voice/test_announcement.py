import unicodedata

import pytest

from display.announcement import announcement_text, announcement_tokens, sentence_tokens
from motcua.config.schema import AnnouncerConfig


def cfg(**kw):
    return AnnouncerConfig(**kw)


def test_cardinal_text():
    text = announcement_text("A012", "3", cfg())
    assert text == "Mời công dân có số A, mười hai đến quầy số ba"
    assert unicodedata.is_normalized("NFC", text)


def test_digits_text():
    assert announcement_text("A012", "3", cfg(number_style="digits")) == (
        "Mời công dân có số A, không một hai đến quầy số ba"
    )


def test_cardinal_tokens():
    assert announcement_tokens("A012", "3", cfg()) == [
        "chime", "moi_cong_dan_co_so", "letter_A", "muoi", "hai", "den_quay_so", "ba",
    ]


def test_digits_tokens():
    assert announcement_tokens("A012", "3", cfg(number_style="digits")) == [
        "chime", "moi_cong_dan_co_so", "letter_A", "khong", "mot", "hai", "den_quay_so", "ba",
    ]


@pytest.mark.parametrize(("number", "spoken", "tokens"), [
    ("A021", "A, hai mươi mốt", ["letter_A", "hai", "muoi_ngang", "mot_sac"]),
    ("B024", "B, hai mươi tư", ["letter_B", "hai", "muoi_ngang", "tu"]),
    ("C105", "C, một trăm linh năm", ["letter_C", "mot", "tram", "linh", "nam"]),
    ("HT1015", "H T, một nghìn không trăm mười lăm",
     ["letter_H", "letter_T", "mot", "nghin", "khong", "tram", "muoi", "lam"]),
    ("007", "bảy", ["bay"]),
])
def test_numbers(number, spoken, tokens):
    c = cfg(chime=False)
    assert announcement_text(number, "1", c) == f"Mời công dân có số {spoken} đến quầy số một"
    assert announcement_tokens(number, "1", c) == ["moi_cong_dan_co_so", *tokens, "den_quay_so", "mot"]


def test_counter_is_read_as_a_cardinal_in_both_styles():
    for style in ("cardinal", "digits"):
        c = cfg(number_style=style, chime=False)
        assert announcement_text("A001", "12", c).endswith("đến quầy số mười hai")
        assert sentence_tokens("A001", "12", c)[-2:] == ["muoi", "hai"]


def test_south_dialect():
    c = cfg(dialect="south", chime=False)
    assert announcement_text("A105", "4", c) == "Mời công dân có số A, một trăm lẻ năm đến quầy số bốn"
    assert sentence_tokens("A024", "4", c)[1:5] == ["letter_A", "hai", "muoi_ngang", "bon"]


def test_repeat_and_chime():
    one = sentence_tokens("A012", "3", cfg())
    assert announcement_tokens("A012", "3", cfg(repeat=2)) == ["chime", *one, "pause", *one]
    assert announcement_tokens("A012", "3", cfg(repeat=3, chime=False)) == [*one, "pause", *one, "pause", *one]


def test_custom_template_and_nfd_input():
    nfd = unicodedata.normalize("NFD", "Xin mời công dân có số thứ tự {number} đến quầy số {counter}")
    c = cfg(template=nfd, chime=False)
    assert announcement_text("A012", "3", c) == "Xin mời công dân có số thứ tự A, mười hai đến quầy số ba"
    assert sentence_tokens("A012", "3", c)[0] == "xin_moi_cong_dan_co_so_thu_tu"


def test_counter_label_without_a_number_is_spoken_as_is():
    c = cfg(chime=False)
    assert announcement_text("A012", "tiep-nhan", c).endswith("đến quầy số tiep-nhan")
    assert sentence_tokens("A012", "tiep-nhan", c)[-1] == "tiep_nhan"
