"""A small PDF toolkit on fpdf2 that every renderer shares: DejaVu fonts (full Unicode: é, ë, ç,
€), a title block, headings, paragraphs, key-value blocks, tables, and a footer with page
numbers in the document's language.

The font directory is configurable (REPORTING_FONT_DIR, default Debian's fonts-dejavu-core
location). The creation date is fixed from the data when given, so the same request renders the
same bytes; the document's sha256 is computed over the final bytes and never printed inside.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from aww_reporting.i18n import label

FONT_DIR = Path(os.environ.get("REPORTING_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FAMILY = "DejaVu"
INK = (27, 36, 48)
MUTED = (91, 102, 117)
LINE = (217, 222, 229)
BRAND = (29, 59, 95)


class DocumentPdf(FPDF):
    """An A4 document with the platform's look; add content with the methods below."""

    def __init__(self, language: str, title: str, *, issued_at: datetime | str | None = None, author: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.language = language
        self.doc_title = title
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=20)
        for style, filename in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"), ("I", "DejaVuSans-Oblique.ttf")):
            self.add_font(FAMILY, style, str(FONT_DIR / filename))
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
        return bytes(self.output())


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(family=FAMILY, emphasis="BOLD", color=MUTED, fill_color=(245, 247, 250))
