"""Writes of disclosures: preparing one, publishing a version, recording feedback to a donor."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from redcross import bounds
from redcross.money import format_money

from .checks import publish_problems
from .choices import DisclosureKind
from .lines import disclosure_content
from .models import Disclosure, DisclosureVersion, GiftFeedback


def public_language():
    """Public pages are Chinese documents whatever language the person preparing them reads."""
    from django.conf import settings

    return translation.override(settings.LANGUAGE_CODE)


NUMERIC = ("money", "count", "quantity")


def _shown(value, kind):
    """A cell as the page writes it: money and counts with thousands separators, and quantities too
    (50,000; decimals kept as stored: 1,234.5), as the money figures are written."""
    if kind == "money":
        return format_money(value)
    if kind == "count" and value != "":
        return f"{int(value):,}"
    if kind == "quantity" and value != "":
        try:
            return f"{Decimal(value):,}"
        except (InvalidOperation, TypeError, ValueError):
            return value
    return value


def render_content(content):
    """The page of a disclosure's lines: the preview renders it from the records, publishing
    stores it, the public page serves what was stored."""
    with public_language():
        return _render_content(content)


def _render_content(content):
    sections = []
    for section in content["sections"]:
        kinds = [c["kind"] for c in section["columns"]]
        totals = []
        if section["totals"]:
            for index, column in enumerate(section["columns"]):
                if index == 0:
                    totals.append((_("合计（%(rows)s条）") % {"rows": len(section["rows"])}, False))
                else:
                    value = section["totals"].get(column["key"], "")
                    totals.append(
                        (_shown(value, column["kind"]) if value != "" else "", column["kind"] in NUMERIC)
                    )
        sections.append(
            {
                "key": section["key"],
                "title": section["title"],
                "note": section.get("note", ""),
                "head": [(c["label"], c["kind"] in NUMERIC) for c in section["columns"]],
                "rows": [
                    [(_shown(v, k), k in NUMERIC) for v, k in zip(row, kinds, strict=True)]
                    for row in section["rows"]
                ],
                "totals": totals,
            }
        )
    summary = [(item["label"], format_money(item["value"])) for item in content["summary"]]
    return render_to_string(
        "disclosure/content.html", {"content": content, "sections": sections, "summary": summary}
    )


def _as_of_problem(disclosure, as_of):
    if not isinstance(as_of, datetime.date):
        return _("请填写截止日期")
    if as_of > bounds.today():
        return _("截止日期不能晚于今天")
    if as_of < bounds.EARLIEST_DATE:
        return _("截止日期不能早于1904年")
    if disclosure.kind == DisclosureKind.DRIVE and as_of < disclosure.drive.start_date:
        return _("截止日期不能早于募捐活动开始日期")
    if disclosure.kind == DisclosureKind.PROJECT and as_of < disclosure.project.start_date:
        return _("截止日期不能早于项目开始日期")
    if disclosure.kind == DisclosureKind.PERIOD:
        from reports.periods import Period

        start = Period.parse(disclosure.period).start
        if as_of < start:
            return _("截止日期不能早于期间开始日期（%(start)s）") % {"start": start.isoformat()}
    return None


@transaction.atomic
def disclosure_prepare(*, chapter, user, kind, drive=None, project=None, period="", as_of=None):
    """The chapter's disclosure of a drive, a project or a period: the one already prepared
    (its cut-off day moved to ``as_of``), or a new one."""
    from reports.periods import Period

    if kind == DisclosureKind.DRIVE:
        if drive is None or drive.chapter_id != chapter.pk:
            raise ValidationError({"drive": _("请选择本会的募捐活动")})
        subject = {"drive": drive}
    elif kind == DisclosureKind.PROJECT:
        if project is None or project.chapter_id != chapter.pk:
            raise ValidationError({"project": _("请选择本会的项目")})
        subject = {"project": project}
    elif kind == DisclosureKind.PERIOD:
        period = Period.parse(period)  # a ValidationError in Chinese when it is no period
        subject = {"period": period.code}
        if as_of is None or as_of > period.end:
            as_of = min(period.end, bounds.today())
    else:
        raise ValidationError({"kind": _("请选择公开类型")})
    disclosure = Disclosure.objects.filter(chapter=chapter, kind=kind, **subject).first()
    if disclosure is None:
        disclosure = Disclosure(
            chapter=chapter, kind=kind, created_by=user, as_of=as_of or bounds.today(), **subject
        )
    as_of = as_of or disclosure.as_of
    problem = _as_of_problem(disclosure, as_of)
    if problem:
        raise ValidationError({"as_of": problem})
    disclosure.as_of = as_of
    disclosure.full_clean()
    disclosure.save()
    return disclosure


@transaction.atomic
def disclosure_update(*, disclosure, user, as_of, township_shown=False, correction_note=""):
    problem = _as_of_problem(disclosure, as_of)
    if problem:
        raise ValidationError({"as_of": problem})
    if disclosure.kind == DisclosureKind.PERIOD:
        from reports.periods import Period

        as_of = min(as_of, Period.parse(disclosure.period).end)
    disclosure.as_of = as_of
    disclosure.township_shown = township_shown
    disclosure.correction_note = correction_note.strip()
    disclosure.full_clean()
    disclosure.save()
    return disclosure


def draft_content(disclosure):
    with public_language():
        return disclosure_content(disclosure)


@transaction.atomic
def disclosure_publish(*, disclosure, user):
    """Freezes what the disclosure says now as its next version: the lines, the page, who, when
    and a checksum. Refused when a total is not the sum of its lines, or a cumulative figure is
    below the last version's without a correction note (a version with a note corrects the last
    one, which then says so)."""
    disclosure = (
        Disclosure.objects.select_for_update(of=("self",))
        .select_related("chapter", "drive", "project")
        .get(pk=disclosure.pk)
    )
    previous = disclosure.versions.order_by("-version").first()
    content = draft_content(disclosure)
    note = disclosure.correction_note.strip()
    problems = publish_problems(content, previous.content if previous else None, note)
    if problems:
        raise ValidationError(_("不能发布：%(problems)s") % {"problems": "；".join(problems)})
    version = DisclosureVersion.objects.create(
        disclosure=disclosure,
        chapter=disclosure.chapter,
        version=(previous.version if previous else 0) + 1,
        title=content["title"],
        as_of=disclosure.as_of,
        content=content,
        html=render_content(content),
        correction_note=note,
        corrects=previous if (previous and note) else None,
        published_at=timezone.now(),
        published_by=user,
        publisher_name=user.get_full_name() or user.username,
    )
    if note:
        Disclosure.objects.filter(pk=disclosure.pk).update(correction_note="")
    return version


@transaction.atomic
def feedback_record(*, donation, user, reported_on, how=""):
    """Records that the use of a restricted gift was reported back to its donor."""
    if not isinstance(reported_on, datetime.date):
        raise ValidationError({"reported_on": _("请填写反馈日期")})
    bounds.validate_record_date(reported_on)
    if reported_on < donation.date:
        raise ValidationError({"reported_on": _("反馈日期不能早于捐赠日期")})
    if not donation.fund.is_restricted:
        raise ValidationError(_("只有限定用途的捐赠需要登记反馈"))
    if GiftFeedback.objects.filter(donation=donation).exists():
        raise ValidationError(_("该捐赠已登记反馈"))
    feedback = GiftFeedback(
        donation=donation, reported_on=reported_on, how=how.strip()[:100], recorded_by=user
    )
    feedback.full_clean()
    feedback.save()
    return feedback
