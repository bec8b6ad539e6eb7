"""Writes of work reports: opening a draft, editing a section, setting the plan's targets, publishing."""

import types

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from training.services import targets_set

from .drafts import draft_sections, section_draft
from .figures import report_data
from .models import Publication, Report, Section
from .pdf import render_pdf
from .rendering import report_context
from .text import render_plain, unknown_tokens


def report_language():
    """Reports are Chinese documents whatever language the person editing them reads."""
    from django.conf import settings

    return translation.override(settings.LANGUAGE_CODE)


@transaction.atomic
def report_open(*, chapter, period, user=None):
    """The chapter's report for ``period``: the existing draft, or a new one filled in from the records."""
    report, created = Report.objects.get_or_create(
        chapter=chapter, year=period.year, kind=period.kind, defaults={"updated_by": user}
    )
    if created:
        with report_language():
            data = report_data(chapter, period)
            sections = draft_sections(data)
        Section.objects.bulk_create(
            Section(
                report=report, order=i, level=s.level, key=s.key, kind=s.kind, heading=s.heading, body=s.body
            )
            for i, s in enumerate(sections)
        )
    return report


def section_update(*, section, user, heading, body, figures):
    """Saves a section's wording; every token must name a figure the report has."""
    heading = heading.strip()
    if not heading:
        raise ValidationError({"heading": _("请填写标题")})
    unknown = unknown_tokens(body, figures)
    if unknown:
        raise ValidationError(
            {"body": _("正文中的数字“%(tokens)s”不存在，请从可用数字中选择") % {"tokens": "”“".join(unknown)}}
        )
    section.heading = heading
    section.body = body.strip()
    section.save(update_fields=["heading", "body"])
    Report.objects.filter(pk=section.report_id).update(updated_by=user, updated_at=timezone.now())
    return section


def section_restore(*, section, user):
    """Puts back the section's text as generated from the records (after edits went wrong)."""
    report = section.report
    with report_language():
        data = report_data(report.chapter, report.period)
        draft = section_draft(data, section.key)
    if draft is None:
        raise ValidationError(_("该段落没有按记录生成的文字"))
    return section_update(
        section=section, user=user, heading=draft.heading, body=draft.body, figures=data.figures
    )


def plan_targets_set(*, report, user, targets):
    """The plan's measurable targets: person-times per kind of training for the plan's year.

    They are the year's training targets, which the next report measures progress against.
    """
    targets_set(chapter=report.chapter, user=user, year=report.period.plan_year, targets=targets)


def pdf_link_base(link_base):
    """Figures in a PDF link to absolute addresses: the request's site, else SITE_URL."""
    from django.conf import settings

    return (link_base or settings.SITE_URL).rstrip("/")


def live_context(report, *, link_base="", editor=False, data=None):
    """What the draft reads now, from the records."""
    with report_language():
        data = data or report_data(report.chapter, report.period)
        context = report_context(
            title=report.period.title(report.chapter),
            chapter=report.chapter,
            sections=list(report.sections.all()),
            figures=data.figures,
            tables=data.tables(),
            issued=timezone.localdate(),
            link_base=link_base,
            editor=editor,
        )
    return context, data


def report_pdf(report, *, link_base=""):
    """The PDF of the current draft."""
    context, _data = live_context(report, link_base=pdf_link_base(link_base))
    with report_language():
        return render_pdf(context)


@transaction.atomic
def report_publish(*, report, user, link_base=""):
    """Freezes the figures, the text and the PDF as the report's next version."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    now = timezone.now()
    with report_language():
        data = report_data(report.chapter, report.period)
        sections = list(report.sections.all())
        tables = data.tables()
        context = report_context(
            title=report.period.title(report.chapter),
            chapter=report.chapter,
            sections=sections,
            figures=data.figures,
            tables=tables,
            issued=timezone.localdate(now),
            link_base=pdf_link_base(link_base),
        )
        pdf = render_pdf(context)
    last = report.publications.order_by("-version").values_list("version", flat=True).first() or 0
    return Publication.objects.create(
        report=report,
        version=last + 1,
        title=context["title"],
        published_at=now,
        published_by=user,
        sections=[
            {
                "key": s.key,
                "level": s.level,
                "kind": s.kind,
                "heading": s.heading,
                "body": s.body,
                "text": render_plain(s.body, data.figures),
            }
            for s in sections
        ],
        figures={
            "figures": {key: figure.as_json() for key, figure in data.figures.items()},
            "tables": {key: table.as_json() for key, table in tables.items()},
        },
        pdf=pdf,
    )


def frozen_sections(publication):
    return [types.SimpleNamespace(**s) for s in publication.sections]
