"""Bringing records in from the import workbook (DESIGN.md, "Import workbook"), all or nothing.

A workbook is read safely (size, zip members and their uncompressed size capped before parsing;
XML through defusedxml; formulas refused, never evaluated), then every sheet is checked row by row
in two passes: the first collects what every sheet defines (the names of funds, drives and projects),
the second checks and creates in the order of what depends on what (a fund restricted to a
project after the 项目 sheet), so a row may name what any sheet of the workbook defines, whatever
the order of the sheets. A name that is missing, or whose defining row is refused, is reported
once, at its root, with the number of rows that name it. Nothing is written
while any row is wrong: the checking keeps its own view of names, receipt numbers and fund
balances, and the records are then created in batches in one transaction. Each app says what
its sheets hold in its own ``imports.py`` and registers them, with their order, in its
``AppConfig.ready()`` (``redcross.registry``).
"""

import datetime
import hashlib
import re
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import bounds
from .access import Access
from .choices import ImportStatus
from .history import recorded_inserts, recorded_update
from .kept import refresh_kept
from .models import ClosedPeriod, ImportBatch, every
from .money import CENT
from .recording import IMPORT, IMPORT_UNDO, history_step
from .registry import registry
from .registry import sheets as registry_sheets

NOTES_SHEET = "说明"
OPTIONS_SHEET = "选项"
BATCH = 2000


def sheet_classes():
    """The sheets the apps register (``redcross.registry``), in the order of the template."""
    return registry_sheets()


def check_order(classes=None):
    """The sheets in the order they are checked and created: each after the sheets defining what
    it names (``Sheet.refers``), otherwise in the template's order."""
    classes = list(sheet_classes() if classes is None else classes)
    defined_by = {cls.defines: cls for cls in classes if cls.defines}
    ordered, visiting = [], set()

    def visit(cls):
        if cls in ordered or cls in visiting:
            return  # done, or a cycle: the template's order decides
        visiting.add(cls)
        for kind in cls.refers:
            if kind in defined_by and defined_by[kind] is not cls:
                visit(defined_by[kind])
        visiting.discard(cls)
        ordered.append(cls)

    for cls in classes:
        visit(cls)
    return ordered


