import itertools
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from display.vi_numbers import MAX_NUMBER, read_digits, read_number

NORTH = {
    0: "không",
    1: "một",
    4: "bốn",
    5: "năm",
    10: "mười",
    11: "mười một",
    14: "mười bốn",
    15: "mười lăm",
    20: "hai mươi",
    21: "hai mươi mốt",
    24: "hai mươi tư",
    25: "hai mươi lăm",
    31: "ba mươi mốt",
    55: "năm mươi lăm",
    99: "chín mươi chín",
    100: "một trăm",
    101: "một trăm linh một",
    104: "một trăm linh bốn",
    105: "một trăm linh năm",
    110: "một trăm mười",
    111: "một trăm mười một",
    115: "một trăm mười lăm",
    121: "một trăm hai mươi mốt",
    999: "chín trăm chín mươi chín",
    1000: "một nghìn",
    1005: "một nghìn không trăm linh năm",
    1010: "một nghìn không trăm mười",
    1021: "một nghìn không trăm hai mươi mốt",
    1100: "một nghìn một trăm",
    2024: "hai nghìn không trăm hai mươi tư",
    10000: "mười nghìn",
    15000: "mười lăm nghìn",
    21000: "hai mươi mốt nghìn",
    100000: "một trăm nghìn",
    105000: "một trăm linh năm nghìn",
    1000000: "một triệu",
    1000005: "một triệu không trăm linh năm",
    1005000: "một triệu không trăm linh năm nghìn",
    25_000_000: "hai mươi lăm triệu",
    MAX_NUMBER: "chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín",
}

SOUTH = {
    14: "mười bốn",
    21: "hai mươi mốt",
    24: "hai mươi bốn",
    25: "hai mươi lăm",
    105: "một trăm lẻ năm",
    1000: "một ngàn",
    1005: "một ngàn không trăm lẻ năm",
    2024: "hai ngàn không trăm hai mươi bốn",
    100000: "một trăm ngàn",
}


@pytest.mark.parametrize(("n", "words"), NORTH.items())
def test_north(n, words):
    assert read_number(n) == words
    assert read_number(n, "north") == words


@pytest.mark.parametrize(("n", "words"), SOUTH.items())
def test_south(n, words):
    assert read_number(n, "south") == words


def test_output_is_nfc():
    words = read_number(123_456_789)
    assert words == unicodedata.normalize("NFC", words)
    assert words == "một trăm hai mươi ba triệu bốn trăm năm mươi sáu nghìn bảy trăm tám mươi chín"


@pytest.mark.parametrize("bad", [-1, MAX_NUMBER + 1])
def test_out_of_range(bad):
    with pytest.raises(ValueError):
        read_number(bad)


@pytest.mark.parametrize("bad", [True, 1.0, "12"])
def test_not_an_int(bad):
    with pytest.raises(TypeError):
        read_number(bad)


def test_unknown_dialect():
    with pytest.raises(ValueError):
        read_number(5, "central")


@settings(max_examples=200)
@given(st.integers(0, MAX_NUMBER))
def test_word_rules_hold_everywhere(n):
    words = read_number(n).split()
    pairs = list(itertools.pairwise(words))
    assert ("mười", "mốt") not in pairs and ("mươi", "một") not in pairs  # 11 "mười một", 21 "mốt"
    assert ("mươi", "năm") not in pairs and ("mười", "năm") not in pairs  # 15/25 use "lăm"
    assert ("mươi", "bốn") not in pairs and ("mười", "tư") not in pairs  # North: 24 "tư", 14 "bốn"
    assert words[-1] not in ("linh", "không") or n == 0  # never ends on a dangling word
    assert words.count("triệu") <= 1 and words.count("nghìn") <= 1


def test_digits():
    assert read_digits("012") == "không một hai"
    assert read_digits("0123456789") == "không một hai ba bốn năm sáu bảy tám chín"


@pytest.mark.parametrize("bad", ["", "A12", "1 2", "١٢"])
def test_digits_rejects_non_digits(bad):
    with pytest.raises(ValueError):
        read_digits(bad)
