"""The procedure fixture and search: folded and accented queries find the right procedures."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.catalogue import Catalogue
from kiosk.procedures import CatalogueError, Procedure, load_file, load_procedures
from motcua.text import fold


@lru_cache(maxsize=1)
def shared() -> tuple[Catalogue, list[Procedure]]:
    return Catalogue.from_folder(), load_procedures()


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return shared()[0]


def proc(code: str, name: str, field: str = "Chứng thực", **extra) -> Procedure:
    return Procedure(code=code, name=name, field=field, documents=[{"name": "Tờ khai", "count": "1 bản chính"}],
                     time="1 ngày", fee="Không", result="Kết quả", legal_basis=["Luật"], **extra)


def codes(hits) -> list[str]:
    return [h.code for h in hits]


def test_fixture_holds_forty_real_commune_procedures() -> None:
    procedures = load_procedures()
    assert len(procedures) >= 40
    assert len({p.code for p in procedures}) == len(procedures)
    by_code = {p.code: p for p in procedures}
    for code in ("1.001193", "1.000894", "1.004873", "1.000656", "1.001022", "2.000635", "2.000815",
                 "2.000884", "2.001035", "1.004222", "1.004194", "1.004746", "1.004884", "1.004837"):
        assert code in by_code, code
    assert by_code["1.001193"].name == "Đăng ký khai sinh"
    assert by_code["2.000635"].fee.startswith("8.000 đồng")
    for p in procedures:
        assert p.name == unicodedata.normalize("NFC", p.name)
        assert p.documents and p.legal_basis and p.time and p.fee
        assert all(isinstance(item, str) for item in p.legal_basis)  # YAML anchors were flattened


@pytest.mark.parametrize("query, first", [
    ("khai sinh", "1.001193"), ("Khai Sinh", "1.001193"), ("đăng ký khai sinh", "1.001193"),
    ("ket hon", "1.000894"), ("kết hôn", "1.000894"), ("KET HON", "1.000894"),
    ("khai tu", "1.000656"), ("tam tru", "1.004194"), ("thuong tru", "1.004222"),
    ("chung thuc chu ky", "2.000884"), ("di chúc", "2.001019"), ("so do", "1.013978"),
    ("1.004222", "1.004222"), ("tình trạng hôn nhân", "1.004873"),
])
def test_search_puts_the_right_procedure_first(catalogue, query, first) -> None:
    assert codes(catalogue.search(query))[0] == first


def test_dat_dai_finds_the_land_procedures(catalogue) -> None:
    hits = catalogue.search("dat dai")
    land = {p.code for p in load_procedures() if p.field == "Đất đai"}
    assert {"1.013978", "1.012812"} <= set(codes(hits))
    assert set(codes(hits)[: len(land)]) == land


@pytest.mark.parametrize("folded, accented", [("khai sinh", "khai sinh"), ("ket hon", "kết hôn"),
                                              ("dat dai", "đất đai"), ("hoa giai", "hòa giải")])
def test_folded_and_accented_queries_find_the_same_procedures(catalogue, folded, accented) -> None:
    assert set(codes(catalogue.search(folded))) == set(codes(catalogue.search(accented)))


def test_decomposed_input_and_new_style_tone_marks_are_found(catalogue) -> None:
    nfd = unicodedata.normalize("NFD", "kết hôn")
    assert codes(catalogue.search(nfd))[0] == "1.000894"
    assert codes(catalogue.search("hoà giải"))[0] == "1.012812"  # "hoà" (new placement) = "hòa"


def test_exact_accents_rank_above_folded_matches() -> None:
    cat = Catalogue([proc("1.000001", "Ban hành quy chế"), proc("1.000002", "Cấp bản sao giấy tờ"),
                     proc("1.000003", "Bán đấu giá tài sản")])
    assert codes(cat.search("bản"))[0] == "1.000002"
    assert codes(cat.search("bán"))[0] == "1.000003"
    assert codes(cat.search("ban"))[0] == "1.000001"
    assert set(codes(cat.search("ban"))) == {"1.000001", "1.000002", "1.000003"}


def test_every_word_must_match_and_keywords_count(catalogue) -> None:
    assert catalogue.search("khai sinh xyzzy") == []
    assert catalogue.search("   ") == []
    assert codes(catalogue.search("hộ khẩu"))  # only in keywords of the residence procedures
    assert all(catalogue.get(c).field == "Đăng ký và quản lý cư trú" for c in codes(catalogue.search("hộ khẩu")))


def test_browse_by_field_in_catalogue_order(catalogue) -> None:
    fields = catalogue.fields()
    assert fields[0].field == "Hộ tịch"
    assert sum(f.count for f in fields) == len(catalogue)
    in_field = catalogue.in_field("Chứng thực")
    assert len(in_field) == next(f.count for f in fields if f.field == "Chứng thực")
    assert in_field[0].code == "2.000815"


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=56), st.booleans())
def test_any_procedure_is_found_by_its_folded_or_accented_name(index, accented) -> None:
    cat, procedures = shared()
    target = procedures[index % len(procedures)]
    query = target.name if accented else fold(target.name)
    assert target.code in codes(cat.search(query, limit=5))


def test_bad_procedure_files_are_named(tmp_path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("field: Hộ tịch\nprocedures:\n  - code: '1.1'\n    name: Sai\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="x.yaml"):
        load_file(bad)
    bad.write_text("procedures: []\nextra: 1\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="unknown keys"):
        load_file(bad)