# --- problems ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: ``救助发放 第317行 身份证号: 校验位错误`` (row and column when known).
    A root cause (a fund refused, a category that does not exist) says how many other rows name
    it (``dependents``, of the ``kind`` named): those rows are not listed one by one."""

    sheet: str
    row: int | None
    column: str
    message: str
    kind: str = ""
    dependents: int = 0

    def __str__(self):
        where = self.sheet
        if self.row:
            where += " " + _("第%(row)s行") % {"row": self.row}
        if self.column:
            where += f" {self.column}"
        return f"{where}: {self.text}" if where else self.text

    @property
    def text(self):
        """The message, with the rows depending on it when there are any."""
        if not self.dependents:
            return str(self.message)
        return _("%(message)s（另有 %(count)s 行引用该%(kind)s）") % {
            "message": self.message,
            "count": self.dependents,
            "kind": _(self.kind) if self.kind else _("名称"),  # noqa: INT001 - the kinds' names are in the catalogue
        }


class RefusedFile(Exception):
    """The file is not read at all: too big, not a workbook, a zip bomb, forbidden XML."""


# --- reading the file safely -------------------------------------------------------------------

# The <dimension ref="A1:K200"/> a sheet declares, found in its first bytes (before sheetData).
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})?\$?(\d+)?")
HEAD_BYTES = 64 * 1024


class TooManyRows(Exception):
    """More rows than the caller reads at once (``row_budget``): the import goes to the worker.
    ``declared``: the rows the sheets declare (0 when they declare nothing)."""

    def __init__(self, declared=0):
        super().__init__(declared)
        self.declared = declared


def _refused_rows(sheet, limit, declared=""):
    if declared:
        return RefusedFile(
            _(
                "工作表“%(sheet)s”声明的范围为 %(ref)s，超过每个工作表 %(limit)s 行数据的上限，"
                "已拒绝；请分成几个文件导入"
            )
            % {"sheet": sheet, "ref": declared, "limit": limit}
        )
    return RefusedFile(
        _("工作表“%(sheet)s”超过每个工作表 %(limit)s 行数据的上限，已拒绝；请分成几个文件导入")
        % {"sheet": sheet, "limit": limit}
    )


def _declared_size(ref):
    """(rows, columns) a dimension reference such as ``A1:XFD1048576`` declares, or None."""
    from openpyxl.utils.cell import column_index_from_string

    rows = columns = 0
    for part in ref.split(":")[:2]:
        match = CELL_REF.fullmatch(part.strip())
        if match is None:
            return None
        letters, digits = match.groups()
        try:
            if letters:
                columns = max(columns, column_index_from_string(letters.upper()))
            if digits:
                rows = max(rows, int(digits))
        except ValueError:
            return None
    return rows, columns


def _sheet_names(archive):
    """Worksheet part → the sheet's name, from workbook.xml and its relations ({} when unreadable;
    openpyxl then says what is wrong)."""
    from defusedxml.ElementTree import fromstring

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {
            r.get("Id"): "xl/" + r.get("Target", "").removeprefix("/xl/").removeprefix("/")
            for r in rels
            if r.get("Target")
        }
        book = fromstring(archive.read("xl/workbook.xml"))
        return {targets.get(s.get(relation)): s.get("name") for s in book.iter(main + "sheet")}
    except Exception:  # noqa: BLE001 - any fault here is reported by openpyxl's own reading
        return {}


def _check_declared_sizes(archive, members):
    """Refuses a sheet whose declared dimension exceeds the rows or columns a sheet may have,
    reading only the first bytes of each worksheet part (the dimension comes before the data).
    Returns the rows the sheets declare (an estimate: a sheet may declare nothing, or lie)."""
    names = _sheet_names(archive)
    max_rows, max_columns = settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_COLUMNS
    declared = 0
    for member in members:
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        with archive.open(member) as part:
            head = part.read(HEAD_BYTES)
        head = head.split(b"<sheetData", 1)[0]
        match = DIMENSION.search(head)
        if match is None:
            continue
        ref = match.group(1).decode("ascii", "replace")
        size = _declared_size(ref)
        if size is None:
            continue
        rows, columns = size
        sheet = names.get(member.filename) or member.filename
        if rows > max_rows + 1:  # the header row and the rows of data
            raise _refused_rows(sheet, max_rows, ref)
        if columns > max_columns:
            raise RefusedFile(
                _("工作表“%(sheet)s”声明的范围为 %(ref)s，超过每个工作表 %(limit)s 列的上限，已拒绝")
                % {"sheet": sheet, "ref": ref, "limit": max_columns}
            )
        if sheet not in (NOTES_SHEET, OPTIONS_SHEET):
            declared += max(rows - 1, 0)
    return declared


def _check_container(handle, size):
    """Refuses, before anything is parsed, a file too big, not a workbook, a zip bomb or a sheet
    declaring more rows or columns than a sheet may have. Returns the rows the sheets declare."""
    if size > settings.IMPORT_MAX_BYTES:
        raise RefusedFile(
            _("文件过大（%(size)s MB），上限为 %(limit)s MB")
            % {"size": round(size / 2**20, 1), "limit": settings.IMPORT_MAX_BYTES // 2**20}
        )
    handle.seek(0)
    if not zipfile.is_zipfile(handle):
        raise RefusedFile(_("不是有效的 Excel 工作簿（.xlsx）：文件内容不是 xlsx 格式"))
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            if len(members) > settings.IMPORT_MAX_MEMBERS:
                raise RefusedFile(_("工作簿内部文件过多（%(count)s 个），已拒绝") % {"count": len(members)})
            unpacked = sum(m.file_size for m in members)
            if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
                raise RefusedFile(
                    _("工作簿解压后过大（%(size)s MB，上限 %(limit)s MB），可能是压缩炸弹，已拒绝")
                    % {"size": unpacked // 2**20, "limit": settings.IMPORT_MAX_UNPACKED_BYTES // 2**20}
                )
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise RefusedFile(_("不是有效的 Excel 工作簿（.xlsx）：缺少工作簿结构"))
            return _check_declared_sizes(archive, members)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
        raise RefusedFile(_("不是有效的 Excel 工作簿（.xlsx）：文件已损坏")) from None


def _refusal(error):
    """What to tell about a file openpyxl could not read (``error`` what it raised)."""
    from defusedxml import DefusedXmlException

    cause = error
    while cause is not None:  # openpyxl wraps what defusedxml raised in a ValueError
        if isinstance(cause, DefusedXmlException):
            return RefusedFile(_("工作簿含有不允许的 XML 实体或 DTD，已拒绝"))
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, ParseError):
        return RefusedFile(_("不是有效的 Excel 工作簿（.xlsx）：工作表的 XML 格式错误，无法读取"))
    return RefusedFile(_("不是有效的 Excel 工作簿（.xlsx）：%(error)s") % {"error": type(error).__name__})


def _read_only_sheets():
    """openpyxl's read-only sheet, whose size is read from the head of its part only.

    openpyxl looks for the <dimension> of every sheet when it opens a workbook, and when a sheet
    declares none it parses the whole sheet to find out that it does not (12 s for a 45 MB
    sheet, before a single row is checked). This one stops where the rows begin; the import
    never uses the declared size anyway (``reset_dimensions``)."""
    from openpyxl.worksheet import _read_only
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    class HeadSizedReadOnlyWorksheet(_read_only.ReadOnlyWorksheet):
        def _get_size(self):
            with self._get_source() as source:
                for _event, element in iterparse(source, events=("start",)):
                    if element.tag == DIMENSION_TAG:
                        size = SheetDimension.from_tree(element).boundaries
                        self._min_column, self._min_row, self._max_column, self._max_row = size
                        return
                    if element.tag == DATA_TAG:
                        return

    return HeadSizedReadOnlyWorksheet


def _load_read_only(handle):
    """``load_workbook(handle, read_only=True)`` with sheets sized from their head only."""
    from openpyxl.reader import excel

    reader = excel.ExcelReader(handle, read_only=True, data_only=False)
    if not getattr(excel.ReadOnlyWorksheet, "head_sized", False):
        excel.ReadOnlyWorksheet = _read_only_sheets()  # what ExcelReader.read_worksheets makes
        excel.ReadOnlyWorksheet.head_sized = True
    reader.read()
    return reader.wb


class WorkbookReader:
    """A workbook read streaming, one sheet and one row at a time, never as a whole.

    Opened only after the container passed its checks. ``rows(name)`` yields each row as a tuple
    of cells (``.value``, ``.data_type``: ``"f"`` for a formula), at most ``IMPORT_MAX_COLUMNS``
    wide, and refuses the file as soon as a sheet passes ``IMPORT_MAX_ROWS`` rows of data,
    whatever the sheet declared. ``row_budget``: rows read in all, beyond which ``TooManyRows``
    is raised (an import too large to run in a request goes to the task worker).
    """

    def __init__(self, handle, *, row_budget=None):
        from openpyxl.xml import DEFUSEDXML

        if not DEFUSEDXML:  # checked at start-up too (redcross.checks)
            raise RefusedFile(_("服务器缺少 defusedxml，拒绝读取工作簿"))
        handle.seek(0, 2)
        size = handle.tell()
        self.declared_rows = _check_container(handle, size)
        if row_budget is not None and self.declared_rows > row_budget:
            raise TooManyRows(self.declared_rows)  # before openpyxl reads anything
        handle.seek(0)
        self.row_budget = row_budget
        self.rows_read = 0
        try:
            self.book = _load_read_only(handle)
            self.names = list(self.book.sheetnames)
        except Exception as error:  # noqa: BLE001 - whatever the file made openpyxl raise
            raise _refusal(error) from None

    def rows(self, name):
        limit = settings.IMPORT_MAX_ROWS
        try:
            sheet = self.book[name]
            sheet.reset_dimensions()  # never pad to the declared size
            for number, row in enumerate(sheet.iter_rows(max_col=settings.IMPORT_MAX_COLUMNS), start=1):
                if number > limit + 1:
                    raise _refused_rows(name, limit)
                self.rows_read += 1
                if self.row_budget is not None and self.rows_read > self.row_budget:
                    raise TooManyRows(self.declared_rows)
                yield row
        except (RefusedFile, TooManyRows):
            raise
        except Exception as error:  # noqa: BLE001 - whatever the file made openpyxl raise
            raise _refusal(error) from None

    def close(self):
        self.book.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_workbook(handle):
    """The sheets of the workbook in ``handle`` (a binary file), as {name: rows of cells}; a cell
    is (value, is_formula). Refuses what is not safe to read with ``RefusedFile``. Holds the whole
    file in memory: for tests and small files; the import itself streams (``WorkbookReader``)."""
    with WorkbookReader(handle) as reader:
        return {
            name: [[(cell.value, cell.data_type == "f") for cell in row] for row in reader.rows(name)]
            for name in reader.names
        }


def checksum(handle):
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


# --- values -------------------------------------------------------------------------------------


class BadValue(Exception):
    pass


class Refers(BadValue):
    """A cell naming a ``kind`` of thing (基金, 项目, 救助类别 …) by a ``name`` that does not exist,
    or whose defining row in the workbook is refused. Told once, at its root: the first row naming
    a missing name, or the defining row; the other rows naming it are only counted."""

    def __init__(self, kind, name, message):
        super().__init__(message)
        self.kind, self.name, self.message = kind, name, message

    def __str__(self):
        return str(self.message)


def as_id_number_text(value):
    """An ID number cell as text. A cell holding a number is refused with its own reason: Excel
    keeps 15 digits of a number, so an 18-digit ID number typed into a General cell has lost its
    last digits (1.50525198203151E+17), and its checksum is not what is wrong."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise BadValue(_("身份证号被Excel存为数字，末几位已丢失，请将该列设为文本后重新填写"))
    return as_text(value)


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# Every reader checks its value against its bound in ``redcross.bounds`` (``bound``): the cell is
# refused with the message the form and the model give for the same figure.


