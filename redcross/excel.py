"""The one Excel writer: every ledger and list export of the product goes through it.

Rows are streamed into openpyxl's write-only mode, so memory stays flat however many rows come:
nothing holds more than the first rows (to size the columns) and the running totals. Every
workbook reads the same way: what it holds on top (chapter, ledger, period, filters, who made it
and when), one header row that stays in view, real dates and numbers (yuan in ``#,##0.00``), an
autofilter, and a totals row; and it prints ready to file (landscape, fit to the page's width,
the header row on every page). Text a user typed is always text: ``=HYPERLINK(...)`` from a donor
field is written as a string, never as a formula.
"""

import datetime
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

TEXT = "text"
DATE = "date"
MONEY = "money"
INTEGER = "integer"
NUMBER = "number"

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
NUMBER_FORMAT = "#,##0.##"
# Excel's last row is 1,048,576; a sheet that would pass it goes on in a new sheet.
SHEET_ROWS = 1_048_576
# Rows read before the columns are sized (write-only mode writes the widths before any row).
SAMPLE_ROWS = 500
MAX_WIDTH = 60
# Excel's number of the A4 paper size (ECMA-376 ST_PaperSize).
PAPER_A4 = 9
# What Excel would read as a formula in a text cell.
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    """One column of an export: its heading, what it holds, and whether the totals row sums it."""

    header: str
    kind: str = TEXT
    total: bool = False
    width: int | None = None


@dataclass
class Written:
    """What a workbook holds once written: its row count and the sums of its totals columns."""

    rows: int = 0
    totals: dict = field(default_factory=dict)  # column index → Decimal or int
    sheets: int = 1


