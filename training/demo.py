"""Demo training: 奈曼旗's two 2020 mass first-aid courses and its 2021 targets, a certified course whose
certificates fall due soon (so the retraining list has people in it), and 安康市's 2023 H1 courses."""

import datetime
from decimal import Decimal

from django.utils import timezone

from redcross.demo import People

from .models import Sector, Session, TrainingKind
from .services import certificate_issue, instructor_create, session_record, target_set

D = datetime.date


def training_naiman(chapter, user):
    if Session.objects.filter(chapter=chapter).exists():
        return
    kind = {k.name: k for k in TrainingKind.objects.all()}
    sector = {s.name: s for s in Sector.objects.all()}
    today = timezone.localdate()
    teachers = [
        instructor_create(
            chapter=chapter,
            user=user,
            name="刘红梅",
            phone="13947512301",
            workplace="奈曼旗人民医院",
            qualification_number="NMJH-T-001",
            qualified_until=D(today.year + 2, 6, 30),
        ),
        instructor_create(
            chapter=chapter,
            user=user,
            name="赵志刚",
            phone="13947512302",
            workplace="奈曼旗蒙医医院",
            qualification_number="NMJH-T-002",
            qualified_until=today + datetime.timedelta(days=60),
        ),
    ]
    for date, title, sector_name, people in [
        (D(2020, 6, 18), "应急救护普及性培训班（第一期）", "机关", 126),
        (D(2020, 10, 22), "应急救护普及性培训班（第二期）", "社区", 148),
    ]:
        session_record(
            chapter=chapter,
            user=user,
            date=date,
            kind=kind["普及性培训"],
            title=title,
            venue="旗红十字会培训室",
            sector=sector[sector_name],
            hours=Decimal("8"),
            person_times=people,
            instructors=teachers,
            remarks="红十字运动基本知识、心肺复苏、AED使用、创伤救护、常见急症与意外伤害",
        )
    for kind_name, people in [("普及性培训", 3000), ("救护员培训", 100)]:
        target_set(chapter=chapter, user=user, year=2021, kind=kind[kind_name], person_times=people)
    # A certified course three years ago: its certificates expire within the next 90 days.
    held = today - datetime.timedelta(days=3 * 365 - 45)
    course = session_record(
        chapter=chapter,
        user=user,
        date=held,
        kind=kind["救护员培训"],
        title="红十字救护员培训班",
        venue="奈曼旗第四中学",
        sector=sector["学校"],
        hours=Decimal("16"),
        person_times=12,
        instructors=teachers,
    )
    people = People(chapter.code, seed=5000)
    for n in range(12):
        name, id_number = people.next()
        certificate_issue(
            session=course,
            user=user,
            trainee_name=name,
            id_number=id_number,
            workplace="奈曼旗第四中学",
            phone=f"1394751{n:04d}",
            number=f"NMJHY{held.year}{n + 1:03d}",
            issued_on=held,
        )


ANKANG_2023H1 = [
    # code, date, kind, title, sector, person-times, certified
    ("610900", D(2023, 6, 10), "师资培训", "安康市红十字救护师资培训班", "机关", 20, 18),
    ("610921", D(2023, 4, 20), "救护员培训", "汉阴县红十字救护员培训班", "企业", 40, 36),
    ("610922", D(2023, 5, 8), "普及性培训", "5.8世界红十字日自救互救技能培训", "社区", 200, 0),
    ("610923", D(2023, 5, 12), "普及性培训", "防灾减灾日应急救护进学校", "学校", 300, 0),
    ("610924", D(2023, 3, 22), "普及性培训", "应急救护知识进农村", "农村牧区", 150, 0),
]


def training_ankang(chapters):
    kind = {k.name: k for k in TrainingKind.objects.all()}
    sector = {s.name: s for s in Sector.objects.all()}
    for code, date, kind_name, title, sector_name, people, certified in ANKANG_2023H1:
        chapter = chapters[code]
        if Session.objects.filter(chapter=chapter).exists():
            continue
        session_record(
            chapter=chapter,
            user=None,
            date=date,
            kind=kind[kind_name],
            title=title,
            sector=sector[sector_name],
            hours=Decimal("8"),
            person_times=people,
            certified_count=certified,
        )


def demo_naiman(chapters, users):
    """The demo loader (``redcross.registry``): 奈曼旗's training."""
    training_naiman(chapters["150525"], users["demo-staff"])


def demo_ankang(chapters, users):
    """The demo loader: 安康市's training."""
    training_ankang(chapters)
