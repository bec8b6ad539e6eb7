"""The blank import workbook: the sheets and headers of DESIGN.md ("Import workbook"), a 说明 sheet
explaining each column with one example row per sheet, drop-downs for every closed list (the
lists on a hidden 选项 sheet, each under a defined name), date and number formats, and text cells
for ID, receipt, invoice and phone numbers (Excel keeps only 15 digits of a number).

The headers come from the sheets' own column lists (the sheets the apps register in
``redcross.registry``), so the template and the import never disagree.
"""

import datetime

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from . import bounds
from .excel import display_width
from .importing import NOTES_SHEET, OPTIONS_SHEET, sheet_classes
from .registry import registry

ROWS = 5000  # rows the drop-downs and formats cover
REQUIRED_FILL = PatternFill("solid", fgColor="FDE2E1")
HEADER_FILL = PatternFill("solid", fgColor="EEEEEE")
FORMATS = {"date": "yyyy-mm-dd", "money": "#,##0.00", "count": "0", "number": "0.##", "code": "@"}
CODE_WIDTH = 24  # an 18-character ID number and then some
LIST_PREFIX = "选项_"  # the defined name of a drop-down's list: 选项_基金


def list_name(options):
    """The workbook's defined name of the drop-down list ``options`` (a 选项 column)."""
    return LIST_PREFIX + options


def option_lists(chapter=None):
    """The closed lists a column's drop-down offers, as the apps register them
    (``redcross.registry``); the chapter's own funds, drives and projects only with a chapter."""
    return {
        name: (list(values(chapter)) if chapter is not None or not of_chapter else [])
        for _order, name, values, of_chapter in registry["import_options"]
    }


def yes_no(chapter):
    """The 是否 list (registered by the kernel's own AppConfig)."""
    return [_("是"), _("否")]


def build_template(target, *, chapter=None):
    """Writes the blank import workbook to ``target`` (a path or binary file). It is in Chinese
    whatever language the person downloading it reads: its words are the format the import reads."""
    with translation.override("zh-hans"):
        _build_template(target, chapter=chapter)


def _build_template(target, *, chapter):
    book = Workbook()
    notes = book.active
    notes.title = NOTES_SHEET
    lists = option_lists(chapter)

    # The 选项 sheet, hidden, holds every list a drop-down refers to, one column each, under a
    # defined name (选项_基金): a drop-down names its list, not the cells it happens to be in.
    options = book.create_sheet(OPTIONS_SHEET)
    options.sheet_state = "hidden"
    ranges = {}
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            options.cell(row=row, column=index, value=value).data_type = "s"
        last = max(len(values) + 1, 2)
        book.defined_names[list_name(name)] = DefinedName(
            list_name(name), attr_text=f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${last}"
        )
        ranges[name] = list_name(name)
        options.column_dimensions[letter].width = (
            max([display_width(name)] + [display_width(v) for v in values]) + 2
        )

    notes.append([_("红十字会业务记录导入模板")])
    notes["A1"].font = Font(bold=True, size=14)
    notes.append(
        [_("每类记录一个工作表，第1行为表头，从第2行起填写数据；不需要的工作表可以删除。带 * 的列必填。")]
    )
    notes.append([_("日期填 Excel 日期或 YYYY-MM-DD；金额单位为元，最多两位小数；不要使用公式。")])
    notes.append(
        [
            _(
                "任何工作表都可以引用本文件其他工作表（或系统中已有）的基金、募捐活动和项目，与工作表的先后无关。"
            )
        ]
    )
    notes.append(
        [_("身份证号、票据号、发票号和电话号码的列为文本格式：请勿改为数字，否则 Excel 会丢失末几位。")]
    )
    notes.append(
        [_("整个文件全部正确才会导入；有任何错误时不保存任何记录，并列出每个错误的工作表、行号和列名。")]
    )
    if chapter is not None:
        notes.append(
            [_("下拉选项中的基金、募捐活动和项目为%(chapter)s现有的名称。") % {"chapter": chapter.name}]
        )
    notes.append([])
    notes.append([_("工作表"), _("列名"), _("必填"), _("说明")])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL

    for cls in sheet_classes():
        sheet = book.create_sheet(cls.name)
        for index, column in enumerate(cls.columns, start=1):
            letter = get_column_letter(index)
            header = sheet.cell(row=1, column=index, value=column.name + ("*" if column.required else ""))
            header.font = Font(bold=True)
            header.fill = REQUIRED_FILL if column.required else HEADER_FILL
            header.alignment = Alignment(horizontal="center")
            if column.note:
                header.comment = Comment(column.note, "红十字会业务管理")
            dimension = sheet.column_dimensions[letter]
            dimension.width = max(
                display_width(header.value) + 4, CODE_WIDTH if column.kind == "code" else 12
            )
            if column.kind in FORMATS:
                dimension.number_format = FORMATS[column.kind]  # what a cell typed in the column takes
            cells = f"{letter}2:{letter}{ROWS + 1}"
            validation = _validation(column, ranges)
            if validation is not None:
                sheet.add_data_validation(validation)
                validation.add(cells)
            notes.append([cls.name, column.name, _("是") if column.required else "", column.note])
        sheet.freeze_panes = "A2"
    _examples(notes)
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 16
    notes.column_dimensions["C"].width = 14
    notes.column_dimensions["D"].width = 60
    for index in range(5, 5 + max(len(cls.columns) for cls in sheet_classes())):
        notes.column_dimensions[get_column_letter(index)].width = 16
    book.save(target)