def as_date(value, *, bound=bounds.validate_plan_date):
    """A date; by default within the widest bound (a plan's), ``validate_record_date`` for the
    date of something that happened."""
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(as_text(value))
        except ValueError:
            raise BadValue(_("日期无效，应为 YYYY-MM-DD 或 Excel 日期")) from None
    bound(day)
    return day


def as_record_date(value):
    """The date of something that happened: not in the future, nor before 1904."""
    return as_date(value, bound=bounds.validate_record_date)


def as_money(value):
    if isinstance(value, bool):
        raise BadValue(_("金额无效"))
    if isinstance(value, float):
        value = repr(value)
    text = as_text(value).replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BadValue(_("金额无效：应为数字（元）")) from None
    if not amount.is_finite():
        raise BadValue(_("金额无效：应为数字（元）"))
    if amount < 0:
        raise BadValue(_("金额不能为负数"))
    # The bound first: a figure of 30 digits or more cannot even be quantized to the fen.
    bounds.validate_amount(amount)
    if amount != amount.quantize(CENT):
        raise BadValue(_("金额最多保留两位小数（到分）"))
    return amount.quantize(CENT)


def as_count(value, *, minimum=0, bound=bounds.validate_count):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not re.fullmatch(r"\d+", as_text(value)):
        raise BadValue(_("应为整数"))
    text = as_text(value)
    # Python reads no int of more than 4300 digits (ValueError): far beyond any bound anyway.
    number = int(text) if len(text) <= 1000 else Decimal(text)
    if number < minimum:
        raise BadValue(_("不能小于%(minimum)s") % {"minimum": minimum})
    bound(number)
    return number


