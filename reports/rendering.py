"""What a report reads, for the web page and the PDF alike: numbered sections with their figures
filled in, the summary tables, and the issuing chapter and date at the end.

The same code renders a live draft (figures from the records now) and a published version
(figures frozen at publishing).
"""

from dataclasses import dataclass
from types import SimpleNamespace

from django.utils.translation import gettext as _

from .figures import Figure, Table
from .text import render_body

CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_number(n):
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (a report has fewer than a hundred sections)."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, units = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return head + "十" + (CHINESE_NUMERALS[units - 1] if units else "")


@dataclass
class RenderedCell:
    text: str
    url: str = ""


@dataclass
class RenderedTable:
    headers: list
    rows: list
    totals: list | None


@dataclass
class RenderedSection:
    key: str
    level: int
    number: str
    heading: str
    html: str
    table: RenderedTable | None
    empty: bool
    edited: bool = False  # a person's words, not the generated text
    gaps: list = None  # what the records hold that the person's words do not say


def _cell(figures, key, link_base):
    figure = figures.get(key) if key else None
    if figure is None:
        return RenderedCell("")
    return RenderedCell(figure.text, f"{link_base}{figure.url}" if figure.url else "")


def render_table(table, figures, link_base=""):
    rows = [[_cell(figures, key, link_base) for key in row] for row in table.rows]
    totals = None
    if table.totals is not None:
        totals = [RenderedCell(_("合计"))] + [_cell(figures, key, link_base) for key in table.totals]
    return RenderedTable(table.headers, rows, totals)


def render_sections(sections, figures, tables, *, link_base="", editor=False, skip_empty=False):
    """Numbered sections: level 1 as 一、, level 2 as （一）, counted under their level-1 section."""
    rendered = []
    top = sub = 0
    for section in sections:
        table = tables.get(section.key)
        empty = not section.body.strip() and table is None
        if empty and skip_empty:
            continue
        if section.level == 1:
            top += 1
            sub = 0
            number = f"{chinese_number(top)}、"
        else:
            sub += 1
            number = f"（{chinese_number(sub)}）"
        rendered.append(
            RenderedSection(
                key=section.key,
                level=section.level,
                number=number,
                heading=section.heading,
                html=render_body(section.body, figures, link_base=link_base, editor=editor),
                table=render_table(table, figures, link_base) if table else None,
                empty=empty,
                edited=getattr(section, "edited", False),
                gaps=getattr(section, "gaps", None) or [],
            )
        )
    return rendered


def render_section_preview(sections, key, *, heading, body, figures, tables):
    """One section as the PDF numbers and prints it, with the wording being edited in place of
    the saved one (the other sections only count towards its number)."""
    edited = [
        SimpleNamespace(key=s.key, level=s.level, heading=heading, body=body) if s.key == key else s
        for s in sections
    ]
    for section in render_sections(edited, figures, tables, editor=True):
        if section.key == key:
            return section
    return None


def figures_from_json(snapshot):
    return {key: Figure(**value) for key, value in snapshot["figures"].items()}


def tables_from_json(snapshot):
    return {key: Table(**value) for key, value in snapshot["tables"].items()}


def issued_on(day):
    return _("%(year)s年%(month)s月%(day)s日") % {"year": day.year, "month": day.month, "day": day.day}


def report_context(*, title, chapter, sections, figures, tables, issued, link_base="", editor=False):
    return {
        "title": title,
        "chapter": chapter,
        "sections": render_sections(
            sections, figures, tables, link_base=link_base, editor=editor, skip_empty=not editor
        ),
        "issued": issued_on(issued),
    }
