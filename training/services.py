"""Writes of training: sessions, certificates, instructors and the year's targets."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from redcross import bounds
from redcross.idnumber import normalize_id_number
from redcross.rules import refuse

from .choices import CERTIFICATE_VALID_YEARS
from .models import Certificate, Instructor, Session, Target
from .rules import session_problems


def _session_fill(
    session,
    *,
    user,
    date,
    kind,
    title,
    person_times,
    venue="",
    sector=None,
    hours=None,
    certified_count=0,
    instructors=(),
    remarks="",
):
    certified_count = certified_count or 0
    refuse(session_problems(kind=kind, person_times=person_times, certified_count=certified_count))
    if session.pk:
        recorded = session.certificates.count()
        if certified_count < recorded:
            raise ValidationError(
                {"certified_count": _("已登记 %(count)s 张证书，取证人数不能少于此数") % {"count": recorded}}
            )
    session.date = date
    session.kind = kind
    session.title = title.strip()
    session.venue = (venue or "").strip()
    session.sector = sector
    session.hours = hours
    session.person_times = person_times
    session.certified_count = certified_count
    session.remarks = remarks or ""
    session.updated_by = user
    session.full_clean(validate_constraints=False)
    session.save()
    for instructor in instructors:
        if instructor.chapter_id != session.chapter_id:
            raise ValidationError({"instructors": _("只能选择本会的救护师资")})
    session.instructors.set(instructors)
    return session


@transaction.atomic
def session_record(*, chapter, user, **fields):
    """Records a training session, counted in person-times (and certificates for a certified course)."""
    return _session_fill(Session(chapter=chapter, created_by=user), user=user, **fields)


@transaction.atomic
def session_correct(*, session, user, **fields):
    return _session_fill(Session.objects.select_for_update().get(pk=session.pk), user=user, **fields)


def expiry_default(issued_on):
    """Three years after issue, the day before (a certificate of 2020-06-15 is valid to 2023-06-14)."""
    try:
        same_day = issued_on.replace(year=issued_on.year + CERTIFICATE_VALID_YEARS)
    except ValueError:  # 29 February
        same_day = issued_on.replace(year=issued_on.year + CERTIFICATE_VALID_YEARS, day=28)
    return same_day - datetime.timedelta(days=1)


def _line_problem(line, message):
    return _("第%(line)s行：%(problem)s") % {"line": line, "problem": message}


@transaction.atomic
def certificates_issue(*, session, user, trainees, issued_on=None, expires_on=None):
    """Certifies a whole class at once: one certificate per trainee (a dict of ``line``,
    ``trainee_name``, ``id_number``, ``number`` and optionally ``workplace``), all or none.

    Every problem found is named by its line of the pasted list (第3行：证书编号“…”已经登记过),
    so the person fixes them all in one go; nothing is saved while any remains.
    """
    session = Session.objects.select_for_update().select_related("kind").get(pk=session.pk)
    if not session.kind.certifies:
        raise ValidationError({"trainees": _("“%(kind)s”不颁发证书") % {"kind": session.kind.name}})
    if not trainees:
        raise ValidationError({"trainees": _("请粘贴学员名单，每行一人")})
    numbers = [t["number"].strip() for t in trainees]
    held = set(
        Certificate.objects.filter(chapter=session.chapter_id, number__in=numbers).values_list(
            "number", flat=True
        )
    )
    problems = [
        _line_problem(t["line"], _("证书编号“%(number)s”已经登记过") % {"number": number})
        for t, number in zip(trainees, numbers, strict=True)
        if number in held
    ]
    recorded = session.certificates.count()
    if recorded + len(trainees) > session.person_times:
        problems.append(
            _("本班参训 %(person_times)s 人次，已登记证书 %(recorded)s 张，本次 %(count)s 张将多于参训人次")
            % {"person_times": session.person_times, "recorded": recorded, "count": len(trainees)}
        )
    if problems:
        raise ValidationError({"trainees": problems})
    issued = []
    for trainee in trainees:
        fields = {k: v for k, v in trainee.items() if k != "line"}
        try:
            issued.append(
                certificate_issue(
                    session=session, user=user, issued_on=issued_on, expires_on=expires_on, **fields
                )
            )
        except ValidationError as error:
            messages = [_line_problem(trainee["line"], m) for m in error.messages]
            raise ValidationError({"trainees": messages}) from None
    return issued


@transaction.atomic
def certificate_issue(
    *,
    session,
    user,
    trainee_name,
    number,
    issued_on=None,
    expires_on=None,
    id_number="",
    phone="",
    workplace="",
):
    """Records a trainee's certificate of a certified course; valid three years unless said otherwise.

    The session's certified count grows to cover its certificates.
    """
    session = Session.objects.select_for_update().select_related("kind").get(pk=session.pk)
    if not session.kind.certifies:
        raise ValidationError({"number": _("“%(kind)s”不颁发证书") % {"kind": session.kind.name}})
    number = number.strip()
    if Certificate.objects.filter(chapter=session.chapter_id, number=number).exists():
        raise ValidationError({"number": _("证书编号“%(number)s”已经登记过") % {"number": number}})
    issued_on = issued_on or session.date
    expires_on = expires_on or expiry_default(issued_on)
    if expires_on <= issued_on:
        raise ValidationError({"expires_on": _("有效期必须晚于发证日期")})
    certificate = Certificate(
        chapter_id=session.chapter_id,
        session=session,
        trainee_name=trainee_name.strip(),
        id_number=normalize_id_number(id_number),
        phone=(phone or "").strip(),
        workplace=(workplace or "").strip(),
        number=number,
        issued_on=issued_on,
        expires_on=expires_on,
        created_by=user,
        updated_by=user,
    )
    certificate.full_clean(validate_constraints=False)
    certificate.save()
    recorded = session.certificates.count()
    if recorded > session.certified_count:
        if recorded > session.person_times:
            raise ValidationError({"number": _("证书数量不能多于参训人次")})
        session.certified_count = recorded
        session.save(update_fields=["certified_count", "updated_at"])
    return certificate


def _instructor_fill(
    instructor, *, user, name, phone="", workplace="", qualification_number="", qualified_until=None
):
    instructor.name = name.strip()
    instructor.phone = (phone or "").strip()
    instructor.workplace = (workplace or "").strip()
    instructor.qualification_number = (qualification_number or "").strip()
    instructor.qualified_until = qualified_until
    instructor.updated_by = user
    instructor.full_clean()
    instructor.save()
    return instructor


@transaction.atomic
def instructor_create(*, chapter, user, **fields):
    return _instructor_fill(Instructor(chapter=chapter, created_by=user), user=user, **fields)


@transaction.atomic
def instructor_update(*, instructor, user, **fields):
    return _instructor_fill(instructor, user=user, **fields)


@transaction.atomic
def target_set(*, chapter, user, year, kind, person_times):
    """Sets the year's target for a kind of training (0 removes it); the year and the figure
    within their bounds (``redcross.bounds``), checked before anything is written."""
    bounds.check("year", year, bounds.validate_target_year)
    if not person_times:
        Target.objects.filter(chapter=chapter, year=year, kind=kind).delete()
        return None
    Target(chapter=chapter, year=year, kind=kind, person_times=person_times).full_clean(
        validate_unique=False, validate_constraints=False
    )
    target, _created = Target.objects.update_or_create(
        chapter=chapter,
        year=year,
        kind=kind,
        defaults={"person_times": person_times, "updated_by": user},
        create_defaults={"person_times": person_times, "created_by": user, "updated_by": user},
    )
    return target


@transaction.atomic
def targets_set(*, chapter, user, year, targets):
    """Sets the year's targets (kind → person-times, 0 removes one) all together or none: a
    figure out of bounds for one kind leaves every target as it was. Errors name the kind."""
    problems = {}
    for kind, person_times in targets.items():
        try:
            target_set(chapter=chapter, user=user, year=year, kind=kind, person_times=person_times)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    if field == "year":
                        problems.setdefault(field, [])
                        if message not in problems[field]:
                            problems[field].append(message)
                    else:
                        problems.setdefault(field, []).append(
                            _("%(kind)s：%(problem)s") % {"kind": kind.name, "problem": message}
                        )
    if problems:
        raise ValidationError(problems)