def as_decimal(value, *, bound=bounds.validate_quantity):
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(as_text(value).replace(",", ""))
    except InvalidOperation:
        raise BadValue(_("应为数字")) from None
    if not number.is_finite() or number < 0:
        raise BadValue(_("应为不小于0的数字"))
    bound(number)
    return number


def as_yes_no(value):
    text = as_text(value)
    if text in ("是", "否"):
        return text == "是"
    raise BadValue(_("应为“是”或“否”"))


def as_choice(value, choices):
    """One of ``choices`` (a TextChoices) given by its Chinese label, whatever language the
    person importing reads: the workbook's words are part of its format."""
    text = as_text(value)
    with translation.override("zh-hans"):
        labels = {str(choice.label): choice.value for choice in choices}
    if text in labels:
        return labels[text]
    raise BadValue(_("应为 %(options)s 之一") % {"options": "、".join(labels)})


# --- sheets -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """A column of an import sheet: its header (``*`` marks it required), what it holds, help."""

    name: str
    required: bool = False
    # text, code (ID, receipt, invoice and phone numbers: text cells), date, money, count, number, choice
    kind: str = "text"
    note: str = ""
    options: str = ""  # the 选项 list offered as a drop-down


class Sheet:
    """One sheet of the workbook: its columns, and how a row becomes records to create.

    Records are held only from one flush to the next (``BATCH`` of them at most): a dry run
    forgets them, an import creates them and keeps their ids, so memory does not grow with the
    number of rows."""

    name = ""
    columns: list = []
    model = None  # what a row creates; counted in the preview under the sheet's name
    # What a row defines (``defines``: a kind such as 基金, named in ``key_column``) and the kinds
    # of things defined by other sheets it names (``refers``): sheets are checked after the
    # sheets they refer to, whatever the order of the workbook or the template.
    defines = ""
    key_column = ""
    refers: tuple = ()
    # Whether the first pass reads the names this sheet defines before any row is checked
    # (``collect_definitions``). A sheet whose names only sheets checked after it name need not:
    # its refused rows become roots as they are checked, and a large sheet is not read twice.
    collect_names = True
    example: dict = {}  # column → value: the example row of the template's 说明 sheet
    list_url = ""  # the URL name of the list of the records a row creates (filtered by batch)

    def __init__(self, context):
        self.context = context
        self.created = []  # checked since the last flush
        self.count = 0  # records checked in all
        self.ids = defaultdict(list)  # model label → ids created so far

    def check_row(self, row, values):
        """Checks a row (``values``: column name → cell value) and returns the record it makes.
        Raises ``RowProblems`` naming the columns that are wrong."""
        raise NotImplementedError

    def create(self):
        """Creates the records checked since the last flush (in batches)."""
        self.model.objects.bulk_create(self.created, batch_size=BATCH)

    def created_ids(self):
        """Model label → ids of what ``create`` made, in the order they may be deleted last to first."""
        return {self.model._meta.label: [record.pk for record in self.created]}

    def flush(self, *, create):
        """Creates (when ``create``) what was checked since the last flush and keeps the ids, then
        forgets the records. Returns how many records were created."""
        made = 0
        if create:
            self.create()
            for label, ids in self.created_ids().items():
                self.ids[label].extend(ids)
                recorded_inserts(apps.get_model(label), ids)
                refresh_kept(apps.get_model(label), ids)
            made = len(self.created)
        self.forget()
        return made

    def forget(self):
        """Lets go of the records checked since the last flush (a sheet holding more clears them too)."""
        self.created = []

    def after_create(self):
        """Whatever the created records still need once every sheet is in (derived tables)."""

    def preview_note(self, record):
        """What the row's record will do beyond its cells, said in the preview (empty: nothing)."""
        return ""


class RowProblems(Exception):
    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems  # column name → message


