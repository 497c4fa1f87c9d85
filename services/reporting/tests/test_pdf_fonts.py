"""Fonts parsed once per process and cut to the common blocks: each document still embeds its own glyphs."""

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from aww_reporting.pdf import (
    FAMILY,
    FONT_DIR,
    DocumentPdf,
    _FontCache,
    _Subset,
    _SubsetCache,
    _subsets,
    fits_common_fonts,
)

REGULAR = FONT_DIR / "DejaVuSans.ttf"
FIXED = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)


def _page(pdf: FPDF, text: str) -> bytes:
    pdf.set_creation_date(FIXED)
    pdf.add_page()
    pdf.set_font(FAMILY, "", 12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


def _text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _embedded_font_sizes(content: bytes) -> list[int]:
    reader = PdfReader(io.BytesIO(content))
    sizes = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        sizes.append(len(descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()))
    return sizes


def test_a_shared_font_gives_the_same_bytes_as_fpdfs_own_add_font():
    text = "Transactiebon € 1.234,56 — Zoë Dupré, Łódź"
    own = FPDF()
    own.add_font(FAMILY, "", str(REGULAR))
    shared = FPDF()
    _FontCache().add(shared, FAMILY, "", REGULAR, common=False)
    assert _page(shared, text) == _page(own, text)


def _shared_page(text: str, *, common: bool = False) -> bytes:
    pdf = FPDF()
    _FontCache().add(pdf, FAMILY, "", REGULAR, common=common)
    return _page(pdf, text)


def test_a_document_with_the_glyphs_of_an_earlier_one_gets_the_kept_subset_and_fpdfs_own_bytes():
    _subsets.clear()
    text = "Transactiebon € 1.234,56 — Zoë Dupré"
    own = FPDF()
    own.add_font(FAMILY, "", str(REGULAR))  # fpdf's own font: subset anew for every document
    expected = _page(own, text)

    documents = [_shared_page(text) for _ in range(3)]

    assert documents == [expected] * 3
    assert (_subsets.misses, _subsets.hits) == (1, 2)


def test_other_glyphs_are_subset_anew_and_print_their_own_text():
    _subsets.clear()
    quartz = _shared_page("Quartz")
    zebra = _shared_page("Zebra")
    assert (_subsets.misses, _subsets.hits) == (2, 0)
    assert "Quartz" in _text(quartz) and "Zebra" in _text(zebra)
    _subsets.clear()
    assert _shared_page("Zebra") == zebra


def test_the_cut_and_the_whole_font_never_share_a_subset():
    _subsets.clear()
    whole = _shared_page("Dupré")
    _subsets.clear()
    _shared_page("Dupré", common=True)
    assert _shared_page("Dupré") == whole
    assert (_subsets.misses, _subsets.hits) == (2, 0)  # the whole font was subset, not given the cut one


def test_the_least_recently_used_subset_goes_first():
    cache = _SubsetCache(size=2)
    first, second, third = (_Subset(name, {}) for name in (b"first", b"second", b"third"))
    cache.put("first", first)
    cache.put("second", second)
    assert cache.get("first") is first
    cache.put("third", third)
    assert cache.get("second") is None
    assert (cache.get("first"), cache.get("third")) == (first, third)


def test_each_document_embeds_only_its_own_characters():
    cache = _FontCache()
    latin, cyrillic = FPDF(), FPDF()
    cache.add(latin, FAMILY, "", REGULAR, common=False)
    cache.add(cyrillic, FAMILY, "", REGULAR, common=False)
    first = _page(latin, "abc")
    second = _page(cyrillic, "Андрій Шевченко")
    third = FPDF()
    cache.add(third, FAMILY, "", REGULAR, common=False)
    again = _page(third, "abc")

    assert "Андрій Шевченко" in _text(second)
    assert again == first  # the Cyrillic glyphs of the second document did not leak into the cache
    assert _embedded_font_sizes(second)[0] > _embedded_font_sizes(first)[0]


def test_documents_rendered_in_parallel_threads_are_identical():
    def render(_):
        pdf = DocumentPdf("fr", "Reçu", issued_at="2026-11-02T10:30:00+00:00", content={"name": "Agence Élégance"})
        pdf.title_block("Reçu", "Ce n'est pas une facture — € 19,00")
        pdf.key_values([("Référence", "CHG-2026-000123"), ("Organisation", "Agence Élégance")])
        return pdf.output_bytes()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(render, range(16)))
    assert len(set(results)) == 1
    assert "Agence Élégance" in _text(results[0])


def test_a_document_embeds_only_the_fonts_it_uses():
    plain = DocumentPdf("en", "Plain", issued_at="2026-11-02T10:30:00+00:00")
    plain.paragraph("No bold, no italic here.")
    titled = DocumentPdf("en", "Titled", issued_at="2026-11-02T10:30:00+00:00")
    titled.title_block("A bold title")

    def embedded(pdf):
        fonts = PdfReader(io.BytesIO(pdf.output_bytes())).pages[0]["/Resources"]["/Font"].values()
        return sorted(font.get_object()["/BaseFont"].split("+")[1] for font in fonts)

    assert embedded(plain) == ["DejaVuSansBook"]
    assert embedded(titled) == ["DejaVuSansBold", "DejaVuSansBook"]


def test_latin_text_with_diacritics_and_euro_fits_the_common_blocks_other_scripts_do_not():
    assert fits_common_fonts({"name": "Zoë Dupré-Łukasiewicz", "amount": "€ 1.234,56", "note": ["“quoted” – №5 → ok"]})
    assert not fits_common_fonts({"parties": [{"name": "Андрій Шевченко"}]})
    assert not fits_common_fonts({"Ωmega": "key outside the blocks"})


@pytest.mark.parametrize("name", ["Agence Zoë Dupré", "Агенція Шевченко", "Γιώργος Παπαδόπουλος"])
def test_the_document_prints_every_name_whatever_its_script(name):
    pdf = DocumentPdf("en", "Receipt", issued_at="2026-11-02T10:30:00+00:00", content={"organisation": name})
    pdf.key_values([("Organisation", name)])
    assert name in _text(pdf.output_bytes())


def test_a_latin_document_draws_from_the_cut_font_and_prints_the_same_text():
    def rendered(content):
        pdf = DocumentPdf("en", "Receipt", issued_at="2026-11-02T10:30:00+00:00", content=content)
        pdf.paragraph("Agence Zoë Dupré € 19,00")
        return pdf, pdf.output_bytes()

    (common, common_bytes), (whole, whole_bytes) = rendered({"name": "Agence Zoë Dupré"}), rendered(None)
    assert _text(common_bytes) == _text(whole_bytes)
    assert _embedded_font_sizes(common_bytes) == _embedded_font_sizes(whole_bytes)  # the same glyphs
    assert len(common.fonts["dejavu"].cmap) < 1500 < 5000 < len(whole.fonts["dejavu"].cmap)


def test_text_the_renderer_did_not_declare_is_refused_rather_than_printed_blank():
    pdf = DocumentPdf("en", "Receipt", issued_at="2026-11-02T10:30:00+00:00", content={"name": "Agence"})
    pdf.paragraph("Агенція")
    with pytest.raises(ValueError, match="outside the document's declared content"):
        pdf.output_bytes()
