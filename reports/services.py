"""Writes of work reports: opening a draft, editing a section, setting the plan's targets, publishing."""

import types

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from training.services import targets_set

from .drafts import draft_sections, section_draft, section_gaps, stale_none
from .figures import report_data
from .models import Publication, Report, Section
from .pdf import render_pdf
from .rendering import report_context
from .text import paragraphs, render_plain, unknown_tokens


def report_language():
    """Reports are Chinese documents whatever language the person editing them reads."""
    from django.conf import settings

    return translation.override(settings.LANGUAGE_CODE)


@transaction.atomic
def report_open(*, chapter, period, user=None):
    """The chapter's report for ``period``: the existing draft, or a new one.

    A new draft freezes nothing: its sections hold no text until a person writes some, and are
    written from the records whenever the report is read (``living_sections``)."""
    report, created = Report.objects.get_or_create(
        chapter=chapter, year=period.year, kind=period.kind, defaults={"updated_by": user}
    )
    if created:
        with report_language():
            sections = draft_sections(report_data(chapter, period))
        Section.objects.bulk_create(
            Section(report=report, order=i, level=s.level, key=s.key, kind=s.kind, heading=s.heading)
            for i, s in enumerate(sections)
        )
    return report


def living_sections(report, data, stored=None):
    """The report's sections as they read now, in the genre's order: a section nobody edited has
    the text generated from ``data``; an edited one keeps its words, with ``gaps`` saying what the
    records hold that they do not. A section the records call for that the draft lacks (a city's
    counties table once it has figures) appears; one they no longer call for stays only if a
    person wrote it. Each has ``draft`` (its generated text, or None). No query but the sections'.
    """
    drafts = draft_sections(data)
    stored = {s.key: s for s in (report.sections.all() if stored is None else stored)}
    position = {d.key: i for i, d in enumerate(drafts)}
    sections = []
    for i, draft in enumerate(drafts):
        section = stored.pop(draft.key, None)
        if section is None:
            section = Section(
                report=report,
                order=i,
                level=draft.level,
                key=draft.key,
                kind=draft.kind,
                heading=draft.heading,
            )
        if not section.edited:
            section.body = draft.body
        section.draft = draft
        section.gaps = section_gaps(section.body, draft) if section.edited else []
        sections.append((i, section))
    previous = -1
    for section in sorted(stored.values(), key=lambda s: s.order):
        if section.edited:
            section.draft, section.gaps = None, []
            sections.append((previous + 0.5, section))
        previous = position.get(section.key, previous)
    return [section for _position, section in sorted(sections, key=lambda pair: pair[0])]


def section_for_edit(report, key, data):
    """The stored section ``key`` of the report, created from its generated draft when the
    records call for a section the draft did not have yet; None when there is no such section."""
    section = report.sections.filter(key=key).first()
    if section is not None:
        return section
    draft = section_draft(data, key)
    if draft is None:
        return None
    order = (report.sections.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    section, _created = Section.objects.get_or_create(
        report=report,
        key=key,
        defaults={"order": order, "level": draft.level, "kind": draft.kind, "heading": draft.heading},
    )
    return section


def section_update(*, section, user, heading, body, figures, draft=None):
    """Saves a section's wording; every token must name a figure the report has.

    Text equal to the generated ``draft`` leaves the section generated (it keeps following the
    records); other text is the person's own. A "nothing happened" sentence is refused while the
    records say something did."""
    heading = heading.strip()
    if not heading:
        raise ValidationError({"heading": _("请填写标题")})
    body = body.strip()
    unknown = unknown_tokens(body, figures)
    if unknown:
        raise ValidationError(
            {"body": _("正文中的数字“%(tokens)s”不存在，请从可用数字中选择") % {"tokens": "”“".join(unknown)}}
        )
    stale = stale_none(body, draft)
    if stale:
        raise ValidationError({"body": stale})
    section.heading = heading
    if draft is not None and paragraphs(body) == paragraphs(draft.body):
        section.body, section.edited = "", False
    else:
        section.body, section.edited = body, True
    section.save(update_fields=["heading", "body", "edited"])
    Report.objects.filter(pk=section.report_id).update(updated_by=user, updated_at=timezone.now())
    return section


def section_restore(*, section, user):
    """Lets the section follow the records again, dropping a person's text (after edits went
    wrong, or when the records have outgrown it)."""
    report = section.report
    with report_language():
        draft = section_draft(report_data(report.chapter, report.period), section.key)
    if draft is None or not (draft.body or draft.subjects):
        raise ValidationError(_("该段落没有按记录生成的文字"))
    section.body, section.edited = "", False
    if not section.heading.strip():
        section.heading = draft.heading
    section.save(update_fields=["heading", "body", "edited"])
    Report.objects.filter(pk=section.report_id).update(updated_by=user, updated_at=timezone.now())
    return section


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
            sections=living_sections(report, data),
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
        sections = living_sections(report, data)
        contradictions = [stale_none(s.body, s.draft) for s in sections if s.edited]
        contradictions = [c for c in contradictions if c]
        if contradictions:
            raise ValidationError(
                _("报告自相矛盾，不能发布：%(what)s。请修改该段落或恢复为按记录生成的文字")
                % {"what": "；".join(contradictions)}
            )
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