@dataclass
class ImportContext:
    """What checking the sheets in order knows: the chapter and the user, and whatever the apps
    keep on it (``redcross.registry``, "import_context"): the names defined so far, the receipt
    numbers used, each fund's balance as the rows read so far leave it. A sheet reads and
    writes them as attributes (``context.funds``); ``extra`` holds anything else a sheet keeps
    for the ones after it."""

    chapter: object
    user: object
    warnings: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    # kind → {name: first row defining it}, read by the first pass over every defining sheet.
    defined: dict = field(default_factory=lambda: defaultdict(dict))
    # (kind, name) → the index in ``ImportResult.problems`` of the root cause of a name missing
    # or refused: the rows naming it later are only counted.
    roots: dict = field(default_factory=dict)

    def closed(self, day):
        """The chapter's closed period holding ``day``, if any (read once per import)."""
        if "closed" not in self.extra:
            self.extra["closed"] = list(
                ClosedPeriod.objects.filter(chapter=self.chapter, reopened_at__isnull=True).select_related(
                    "created_by"
                )
            )
        return next((p for p in self.extra["closed"] if day and p.start <= day <= p.end), None)


@dataclass
class ImportResult:
    """What an import found and did: records per sheet, problems, likely duplicates, the batch."""

    counts: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    # sheet → its columns, and the rows shown in the preview: the first rows to be created and
    # the rows with problems ({"row", "cells", "bad": columns wrong}).
    columns: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)
    batch: object = None
    already: object = None  # the earlier batch of the same file, when it was imported before
    imported: bool = False

    @property
    def ok(self):
        return not self.problems

    def as_report(self):
        """What the batch keeps of this check, for its page and the marked workbook."""
        return {
            "counts": self.counts,
            "problems": [
                {
                    "sheet": p.sheet,
                    "row": p.row,
                    "column": p.column,
                    "message": p.text,
                    "dependents": p.dependents,
                    "text": str(p),
                }
                for p in self.problems
            ],
            "columns": self.columns,
            "rows": self.rows,
            "warnings": [str(w) for w in self.warnings],
            "notices": [str(n) for n in self.notices],
        }


def _header(sheet_name, cells, spec, result):
    """Column name → index, from row 1 (``*`` and spaces stripped); problems for required ones missing."""
    if cells is None:
        return None
    names = {}
    for index, cell in enumerate(cells):
        name = as_text(cell.value).replace("*", "").replace("＊", "").strip()
        if name:
            names[name] = index
    known = {c.name for c in spec.columns}
    unknown = [n for n in names if n not in known]
    if unknown:
        result.notices.append(
            _("%(sheet)s：未识别的列已忽略：%(columns)s")
            % {"sheet": sheet_name, "columns": "、".join(unknown)}
        )
    missing = [c.name for c in spec.columns if c.required and c.name not in names]
    for name in missing:
        result.problems.append(Problem(sheet_name, 1, name, _("缺少必填列")))
    return None if missing else names


@dataclass
class Progress:
    """How far an import got: rows read from the file, rows checked, records created."""

    read: int = 0
    checked: int = 0
    created: int = 0


# How often (rows read) the import says how far it got.
PROGRESS_EVERY = 1000
# The check stops after this many problems: a file wrong throughout is not checked to its end,
# nor its every error kept and listed.
MAX_PROBLEMS = 1000


# The preview shows the first rows each sheet creates, and the rows with problems up to this many.
PREVIEW_ROWS = 10
PREVIEW_PROBLEM_ROWS = 200