def display_width(text):
    """How many columns ``text`` takes on screen: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(value, kind):
    if value is None:
        return ""
    if kind == MONEY:
        return f"{value:,.2f}"
    if kind == DATE:
        return "2020-12-31"
    return str(value)


def column_widths(columns, sample):
    """Widths that fit the headings and the first rows, CJK characters counted double."""
    widths = []
    for index, column in enumerate(columns):
        if column.width:
            widths.append(column.width)
            continue
        longest = display_width(str(column.header))
        for row in sample:
            longest = max(longest, display_width(_shown(row[index], column.kind)))
        widths.append(min(longest + 2, MAX_WIDTH))
    return widths


class LedgerWorkbook:
    """A workbook being written: ``write(rows)`` streams the rows, ``save(target)`` finishes it.

    ``title`` names the ledger (and the sheet); ``meta`` is a list of (label, value) lines shown
    above the table. ``progress(rows_written)`` is called every ``progress_every`` rows.
    """

    def __init__(self, *, title, meta, columns, progress=None, progress_every=5000):
        self.title = str(title)
        self.meta = [(str(label), str(value)) for label, value in meta]
        self.columns = columns
        self.progress = progress
        self.progress_every = progress_every
        self.workbook = Workbook(write_only=True)
        self.written = Written(totals={i: _zero(c) for i, c in enumerate(columns) if c.total})
        self._bold = Font(bold=True)
        self._title_font = Font(bold=True, size=14)

    # --- cells ---------------------------------------------------------------------------------

    def _cell(self, sheet, value, *, font=None, number_format=None, text=False):
        cell = WriteOnlyCell(sheet, value)
        if text:
            cell.data_type = "s"
        if font is not None:
            cell.font = font
        if number_format is not None:
            cell.number_format = number_format
        return cell

    def _row_converter(self, sheet):
        """A function turning a row of values into what the sheet appends, as cheaply as it can:
        plain values where openpyxl already writes them right (dates get their format on their
        own), a cell sharing one prepared style where it does not, nothing for an empty text."""
        formats = {MONEY: MONEY_FORMAT, NUMBER: NUMBER_FORMAT}
        styled = [
            (i, self._cell(sheet, 0, number_format=formats[c.kind])._style)
            for i, c in enumerate(self.columns)
            if c.kind in formats
        ]
        text_columns = [i for i, c in enumerate(self.columns) if c.kind == TEXT]
        cell = self._cell

        def convert(row):
            row = list(row)
            for i, style in styled:
                if row[i] is not None:
                    formatted = WriteOnlyCell(sheet, row[i])
                    formatted._style = style  # one StyleArray for the column: never changed
                    row[i] = formatted
            for i in text_columns:
                value = row[i]
                if not value:
                    row[i] = None  # an empty text is no cell at all
                elif value[0] in FORMULA_PREFIXES:
                    row[i] = cell(sheet, value, text=True)
            return row

        return convert

    # --- sheets --------------------------------------------------------------------------------

    def _open_sheet(self, widths):
        number = len(self.workbook.worksheets)
        name = (
            self.title
            if number == 0
            else _("%(title)s（续%(number)s）") % {"title": self.title, "number": number}
        )
        sheet = self.workbook.create_sheet(_sheet_name(name))
        # Widths and the frozen header go out before the first row: write-only mode writes them first.
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        self.header_row = len(self.meta) + 3
        sheet.freeze_panes = f"A{self.header_row + 1}"
        _ready_to_print(sheet, self.header_row)
        sheet.append([self._cell(sheet, name, font=self._title_font, text=True)])
        for label, value in self.meta:
            sheet.append(
                [self._cell(sheet, label, font=self._bold, text=True), self._cell(sheet, value, text=True)]
            )
        sheet.append([])
        sheet.append([self._cell(sheet, str(c.header), font=self._bold, text=True) for c in self.columns])
        self.sheet = sheet
        self.sheet_row = self.header_row
        self.convert = self._row_converter(sheet)

    def _close_sheet(self):
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A{self.header_row}:{last}{max(self.sheet_row, self.header_row)}"

    def write(self, rows):
        """Streams ``rows`` (tuples in the columns' order) into the workbook."""
        rows = iter(rows)
        sample = []
        for row in rows:
            sample.append(row)
            if len(sample) >= SAMPLE_ROWS:
                break
        self.widths = column_widths(self.columns, sample)
        self._open_sheet(self.widths)
        self._append_all(sample)
        self._append_all(rows)
        return self.written

    def _append_all(self, rows):
        written = self.written
        totals = written.totals
        total_columns = list(totals)
        limit = SHEET_ROWS - 1  # the last row of the last sheet is the totals row
        progress, every = self.progress, self.progress_every
        for row in rows:
            if self.sheet_row >= limit:
                self._close_sheet()
                self._open_sheet(self.widths)
                written.sheets += 1
            for i in total_columns:
                if row[i] is not None:
                    totals[i] += row[i]
            self.sheet.append(self.convert(row))
            self.sheet_row += 1
            written.rows += 1
            if progress is not None and written.rows % every == 0:
                progress(written.rows)

    def save(self, target):
        """Adds the totals row and writes the workbook to ``target`` (a path or a binary file)."""
        if not self.workbook.worksheets:
            self.write([])
        totals = [None] * len(self.columns)
        totals[0] = self._cell(
            self.sheet, _("合计（%(rows)s条）") % {"rows": self.written.rows}, font=self._bold, text=True
        )
        for i, value in self.written.totals.items():
            kind = self.columns[i].kind
            fmt = MONEY_FORMAT if kind == MONEY else None
            totals[i] = self._cell(self.sheet, value, font=self._bold, number_format=fmt)
        self._close_sheet()
        self.sheet.append(totals)
        self.workbook.save(target)
        if self.progress is not None:
            self.progress(self.written.rows)
        return self.written


def _ready_to_print(sheet, header_row):
    """A ledger prints as it is filed: A4 landscape, every column on the page's width (as many
    pages down as it takes), the header row on top of every page, page N of M at the foot."""
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = PAPER_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")


def _zero(column):
    return Decimal("0.00") if column.kind == MONEY else 0


def _sheet_name(name):
    """A valid sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:31]


def excel_date(value):
    """A date for a cell (datetimes lose their time zone, which Excel cannot hold)."""
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    return value
