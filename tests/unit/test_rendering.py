"""The document engine: names print exactly, files are tagged PDF/UA-1 with a language and a
title, text cannot inject markup, an undrawable character is refused by name, and the fonts'
coverage list matches the typst wheel that is installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.rendering import Document, Unprintable, render
from portal.rendering.fonts import (
    FACES,
    coverage,
    coverage_text,
    describe,
    typst_module,
    unprintable,
    wheel_coverage,
)
from tests.support.pdf import assert_accessible, pdf_text, reader

NAMES = ("Llŷr Ŵyn-Dafydd", "Ştefan Ţepeş", "Ștefan Țepeș", "Łukasz", "Αλέξανδρος", "Дмитрий")
MORE = ("Dvořák", "Gülşen Işık", "Dŵr", "Żółć", "Ελένη", "Щукин")


def _document(*texts: str) -> Document:
    doc = Document(title="Decision letter, case 01AB2345678")
    doc.heading("Victim Liaison Unit", level=1)
    for text in texts:
        doc.field("Name", text)
    doc.paragraph("\n".join(texts), where="The letter")
    doc.items(list(texts))
    return doc


def test_every_name_prints_exactly_and_the_file_is_accessible() -> None:
    pdf = render(_document(*NAMES, *MORE))
    text = pdf_text(pdf)
    for name in (*NAMES, *MORE):
        assert text.count(name) == 3, name
    assert "?" not in text
    assert_accessible(pdf, "Decision letter, case 01AB2345678")


def test_decomposed_accents_print_as_the_same_name() -> None:
    decomposed = "Llw\u0302yr"  # w + combining circumflex, as some keyboards type it
    assert "Llŵyr" in pdf_text(render(_document(decomposed)))


def test_a_name_is_text_never_markup() -> None:
    hostile = '#panic("x") *bold* $x^2$ = Heading <label> @ref [link](x) #read("/etc/passwd")'
    pdf = render(_document(hostile))
    assert hostile in pdf_text(pdf)
    # Nothing became a heading: the only heading is the one the caller asked for.
    assert len(reader(pdf).outline) == 1


def test_a_character_the_fonts_cannot_draw_is_refused_by_name() -> None:
    with pytest.raises(Unprintable) as caught:
        render(_document("Llŷr", "王秀英"))
    assert caught.value.char == "王"
    assert '"王" (U+738B CJK UNIFIED IDEOGRAPH-738B)' in caught.value.reason
    assert caught.value.reason.startswith('"Name" contains')
    assert "秀英" not in caught.value.reason  # names the character, not the whole text
    with pytest.raises(Unprintable, match=r"U\+1F600"):
        render(Document(title="x").paragraph("Smile \U0001f600", where="The letter"))
    with pytest.raises(Unprintable, match="The title"):
        render(Document(title="Case \u0905"))


def test_the_coverage_check_knows_latin_greek_and_cyrillic() -> None:
    for char in "ŵŷŴŶłŁşŞţŢșȘțȚěřůİığĞαΩДщЁё€£–’":
        assert unprintable(char) is None, describe(char)
    for char in "王अ\U0001f600\u0627":  # Chinese, Devanagari, an emoji, Arabic
        assert unprintable(char) == char


def test_the_coverage_list_matches_the_installed_typst_wheel() -> None:
    """Fails after a typst upgrade that changes its fonts: run ``python -m portal.rendering``."""
    points = wheel_coverage(typst_module())
    assert points == coverage()
    shipped = Path(__file__).parents[2] / "portal" / "rendering" / "coverage.txt"
    assert shipped.read_text(encoding="ascii") == coverage_text(points)
    assert FACES == ("Libertinus Serif Regular", "Libertinus Serif Bold")


def test_templates_import_no_typst_packages_and_read_no_files() -> None:
    folder = Path(__file__).parents[2] / "portal" / "rendering"
    templates = list(folder.glob("*.typ"))
    assert templates
    for template in templates:
        source = template.read_text(encoding="utf-8")
        assert "@preview" not in source and "@local" not in source
        assert "#import" not in source and "#include" not in source
        assert "read(" not in source
