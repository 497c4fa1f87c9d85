"""A small PDF toolkit on fpdf2 that every renderer shares: DejaVu fonts (full Unicode: é, ë, ç,
€), a title block, headings, paragraphs, key-value blocks, tables, and a footer with page
numbers in the document's language.

The font directory is configurable (REPORTING_FONT_DIR, default Debian's fonts-dejavu-core
location). The creation date is fixed from the data when given, so the same request renders the
same bytes; the document's sha256 is computed over the final bytes and never printed inside.

Fonts cost most of a document's CPU: fpdf parses each font file (DejaVu has 6,000 glyphs) and
subsets it at output. So:
- a font style is added on first use (fpdf embeds every added font, used or not);
- `_FontCache` parses each font once per process and gives every document its own copy with a
  fresh, lazily loaded fontTools font (subsetting at output changes that object in place) and its
  own subset map; metrics and character maps are read-only and shared;
- a renderer passes its `content` (the request data): when all its text is in `COMMON_BLOCKS`
  (Latin with diacritics, punctuation, currency signs: nearly every document here), the document
  uses DejaVu cut down to those blocks, which subsets several times faster. Anything else (Greek,
  Cyrillic, Arabic names …) gets the whole font. Labels come from our own catalogue (Latin);
- the subset itself (fontTools: ~30 ms a font) depends only on the font and the glyphs a document
  uses, and most documents of a kind use the same few dozen glyphs: `_SubsetCache` keeps the
  subset fpdf made (its bytes and glyph ids) and hands it to the next document that needs exactly
  the same glyphs of the same font, so that document gets the bytes fpdf would have made.
"""

from __future__ import annotations

import copy
import io
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import fpdf.output
from fontTools import subset as font_subset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

from aww_reporting.i18n import label