def _shown_cell(value):
    """A cell as the preview shows it: dates as YYYY-MM-DD, whole numbers without “.0”."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return as_text(value)[:100]


def collect_definitions(reader, context):
    """The first pass: the names every defining sheet of the workbook defines, with their first
    row, read before any row is checked (``context.defined``)."""
    for cls in sheet_classes():
        if not cls.defines or not cls.collect_names or cls.name not in reader.names:
            continue
        rows = reader.rows(cls.name)
        head = next(rows, None)
        if head is None:
            continue
        names = [as_text(cell.value).replace("*", "").replace("＊", "").strip() for cell in head]
        if cls.key_column not in names:
            continue
        index = names.index(cls.key_column)
        defined = context.defined[cls.defines]
        for number, cells in enumerate(rows, start=2):
            if index < len(cells):
                name = as_text(cells[index].value)
                if name and cells[index].data_type != "f":
                    defined.setdefault(name, number)


class _RowChecker:
    """The second pass over one sheet's rows: each row's problems go to ``result``, told once at
    their root (``Refers``), and the rows the preview shows are kept."""

    def __init__(self, spec, context, result):
        self.spec, self.context, self.result = spec, context, result
        self.dependents = context.extra.setdefault("dependents", defaultdict(int))
        self.shown = result.rows.setdefault(spec.name, [])
        self.ok_shown = self.bad_shown = 0

    def show(self, number, values, bad=(), note=""):
        if bad:
            if self.bad_shown >= PREVIEW_PROBLEM_ROWS:
                return
            self.bad_shown += 1
        else:
            if self.ok_shown >= PREVIEW_ROWS:
                return
            self.ok_shown += 1
        cells = [_shown_cell(values.get(col.name)) for col in self.spec.columns]
        shown = {"row": number, "cells": cells, "bad": sorted(set(bad))}
        if note:
            shown["note"] = note
        self.shown.append(shown)

    def refuse(self, number, values, problems):
        """Adds the row's ``problems`` (column → message or ``Refers``) to the result; rows naming
        a root cause already told are counted under it. A refused row of a defining sheet makes
        the name it defines a root cause for the rows naming it."""
        result, roots = self.result, self.context.roots
        own, depends_on = None, []
        for column, message in problems:
            if isinstance(message, Refers):
                key = (message.kind, message.name)
                if key in roots:
                    if roots[key] not in depends_on:
                        depends_on.append(roots[key])
                    continue
                roots[key] = len(result.problems)
                kind = message.kind
            else:
                kind = self.spec.defines
            if own is None:
                own = len(result.problems)
            result.problems.append(Problem(self.spec.name, number, column, str(message), kind=kind))
        for root in depends_on:
            self.dependents[root] += 1
        if self.spec.defines:
            name = as_text(values.get(self.spec.key_column))
            cause = own if own is not None else (depends_on[0] if depends_on else None)
            if name and cause is not None:
                roots.setdefault((self.spec.defines, name), cause)
        if own is not None:
            self.show(number, values, bad=[column for column, _message in problems])


def check_sheets(reader, context, result, *, create=False, progress=None):
    """Checks every sheet, streaming its rows from ``reader`` (a WorkbookReader), in two passes:
    what every sheet defines first (``collect_definitions``), then each sheet after those it
    names (``check_order``). Returns the Sheet objects in the template's order. With ``create``,
    the records are created every ``BATCH`` rows while no problem has been found (the caller's
    transaction undoes them if one is found later). ``progress``: called with a Progress now
    and then."""
    done = {}
    known = {cls.name for cls in sheet_classes()} | {NOTES_SHEET, OPTIONS_SHEET}
    for name in reader.names:
        if name not in known:
            result.notices.append(_("工作表“%(sheet)s”不是导入用的工作表，已忽略") % {"sheet": name})
    figures = Progress()

    def tell(force=False):
        figures.read = reader.rows_read
        if progress is not None and (force or figures.read % PROGRESS_EVERY == 0):
            progress(figures)

    def flush(spec):
        figures.created += spec.flush(create=create and not result.problems)
        tell(force=True)

    collect_definitions(reader, context)
    for cls in check_order():
        spec = cls(context)
        done[cls] = spec
        if len(result.problems) >= MAX_PROBLEMS:
            break
        if cls.name not in reader.names:
            continue
        rows = reader.rows(cls.name)
        before = len(result.problems)
        columns = _header(cls.name, next(rows, None), spec, result)
        if columns is None:
            if cls.defines and len(result.problems) > before:
                # A required column missing: what the sheet defines (read by the first pass) is
                # refused with it, and the rows naming it are counted under that one problem.
                for name in context.defined.get(cls.defines, {}):
                    context.roots.setdefault((cls.defines, name), before)
                result.problems[before] = replace(result.problems[before], kind=cls.defines)
            continue
        result.columns[cls.name] = [c.name for c in spec.columns]
        checker = _RowChecker(spec, context, result)
        where = [(col.name, columns.get(col.name)) for col in spec.columns]
        required = [c.name for c in spec.columns if c.required]
        for number, cells in enumerate(rows, start=2):
            tell()
            if len(result.problems) >= MAX_PROBLEMS:
                break
            values, formulas, width = {}, [], len(cells)
            for name, index in where:
                if index is None or index >= width:
                    values[name] = None
                    continue
                cell = cells[index]
                value = cell.value
                if cell.data_type == "f":
                    formulas.append((name, _("公式单元格不予导入，请粘贴为数值")))
                values[name] = value.strip() if isinstance(value, str) else value
            if all(v in (None, "") for v in values.values()):
                continue  # a blank row
            figures.checked += 1
            if formulas:
                checker.refuse(number, values, formulas)
                continue
            missing = [name for name in required if values[name] in (None, "")]
            if missing:
                checker.refuse(number, values, [(column, _("必填")) for column in missing])
                continue
            try:
                record = spec.check_row(number, values)
            except RowProblems as problems:
                checker.refuse(number, values, list(problems.problems.items()))
                continue
            if record is not None and getattr(record, "closing_date_field", None):
                field = record._meta.get_field(record.closing_date_field)
                period = context.closed(getattr(record, field.attname))
                if period is not None:
                    checker.refuse(number, values, [(str(field.verbose_name), period.refusal(""))])
                    continue
            if record is not None:
                checker.show(number, values, note=spec.preview_note(record))
                spec.created.append(record)
                spec.count += 1
                if len(spec.created) >= BATCH:
                    flush(spec)
        flush(spec)
    for cls in sheet_classes():  # counted in the template's order
        if cls in done and cls.name in result.columns:
            result.counts[cls.name] = done[cls].count
    for index, count in context.extra.get("dependents", {}).items():
        result.problems[index] = replace(result.problems[index], dependents=count)
    if len(result.problems) >= MAX_PROBLEMS:
        result.notices.append(
            _("错误超过 %(count)s 处，检查已停止，只列出前 %(count)s 处；请改正后重新上传")
            % {"count": MAX_PROBLEMS}
        )
    tell(force=True)
    result.warnings.extend(context.warnings[:MAX_PROBLEMS])
    if len(context.warnings) > MAX_PROBLEMS:
        result.notices.append(
            _("疑似重复共 %(count)s 处，只列出前 %(shown)s 处")
            % {"count": len(context.warnings), "shown": MAX_PROBLEMS}
        )
    return list(done.values())


def clean_fields(record, *, exclude, column=None, row=None):
    """The model's own field checks (lengths, digits, validators) on ``record``, reported under
    the sheet's column of the same name (or ``column``). Relations are checked by the sheet."""
    try:
        record.clean_fields(exclude=exclude)
    except ValidationError as error:
        labels = {f.name: str(f.verbose_name) for f in record._meta.fields}
        raise RowProblems(
            {
                column or labels.get(name, name): "；".join(messages)
                for name, messages in error.message_dict.items()
            }
        ) from None


