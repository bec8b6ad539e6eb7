"""Onboarding a province: chapters read from a CSV of administrative division codes (行政区划代码).

The file has three columns — code, name, parent code — in UTF-8 (with or without the BOM Excel
writes). A header row is optional: a first row whose first cell is ``code``, ``代码``, ``区划代码``
or ``行政区划代码`` is skipped. Rows may come in any order (a parent after its children). A
chapter's level follows from its code: ``100000`` is the national society (总会), ``XX0000`` a
province, ``XXXX00`` a city, anything else a county.

Everything is checked before anything is saved (``divisions_read``, ``divisions_check``), and
every problem names its line; ``redcross.services.chapters_load`` then writes the lot in one
transaction.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import ChapterLevel

NATIONAL_CODE = "100000"
HEADER_NAMES = {"code", "代码", "区划代码", "行政区划代码"}
RANK = {ChapterLevel.NATIONAL: 0, ChapterLevel.PROVINCE: 1, ChapterLevel.CITY: 2, ChapterLevel.COUNTY: 3}
NAME_MAX = 100


@dataclass
class Division:
    line: int
    code: str
    name: str
    parent_code: str  # "" for a chapter at the top of its tree


class DivisionErrors(Exception):
    """Every problem of the file, each naming its line; nothing was saved."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


def level_of(code):
    """The level of the chapter of division ``code`` (a valid 6-digit code)."""
    if code == NATIONAL_CODE:
        return ChapterLevel.NATIONAL
    if code.endswith("0000"):
        return ChapterLevel.PROVINCE
    if code.endswith("00"):
        return ChapterLevel.CITY
    return ChapterLevel.COUNTY


def _code_problem(code):
    if not re.fullmatch(r"\d{6}", code) or code.startswith("00"):
        return _("“%(code)s”不是6位行政区划代码") % {"code": code}
    return None


def divisions_read(data):
    """The rows of the CSV ``data`` (bytes) as Divisions; raises DivisionErrors naming each bad
    line (encoding, number of columns, code, name, parent code, a code given twice)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DivisionErrors(
            [_("第%(line)s行：文件不是UTF-8编码，请另存为UTF-8的CSV") % {"line": line}]
        ) from None
    problems, rows, seen = [], [], {}
    reader = csv.reader(io.StringIO(text, newline=""))
    first = True
    try:
        for cells in reader:
            line = reader.line_num
            cells = [c.strip() for c in cells]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            if first and cells[0].lower() in HEADER_NAMES:
                first = False
                continue
            first = False
            if len(cells) not in (2, 3):
                problems.append(
                    _("第%(line)s行：应有3列（代码、名称、上级代码），实有%(count)s列")
                    % {"line": line, "count": len(cells)}
                )
                continue
            code, name, parent_code = (cells + [""])[:3]
            row_problems = []
            if problem := _code_problem(code):
                row_problems.append(_("第%(line)s行 代码：%(problem)s") % {"line": line, "problem": problem})
            if not name:
                row_problems.append(_("第%(line)s行 名称：不能为空") % {"line": line})
            elif len(name) > NAME_MAX:
                row_problems.append(
                    _("第%(line)s行 名称：不能超过%(max)s个字符") % {"line": line, "max": NAME_MAX}
                )
            if parent_code and (problem := _code_problem(parent_code)):
                row_problems.append(
                    _("第%(line)s行 上级代码：%(problem)s") % {"line": line, "problem": problem}
                )
            elif parent_code and parent_code == code:
                row_problems.append(_("第%(line)s行 上级代码：不能是本级代码") % {"line": line})
            if code in seen:
                row_problems.append(
                    _("第%(line)s行 代码：%(code)s与第%(other)s行重复")
                    % {"line": line, "code": code, "other": seen[code]}
                )
            problems += row_problems
            if not row_problems:
                seen[code] = line
                rows.append(Division(line=line, code=code, name=name, parent_code=parent_code))
    except csv.Error as error:
        problems.append(
            _("第%(line)s行：CSV格式错误（%(error)s）") % {"line": reader.line_num, "error": error}
        )
    if not rows and not problems:
        problems.append(_("文件中没有红十字会"))
    if problems:
        raise DivisionErrors(problems)
    return rows


def divisions_check(rows, existing):
    """Checks ``rows`` against each other and the chapters already held (``existing``: code →
    parent code, "" at the top): every parent known, no cycle, every parent a level above its
    child. Raises DivisionErrors naming the lines; returns the rows parents first."""
    by_code = {row.code: row for row in rows}
    parents = {**existing, **{row.code: row.parent_code for row in rows}}
    problems = []
    for row in rows:
        if row.parent_code and row.parent_code not in parents:
            problems.append(
                _("第%(line)s行 上级代码：%(parent)s既不在文件中，也不是已有的红十字会")
                % {"line": row.line, "parent": row.parent_code}
            )
    if problems:
        raise DivisionErrors(problems)

    # Cycles: walk up from each row; a code met twice closes a cycle, reported once.
    reported = set()
    for row in rows:
        chain, code = [], row.code
        while code and code not in chain:
            chain.append(code)
            code = parents.get(code, "")
        if code and code not in reported:
            cycle = chain[chain.index(code) :]
            reported |= set(cycle)
            lines = "、".join(str(by_code[c].line) for c in cycle if c in by_code)
            problems.append(
                _("第%(lines)s行 上级代码：上下级关系成环（%(cycle)s）")
                % {"lines": lines, "cycle": " → ".join([*cycle, code])}
            )
    if problems:
        raise DivisionErrors(problems)

    for row in rows:
        if not row.parent_code:
            continue
        level, parent_level = level_of(row.code), level_of(row.parent_code)
        if RANK[parent_level] >= RANK[level]:
            problems.append(
                _("第%(line)s行 上级代码：%(parent)s（%(parent_level)s）的级别不高于%(code)s（%(level)s）")
                % {
                    "line": row.line, "parent": row.parent_code, "parent_level": parent_level.label,
                    "code": row.code, "level": level.label,
                }
            )  # fmt: skip
    if problems:
        raise DivisionErrors(problems)

    def depth(code):
        n = 0
        while code := parents.get(code, ""):
            n += 1
        return n

    return sorted(rows, key=lambda row: (depth(row.code), row.code))