def _examples(notes):
    """One example row per sheet, below the columns' notes: the sheet's name, its headers, and a
    row filled as the import reads it (``Sheet.example``)."""
    notes.append([])
    notes.append([_("示例：每个工作表一行，可照此填写")])
    notes.cell(row=notes.max_row, column=1).font = Font(bold=True)
    for cls in sheet_classes():
        notes.append([])
        notes.append([cls.name])
        notes.cell(row=notes.max_row, column=1).font = Font(bold=True)
        notes.append([column.name + ("*" if column.required else "") for column in cls.columns])
        for cell in notes[notes.max_row]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        notes.append([cls.example.get(column.name) for column in cls.columns])
        for cell in notes[notes.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # an example is never a formula


def _of_chapter():
    return {name for _order, name, _values, of_chapter in registry["import_options"] if of_chapter}


def excel_serial(day):
    """The day as Excel counts it (1900 date system): what a date validation compares."""
    return (day - datetime.date(1899, 12, 30)).days


def _validation(column, ranges):
    if column.options:
        validation = DataValidation(type="list", formula1=ranges[column.options], allow_blank=True)
        validation.error = _("请从下拉列表中选择")
        validation.errorTitle = column.name
        # A name the file itself adds (a new fund, drive or project) is not in the chapter's list.
        validation.showErrorMessage = column.options not in _of_chapter()
        return validation
    # Excel refuses at once what the import would refuse for its bound (``redcross.bounds``); a
    # date up to the furthest a plan may lie, as the template may be filled in later.
    if column.kind == "date":
        earliest, latest = bounds.EARLIEST_DATE, bounds.latest_plan_date()
        validation = DataValidation(
            type="date",
            operator="between",
            formula1=str(excel_serial(earliest)),
            formula2=str(excel_serial(latest)),
            allow_blank=True,
        )
        validation.error = _("请填写 %(earliest)s 至 %(latest)s 之间的日期（YYYY-MM-DD）") % {
            "earliest": earliest,
            "latest": latest,
        }
    elif column.kind == "money":
        validation = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2=str(bounds.MAX_AMOUNT),
            allow_blank=True,
        )
        validation.error = _("请填写 0 至 %(limit)s 之间的金额（元）") % {"limit": bounds.MAX_AMOUNT}
    elif column.kind == "count":
        validation = DataValidation(
            type="whole", operator="between", formula1="0", formula2=str(bounds.MAX_COUNT), allow_blank=True
        )
        validation.error = _("请填写 0 至 %(limit)s 之间的整数") % {"limit": bounds.MAX_COUNT}
    else:
        return None
    validation.errorTitle = column.name
    validation.showErrorMessage = True
    return validation