def run_checks(values, checks):
    """Runs ``checks`` (column name → function of the value) and gathers every problem of the row."""
    cleaned, problems = {}, {}
    for column, check in checks.items():
        value = values.get(column)
        try:
            cleaned[column] = check(value) if value not in (None, "") else None
        except Refers as error:
            problems[column] = error  # told once, at its root
        except BadValue as error:
            problems[column] = str(error)
        except ValidationError as error:
            problems[column] = "；".join(error.messages)
    if problems:
        raise RowProblems(problems)
    return cleaned


# --- the import itself --------------------------------------------------------------------------


def import_records(
    handle, *, chapter, user, filename="", dry_run=False, batch=None, progress=None, row_budget=None
):
    """Checks the workbook in ``handle`` and, when nothing is wrong and not ``dry_run``, creates
    every record it holds in one transaction. Returns an ImportResult; ``RefusedFile`` for a file
    that is not read at all (over a limit, malformed), ``TooManyRows`` past ``row_budget`` rows.

    The file is streamed and the records created every ``BATCH`` rows, so memory stays flat.
    Nothing is locked while the rows are checked: once every record is made, the apps' re-checks
    run (``redcross.registry``, "import_rechecks": the funds the file spends from are locked and
    their balances read again, so a payment recorded meanwhile cannot let the import take a fund
    below zero); the lock lasts until the transaction commits.
    """
    result = ImportResult()
    digest = checksum(handle)
    earlier = ImportBatch.objects.filter(chapter=chapter, checksum=digest, status=ImportStatus.DONE).first()
    if earlier is not None:
        result.already = earlier
        return result
    with WorkbookReader(handle, row_budget=row_budget) as reader:
        if dry_run:
            check_sheets(reader, _context(chapter, user), result, progress=progress)
            return result
        with transaction.atomic():
            # The batch is saved first, so that history says of every record which batch made it
            # ("import 12"); a refused import takes it back with the rest.
            batch = batch or ImportBatch(chapter=chapter, user=user, filename=filename[:200], checksum=digest)
            if batch.pk is None:
                batch.save()
            with history_step(f"{IMPORT} {batch.pk}", user):
                context = _context(chapter, user)
                specs = check_sheets(reader, context, result, create=True, progress=progress)
                if not result.problems:
                    for spec in specs:
                        spec.after_create()
                    _recheck(context, result)
            if result.problems:
                transaction.set_rollback(True)
                return result
            created = []  # [model label, ids] in the order they were made (a list: JSONB keeps no key order)
            for spec in specs:
                created += [[model, ids] for model, ids in spec.ids.items() if ids]
            batch.counts = result.counts
            batch.report = result.as_report()
            batch.created = created
            batch.status = ImportStatus.DONE
            batch.imported_at = timezone.now()
            batch.save()
            result.batch = batch
            result.imported = True
    return result


def _context(chapter, user):
    """A new context holding what the database already holds for the chapter, as each app's
    hook puts it there (nothing locked: see ``_recheck``)."""
    context = ImportContext(chapter=chapter, user=user)
    for load in registry["import_context"]:
        load(context)
    return context


def _recheck(context, result):
    """Once every record is made: each app's re-check (``import_rechecks``), e.g. that no fund
    the file spends from was spent meanwhile; a problem refuses the whole import."""
    for recheck in registry["import_rechecks"]:
        recheck(context, result)


