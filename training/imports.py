"""The import workbook's 培训 sheet (DESIGN.md, "Import workbook")."""

from django.utils.translation import gettext as _

from redcross import bounds
from redcross.importing import (
    Col,
    Refers,
    Sheet,
    as_count,
    as_decimal,
    as_record_date,
    as_text,
    clean_fields,
    run_checks,
)
from redcross.rules import refuse_row

from .models import Sector, Session, TrainingKind
from .rules import session_problems


class SessionSheet(Sheet):
    name = "培训"
    model = Session
    list_url = "training:session-list"
    example = {
        "培训日期": "2021-04-10",
        "培训类型": "救护员培训",
        "培训名称": "某中学教师救护员培训",
        "培训地点": "某中学",
        "对象领域": "学校",
        "学时": 16,
        "参训人次": 50,
        "取证人数": 48,
    }
    columns = [
        Col("培训日期", required=True, kind="date"),
        Col(
            "培训类型",
            required=True,
            kind="choice",
            note="普及性培训、救护员培训、师资培训",
            options="培训类型",
        ),
        Col("培训名称", required=True),
        Col("培训地点"),
        Col("对象领域", kind="choice", note="机关、学校、企业、社区、农村牧区", options="对象领域"),
        Col("学时", kind="number"),
        Col("参训人次", required=True, kind="count"),
        Col("取证人数", kind="count", note="只有颁发证书的培训（救护员培训等）填写，不多于参训人次"),
        Col("备注"),
    ]

    def __init__(self, context):
        super().__init__(context)
        self.kinds = {k.name: k for k in TrainingKind.objects.all()}
        self.sectors = {s.name: s for s in Sector.objects.all()}

    def _named(self, table, kind, what):
        def find(value):
            found = table.get(as_text(value))
            if found is None:
                message = _("%(what)s“%(name)s”不存在") % {"what": what, "name": as_text(value)}
                raise Refers(kind, as_text(value), message)
            return found

        return find

    def check_row(self, row, values):
        context = self.context
        cleaned = run_checks(
            values,
            {
                "培训日期": as_record_date,
                "培训类型": self._named(self.kinds, "培训类型", _("培训类型")),
                "对象领域": self._named(self.sectors, "对象领域", _("对象领域")),
                "学时": lambda v: as_decimal(v, bound=bounds.validate_hours),
                "参训人次": lambda v: as_count(v, minimum=1, bound=bounds.validate_person_times),
                "取证人数": lambda v: as_count(v, bound=bounds.validate_certified),
            },
        )
        kind, people, certified = cleaned["培训类型"], cleaned["参训人次"], cleaned["取证人数"] or 0
        refuse_row(
            session_problems(kind=kind, person_times=people, certified_count=certified),
            {"certified_count": "取证人数"},
        )
        session = Session(
            chapter=context.chapter,
            date=cleaned["培训日期"],
            kind=kind,
            title=as_text(values["培训名称"]),
            venue=as_text(values["培训地点"]),
            sector=cleaned["对象领域"],
            hours=cleaned["学时"],
            person_times=people,
            certified_count=certified,
            remarks=as_text(values["备注"]),
            created_by=context.user,
            updated_by=context.user,
        )
        clean_fields(session, exclude=["chapter", "kind", "sector", "created_by", "updated_by"], row=row)
        return session


def kinds_offered(chapter):
    """The 培训类型 drop-down of the blank template (registered in ``TrainingConfig.ready``)."""
    return [k.name for k in TrainingKind.objects.filter(is_active=True)]


def sectors_offered(chapter):
    """The 对象领域 drop-down of the blank template."""
    return [s.name for s in Sector.objects.filter(is_active=True)]