FONT_DIR = Path(os.environ.get("REPORTING_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FAMILY = "DejaVu"
INK = (27, 36, 48)
MUTED = (91, 102, 117)
LINE = (217, 222, 229)
BRAND = (29, 59, 95)
_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
COMMON_BLOCKS = (
    (0x0020, 0x024F),  # Basic Latin … Latin Extended-B
    (0x0300, 0x036F),  # combining diacritical marks
    (0x1E00, 0x1EFF),  # Latin Extended Additional
    (0x2000, 0x206F),  # general punctuation (dashes, quotes, narrow no-break space)
    (0x20A0, 0x20CF),  # currency signs (€)
    (0x2100, 0x214F),  # letter-like symbols (№, ™)
    (0x2190, 0x21FF),  # arrows
)


def _common(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in COMMON_BLOCKS) or char in "\n\r\t"


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def fits_common_fonts(content) -> bool:
    """True when every text in `content` (nested dicts, lists, strings) is in COMMON_BLOCKS."""
    return all(_common(char) for text in _strings(content) for char in text)


def _cut_to_common_blocks(content: bytes) -> bytes:
    font = ttLib.TTFont(io.BytesIO(content), recalcTimestamp=False)
    options = font_subset.Options(glyph_names=True, notdef_outline=True, recommended_glyphs=True, legacy_kern=True)
    options.layout_features = []
    options.name_IDs = ["*"]
    options.drop_tables += ["FFTM"]  # FontForge's time stamp: fontTools cannot subset it and says so
    subsetter = font_subset.Subsetter(options)
    subsetter.populate(unicodes=[code for low, high in COMMON_BLOCKS for code in range(low, high + 1)])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


class _FontCache:
    """Parsed fonts shared by the documents of a process (renderers run in tpool threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parsed: dict[tuple[str, bool], tuple[TTFFont, bytes]] = {}

    def add(self, pdf: FPDF, family: str, style: str, path: Path, *, common: bool) -> None:
        template, content = self._template(pdf, family, style, path, common)
        font = copy.copy(template)
        font.i = len(pdf.fonts) + 1
        font.ttfont = _DocumentFont(io.BytesIO(content), recalcTimestamp=False, lazy=True)
        font.ttfont.subset_key = (str(path), common)
        font.biggest_size_pt = 0
        font.missing_glyphs = []
        font.subset = SubsetMap(font)
        pdf.fonts[template.fontkey] = font

    def _template(self, pdf: FPDF, family: str, style: str, path: Path, common: bool) -> tuple[TTFFont, bytes]:
        with self._lock:
            if (str(path), common) not in self._parsed:
                content = path.read_bytes()
                if common:
                    content = _cut_to_common_blocks(content)
                font = TTFFont(pdf, io.BytesIO(content), f"{family.lower()}{style}", style)
                if font.color_font is not None or font.is_cff:
                    raise ValueError(f"{path}: only plain TrueType fonts can be shared between documents")
                self._parsed[(str(path), common)] = (font, content)
            return self._parsed[(str(path), common)]


class _Subset:
    def __init__(self, content: bytes, glyph_ids: dict[str, int]) -> None:
        self.content = content
        self.glyph_ids = glyph_ids


class _DocumentFont(ttLib.TTFont):
    """A document's own copy of a shared font. Once subset (or given a kept subset) it answers
    glyph ids and its saved bytes from that subset, the only two things fpdf asks of it then."""

    subset_key: tuple[str, bool] | None = None
    kept: _Subset | None = None

    def getGlyphID(self, glyphName):
        if self.kept is not None:
            return self.kept.glyph_ids[glyphName]
        return super().getGlyphID(glyphName)

    def save(self, file, reorderTables=True):
        if self.kept is None:
            return super().save(file, reorderTables)
        file.write(self.kept.content)


class _SubsetCache:
    """Subsets of the shared fonts, by font and exact glyph set; the least recently used go first."""

    def __init__(self, size: int = 256) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple, _Subset] = OrderedDict()
        self.size = size
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> _Subset | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                self.misses += 1
            else:
                self.hits += 1
                self._kept.move_to_end(key)
            return kept

    def put(self, key: tuple, kept: _Subset) -> None:
        with self._lock:
            self._kept[key] = kept
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.hits = self.misses = 0


_subsets = _SubsetCache()


class _KeepingSubsetter(font_subset.Subsetter):
    """fpdf's subsetter for our shared fonts: a glyph set subset before is not subset again."""

    def populate(self, glyphs=(), gids=(), unicodes=(), text=""):
        self._requested = (frozenset(glyphs), frozenset(gids), frozenset(unicodes), text)
        super().populate(glyphs=glyphs, gids=gids, unicodes=unicodes, text=text)

    def subset(self, font):
        if getattr(font, "subset_key", None) is None:
            return super().subset(font)
        key = (font.subset_key, self._requested)  # the options are fpdf's, the same for every font
        font.kept = _subsets.get(key)
        if font.kept is None:
            super().subset(font)
            saved = io.BytesIO()
            ttLib.TTFont.save(font, saved)
            glyph_ids = {name: index for index, name in enumerate(font.getGlyphOrder())}
            font.kept = _Subset(saved.getvalue(), glyph_ids)
            _subsets.put(key, font.kept)


class _SubsetModule:
    """What fpdf.output sees as `fontTools.subset`: the same, with the keeping subsetter."""

    Options = font_subset.Options
    Subsetter = _KeepingSubsetter


fpdf.output.ftsubset = _SubsetModule


_fonts = _FontCache()


class DocumentPdf(FPDF):
    """An A4 document with the platform's look; add content with the methods below."""

    def __init__(
        self,
        language: str,
        title: str,
        *,
        issued_at: datetime | str | None = None,
        author: str = "",
        content=None,
    ) -> None:
        """`content`: everything the caller's data may print (the request data); without it, or
        when it holds text outside COMMON_BLOCKS, the document embeds from the whole fonts."""
        super().__init__(orientation="P", unit="mm", format="A4")
        self._common_fonts = content is not None and fits_common_fonts([content, title, author])
        self.language = language
        self.doc_title = title
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=20)
        if isinstance(issued_at, str):
            issued_at = datetime.fromisoformat(issued_at)
        self.set_creation_date(issued_at or datetime(2000, 1, 1, tzinfo=UTC))
        self.set_title(title)
        self.set_lang(language)
        self.set_creator("AML platform")
        if author:
            self.set_author(author)
        self.alias_nb_pages()
        self.add_page()
        self.set_font(FAMILY, "", 10)
        self.set_text_color(*INK)

    def set_font(self, family=None, style="", size=0) -> None:
        """Our fonts are added on first use: fpdf embeds every added font, used or not."""
        if (family or "").lower() == FAMILY.lower():
            style_key = "".join(sorted(c for c in str(getattr(style, "style", style)).upper() if c in "BI"))
            if f"{FAMILY.lower()}{style_key}" not in self.fonts and style_key in _FILES:
                _fonts.add(self, FAMILY, style_key, FONT_DIR / _FILES[style_key], common=self._common_fonts)
        super().set_font(family, style, size)

    # ---- page furniture -------------------------------------------------------------------

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.doc_title, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, label(self.language, "page", page=self.page_no(), pages="{nb}"), align="R")
        self.set_text_color(*INK)

    # ---- content ---------------------------------------------------------------------------

    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_font(FAMILY, "B", 18)
        self.set_text_color(*BRAND)
        self.multi_cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        if subtitle:
            self.set_font(FAMILY, "", 10)
            self.set_text_color(*MUTED)
            self.multi_cell(0, 5, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
        self.ln(4)

    def heading(self, text: str, level: int = 1) -> None:
        self.ln(2)
        self.set_font(FAMILY, "B", 13 if level == 1 else 11)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*LINE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        self.set_font(FAMILY, "", 10)

    def paragraph(self, text: str, *, muted: bool = False, bold: bool = False, size: float = 10) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        if muted:
            self.set_text_color(*MUTED)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.set_font(FAMILY, "", 10)
        self.ln(1)

    def key_values(self, pairs: Sequence[tuple[str, str]], key_width: float = 55) -> None:
        """Label: value lines; long values wrap under themselves."""
        for key, value in pairs:
            y = self.get_y()
            self.set_font(FAMILY, "B", 10)
            self.set_text_color(*MUTED)
            self.multi_cell(key_width, 5.5, key, new_x=XPos.RIGHT, new_y=YPos.TOP)
            self.set_text_color(*INK)
            self.set_font(FAMILY, "", 10)
            self.set_xy(self.l_margin + key_width, y)
            self.multi_cell(0, 5.5, str(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float] | None = None,
        align: Sequence[str] | None = None,
        footer_rows: Sequence[Sequence[str]] = (),
    ) -> None:
        """A table with a header row repeated on each page; align per column: L, C or R."""
        count = len(headers)
        usable = self.w - self.l_margin - self.r_margin
        widths = list(widths or [usable / count] * count)
        align = list(align or ["L"] * count)
        self.set_draw_color(*LINE)
        with self.table_context(widths, align) as table:
            heading = table.row()
            for text in headers:
                heading.cell(text)
            for row in rows:
                cells = table.row()
                for text in row:
                    cells.cell(str(text))
            for row in footer_rows:
                cells = table.row()
                for text in row:
                    cells.cell(str(text))
        self.ln(3)

    def table_context(self, widths, align):
        return super().table(
            col_widths=widths,
            text_align=align,
            line_height=6,
            first_row_as_headings=True,
            headings_style=_heading_style(),
            borders_layout="HORIZONTAL_LINES",
            width=sum(widths),
            align="LEFT",
        )

    def output_bytes(self) -> bytes:
        missing = sorted({chr(code) for font in self.fonts.values() for code in getattr(font, "missing_glyphs", [])})
        if missing and self._common_fonts:
            # text that was not in `content`: a renderer bug, never a silently blank character
            raise ValueError(f"text outside the document's declared content: {''.join(missing)!r}")
        return bytes(self.output())


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(family=FAMILY, emphasis="BOLD", color=MUTED, fill_color=(245, 247, 250))