def import_undo(batch, *, user):
    """Undoes ``batch`` as a whole, while nothing recorded since depends on it or changed it;
    otherwise refuses with what stands in the way.

    Accounting records are never deleted: the batch's donations, receipts, payments,
    expenditures and payouts are voided (reason: 撤销导入第N批), so they stay visible, marked,
    and count in nothing. The rest it made (donors, people, trainees, sessions …) is deleted,
    except what its voided records name.
    """
    from django.apps import apps
    from django.db.models import ProtectedError

    if batch.status != ImportStatus.DONE:
        raise ValidationError(_("该批次未处于已导入状态，不能撤销"))
    if not Access(user).can_write(batch.chapter):
        raise ValidationError(_("只有本会的工作人员或系统管理员可以撤销导入"))
    with history_step(f"{IMPORT_UNDO} {batch.pk}", user), transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        order = [(apps.get_model(label), ids) for label, ids in reversed(batch.created)]  # last made first
        for model, ids in order:
            if not any(f.name == "updated_at" for f in model._meta.fields):
                continue
            changed = every(model).filter(pk__in=ids, updated_at__gt=batch.imported_at)
            if changed.exists():
                raise ValidationError(
                    _("导入的%(kind)s已有更正（如 #%(pk)s），不能整批撤销")
                    % {"kind": model._meta.verbose_name, "pk": changed.first().pk}
                )
        reason = _("撤销导入第%(pk)s批") % {"pk": batch.pk}
        named = defaultdict(set)  # model → ids of the kept records the voided ones name
        voided = {}  # model → ids voided
        for model, ids in order:
            if getattr(model, "never_deleted", False):
                _void_imported(model, ids, user=user, reason=reason, batch=batch)
                voided[model] = ids
                for field in model._meta.concrete_fields:
                    if field.is_relation and field.name not in ("chapter", "created_by", "updated_by"):
                        values = every(model).filter(pk__in=ids).values_list(field.attname, flat=True)
                        named[field.related_model].update(v for v in values if v is not None)
        try:
            for model, ids in order:
                if getattr(model, "never_deleted", False):
                    continue
                gone = [pk for pk in ids if pk not in named[model]]
                for start in range(0, len(gone), BATCH):
                    model.objects.filter(pk__in=gone[start : start + BATCH]).delete()
        except ProtectedError as error:
            blocker = next(iter(error.protected_objects))
            raise ValidationError(
                _("导入之后登记的%(kind)s“%(record)s”依赖本批次的记录，不能整批撤销")
                % {"kind": blocker._meta.verbose_name, "record": blocker}
            ) from None
        # Who undoes it, before the apps' hooks: what they void in turn (an issue's relief payment,
        # a gift's lot) is voided by the person undoing, not the one who imported.
        batch.undone_at = timezone.now()
        batch.undone_by = user
        # What the voided records take with them first (an issue's relief payment, a gift's lot),
        # then the checks, on the books as the whole undo leaves them: a fund whose gift is voided
        # with the relief payment that spent its goods is not overspent.
        for undone in registry["import_undone"]:
            undone(batch, voided)  # voids what they take with them, brings derived tables up to date
        for check in registry["import_undo_checks"]:
            check(batch, voided)  # refuses, e.g. a fund has spent the voided gifts
        batch.status = ImportStatus.UNDONE
        batch.save(update_fields=["status", "undone_at", "undone_by"])
    return batch


def _void_imported(model, ids, *, user, reason, batch):
    """Voids the records ``ids`` of ``model`` at once (one UPDATE per chunk), kept in history."""
    field = model.closing_date_field
    closed = list(ClosedPeriod.objects.filter(chapter=batch.chapter_id, reopened_at__isnull=True))
    for start in range(0, len(ids), BATCH):
        rows = every(model).filter(pk__in=ids[start : start + BATCH], voided_at__isnull=True)
        if closed:
            days = set(rows.order_by().values_list(field, flat=True).distinct())
            for period in closed:
                if any(period.start <= day <= period.end for day in days):
                    raise ValidationError(period.refusal(model._meta.get_field(field).verbose_name))
        recorded_update(
            rows,
            voided_at=timezone.now(),
            voided_by=user,
            void_reason=reason,
            updated_by=user,
            updated_at=timezone.now(),
            version=F("version") + 1,
        )
        refresh_kept(model, ids[start : start + BATCH])


def marked_workbook(handle, problems, target):
    """The workbook in ``handle`` with every cell a problem names filled red and a note on it
    saying what is wrong; a problem of a whole row marks its first cell. Formulas the user
    uploaded come back as the text they were (data type ``s``): the app never hands out a
    formula someone else typed (DESIGN.md, known traps)."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    fill = PatternFill("solid", fgColor="FFC7CE")
    handle.seek(0)
    book = load_workbook(handle)
    for sheet in book.worksheets:  # what the user wrote comes back as text, never as a formula
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.value = str(getattr(cell.value, "text", cell.value) or "")
                    cell.data_type = "s"
    notes = defaultdict(list)
    for problem in problems:
        if problem["sheet"] not in book.sheetnames or not problem["row"]:
            continue
        sheet = book[problem["sheet"]]
        column = 1
        for cell in sheet[1]:
            if as_text(cell.value).replace("*", "").strip() == problem["column"]:
                column = cell.column
                break
        notes[(problem["sheet"], problem["row"], column)].append(problem["message"])
    for (sheet_name, row, column), messages in notes.items():
        cell = book[sheet_name].cell(row=row, column=column)
        cell.fill = fill
        cell.comment = Comment("\n".join(messages), _("导入检查"), width=300, height=120)
    book.save(target)
    return len(notes)
