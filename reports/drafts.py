"""The generated text of a report: the genre's sections, in its order, with sentences whose figures
are tokens. Nothing here is a number: every figure is a token filled in from the records.

A section nobody edited is written here again whenever the report is read, so what it names (the
categories, drives, funds and projects of the period) and whether it says that nothing happened
always follow the records. For a section a person edited, ``section_gaps`` says what the records now
hold that the person's text does not.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training.choices import FIRST_AIDER_KIND

from .choices import ReportKind, SectionKind
from .text import token as t
from .text import tokens_in


@dataclass
class SectionDraft:
    key: str
    level: int
    kind: str
    heading: str
    body: str = ""
    # What the generated text speaks of: (figure key prefix, how a reader names it).
    subjects: list = field(default_factory=list)
    # The generated text says that nothing of the kind happened in the period.
    none: bool = False


# The words of each "nothing happened" sentence; such a sentence may stand only while the records
# agree (reports are written in Chinese whatever the editor's language).
NONE_PHRASES = {
    "relief": (gettext_lazy("未发放救助款物"), gettext_lazy("救助发放")),
    "donations": (gettext_lazy("未接收社会捐赠"), gettext_lazy("接收的捐赠")),
    "training": (gettext_lazy("未举办应急救护培训"), gettext_lazy("培训")),
    "projects": (gettext_lazy("没有实施中的项目"), gettext_lazy("实施中的项目")),
}


NARRATIVE_SECTIONS = {
    "publicity": gettext_lazy("宣传工作"),
    "party": gettext_lazy("党的建设"),
    "shortcomings": gettext_lazy("存在的不足"),
}


def draft_sections(data):
    """The sections of a new draft for ``data`` (a ReportData), in the genre's order."""
    period = data.period
    review = _("%(period)s工作开展情况") % {"period": period.label}
    sections = [
        SectionDraft("review", 1, SectionKind.NARRATIVE, review, intro_text(data)),
        SectionDraft(
            "relief",
            2,
            SectionKind.DATA,
            _("人道救助"),
            relief_text(data),
            relief_subjects(data),
            none=data["relief.total.amount"].value == "0.00",
        ),
        SectionDraft(
            "donations",
            2,
            SectionKind.DATA,
            _("募捐与款物管理"),
            donations_text(data),
            donation_subjects(data),
            none=data["donations.total.amount"].value == "0.00",
        ),
        SectionDraft(
            "training",
            2,
            SectionKind.DATA,
            _("应急救护培训"),
            training_text(data),
            [(f"training.{name}", _("培训类型“%(name)s”") % {"name": name}) for name in data.training],
            none=not data.training,
        ),
        SectionDraft(
            "projects",
            2,
            SectionKind.DATA,
            _("项目建设"),
            projects_text(data),
            [
                (f"project.{pk}", _("项目“%(name)s”") % {"name": data[f"project.{pk}.name"].text})
                for pk in data.projects
            ],
            none=not data.projects,
        ),
    ]
    if data.counties:
        sections.append(
            SectionDraft("counties", 2, SectionKind.DATA, _("各县（区）主要数据"), counties_text(data))
        )
    for key, heading in NARRATIVE_SECTIONS.items():
        sections.append(SectionDraft(key, 2, SectionKind.NARRATIVE, str(heading)))
    plan = _("%(period)s重点工作安排") % {"period": period.plan_label}
    plan_subjects = [(f"plan.{name}", _("培训目标“%(name)s”") % {"name": name}) for name in data.plan]
    sections.append(SectionDraft("plan", 1, SectionKind.NARRATIVE, plan, plan_text(data), plan_subjects))
    return sections


def relief_subjects(data):
    subjects = [(f"relief.{name}", _("救助类别“%(name)s”") % {"name": name}) for name in data.relief]
    subjects += [
        (f"relief.fund.{pk}", _("救助资金来源“%(name)s”") % {"name": data[f"relief.fund.{pk}.name"].text})
        for pk in data.relief_funds
    ]
    return subjects


def donation_subjects(data):
    subjects = [
        (f"drive.{pk}", _("募捐活动“%(name)s”") % {"name": data[f"drive.{pk}.name"].text})
        for pk in data.drives
    ]
    if data.other_donations:
        subjects.append(("donations.other", _("不属于募捐活动的其他捐赠")))
    if data.get("goods.allocated.received") is not None:
        subjects.append(("goods.allocated", _("上级调拨物资")))
    subjects += [
        (f"fund.{pk}", _("限定用途的“%(name)s”") % {"name": data[f"fund.{pk}.name"].text})
        for pk in data.restricted_funds
    ]
    return subjects


def _speaks_of(tokens, prefix):
    return any(key == prefix or key.startswith(prefix + ".") for key in tokens)


def section_gaps(body, draft):
    """What the records now hold that a person's text of the section does not say: each category,
    drive, fund, project or target the generated text names and ``body`` has no figure of, and a
    "nothing happened" sentence the records no longer bear out. Empty when the text covers them."""
    if draft is None:
        return []
    tokens = set(tokens_in(body))
    gaps = [
        _("记录中有%(subject)s，正文未提及") % {"subject": subject}
        for prefix, subject in draft.subjects
        if not _speaks_of(tokens, prefix)
    ]
    stale = stale_none(body, draft)
    if stale:
        gaps.insert(0, stale)
    return gaps


def stale_none(body, draft):
    """When ``body`` says nothing of the kind happened and the records say it did, what is wrong
    (as a sentence for the person); else ""."""
    phrases = NONE_PHRASES.get(draft.key) if draft is not None else None
    if phrases is None or draft.none:
        return ""
    phrase, what = phrases
    if str(phrase) not in (body or ""):
        return ""
    return _("正文说“%(phrase)s”，但记录中已有%(what)s") % {"phrase": phrase, "what": what}


def section_draft(data, key):
    """The generated draft of one section (to restore it after edits)."""
    for section in draft_sections(data):
        if section.key == key:
            return section
    return None


def intro_text(data):
    return _(
        "%(period)s，%(chapter)s在上级红十字会和当地党委、政府的领导下，积极弘扬“人道、博爱、奉献”的"
        "红十字精神，认真履行人道救助、应急救护培训、募捐和项目建设等各项职能。现将工作情况报告如下。"
    ) % {"period": data.period.label, "chapter": data.chapter.name}


def relief_text(data):
    if data["relief.total.amount"].value == "0.00":
        return _("%(period)s未发放救助款物。") % {"period": data.period.label}
    lines = [
        _("%(period)s，共发放救助款物%(amount)s，惠及%(persons)s。")
        % {
            "period": data.period.label,
            "amount": t("relief.total.amount"),
            "persons": t("relief.total.persons"),
        }
    ]
    items = []
    for name in data.relief:
        # More cases than people (two operations on one person) is said as 140例(117人); a group
        # distribution is one payment to many people, said by its head count.
        if data[f"relief.{name}.case_count"].value > data[f"relief.{name}.persons"].value:
            items.append(
                _("%(name)s%(amount)s，共计%(cases)s")
                % {"name": name, "amount": t(f"relief.{name}.amount"), "cases": t(f"relief.{name}.cases")}
            )
        else:
            items.append(
                _("%(name)s%(amount)s，惠及%(persons)s")
                % {"name": name, "amount": t(f"relief.{name}.amount"), "persons": t(f"relief.{name}.persons")}
            )
    lines.append(_("其中：%(items)s。") % {"items": "；".join(items)})
    if data.relief_funds:
        funds = "、".join(
            f"{data[f'relief.fund.{pk}.name'].text}{t(f'relief.fund.{pk}.amount')}"
            for pk in data.relief_funds
        )
        lines.append(_("救助资金来源于%(funds)s。") % {"funds": funds})
    return "\n".join(lines)


def donations_text(data):
    allocated = allocated_goods_sentence(data)
    if data["donations.total.amount"].value == "0.00":
        none = _("%(period)s未接收社会捐赠。") % {"period": data.period.label}
        return "\n".join(line for line in (none, allocated) if line)
    parts = {
        "period": data.period.label,
        "amount": t("donations.total.amount"),
        "cash": t("donations.total.cash"),
        "in_kind": t("donations.total.in_kind"),
    }
    if data["donations.total.in_kind"].value == "0.00":
        lines = [_("%(period)s，共接收社会捐赠%(amount)s。") % parts]
    elif data["donations.total.cash"].value == "0.00":
        lines = [_("%(period)s，共接收社会捐赠物资折价%(in_kind)s。") % parts]
    else:
        lines = [_("%(period)s，共接收社会捐赠%(amount)s，其中捐款%(cash)s，物资折价%(in_kind)s。") % parts]
    for pk in data.drives:
        key = f"drive.{pk}"
        name = data[f"{key}.name"].text
        if data[f"{key}.in_kind"].value == "0.00":
            sentence = _("“%(drive)s”募集善款%(amount)s") % {"drive": name, "amount": t(f"{key}.amount")}
        elif data[f"{key}.cash"].value == "0.00":
            sentence = _("“%(drive)s”接收捐赠物资折价%(amount)s") % {
                "drive": name,
                "amount": t(f"{key}.in_kind"),
            }
        else:
            sentence = _("“%(drive)s”接收捐款%(cash)s，物资折价%(in_kind)s") % {
                "drive": name,
                "cash": t(f"{key}.cash"),
                "in_kind": t(f"{key}.in_kind"),
            }
        goods = _drive_goods_clause(data, key)
        if goods and not data.get(f"{key}.previous"):
            sentence += "，" + goods
        if data.get(f"{key}.previous"):
            sentence += _("，%(year)s为%(previous)s") % {
                "year": t(f"{key}.previous_year"),
                "previous": t(f"{key}.previous"),
            }
            if data[f"{key}.record"].text:
                sentence += "，" + t(f"{key}.record")
            if goods:
                sentence += _("；物资%(goods)s") % {"goods": goods}
        lines.append(sentence + "。")
    if data.other_donations:
        lines.append(_("不属于募捐活动的其他捐赠%(amount)s。") % {"amount": t("donations.other.amount")})
    if allocated:
        lines.append(allocated)
    for pk in data.restricted_funds:
        key = f"fund.{pk}"
        sentence = _("限定用途的“%(fund)s”本期收入%(received)s，支出%(paid)s") % {
            "fund": data[f"{key}.name"].text,
            "received": t(f"{key}.received"),
            "paid": t(f"{key}.paid"),
        }
        if data[f"{key}.all_paid"].text:
            sentence += _("，已按捐赠人意愿%(all)s") % {"all": t(f"{key}.all_paid")}
        lines.append(sentence + "。")
    return "\n".join(lines)


def allocated_goods_sentence(data):
    """The goods allocated to the chapter from above in the period, and what became of them by
    its end ("" when there were none): all allocated on to the chapters below, named, or all
    issued only when none is left and no stock count changed them; else what was issued (and
    allocated on) and what is on hand. Not a gift: the donation totals never hold it."""
    if data.get("goods.allocated.received") is None:
        return ""
    parts = {
        "origins": t("goods.allocated.origins"),
        "received": t("goods.allocated.received"),
        "issued": t("goods.allocated.issued"),
        "on_hand": t("goods.allocated.on_hand"),
        "adjusted": t("goods.allocated.adjusted"),
        "chapters": t("goods.allocated.recipients"),
        "allocated": t("goods.allocated.allocated"),
    }
    sentence = _("接收%(origins)s调拨物资折价%(received)s") % parts
    issued, allocated = data["goods.allocated.issued"].value, data["goods.allocated.allocated"].value
    if data["goods.allocated.all_issued"].text:
        return sentence + "，" + t("goods.allocated.all_issued") + "。"
    if issued == "0.00":
        sentence += _("，尚未发放")
    elif allocated == issued:
        sentence += _("，已调拨%(chapters)s%(issued)s，库存%(on_hand)s") % parts
    elif allocated != "0.00":
        sentence += _("，已发放%(issued)s（其中调拨%(chapters)s%(allocated)s），库存%(on_hand)s") % parts
    else:
        sentence += _("，已发放%(issued)s，库存%(on_hand)s") % parts
    if data["goods.allocated.adjusted"].value != "0.00":
        sentence += _("，盘点调整%(adjusted)s") % parts
    return sentence + "。"


def _drive_goods_clause(data, key):
    """What became of the drive's goods by the period's end ("" when the report cannot say):
    all issued only when none is left and no stock count changed them; else issued and on hand."""
    if data.get(f"{key}.goods_on_hand") is None:
        return ""
    parts = {
        "issued": t(f"{key}.goods_issued"),
        "on_hand": t(f"{key}.goods_on_hand"),
        "adjusted": t(f"{key}.goods_adjusted"),
    }
    if data[f"{key}.goods_all_issued"].text:
        return t(f"{key}.goods_all_issued")
    clause = _("已发放%(issued)s，库存%(on_hand)s") % parts
    if data[f"{key}.goods_adjusted"].value != "0.00":
        clause += _("，盘点调整%(adjusted)s") % parts
    return clause


def training_text(data):
    if not data.training:
        return _("%(period)s未举办应急救护培训。") % {"period": data.period.label}
    parts = {
        "period": data.period.label,
        "sessions": t("training.total.sessions"),
        "people": t("training.total.person_times"),
        "certified": t(f"training.{FIRST_AIDER_KIND}.certified"),
    }
    # Only the first-aider course's certificates are 救护员证书; instructors' are said per kind below.
    first_aiders = data.get(f"training.{FIRST_AIDER_KIND}.certified")
    if first_aiders is not None and first_aiders.value:
        first = _(
            "%(period)s，共举办应急救护培训%(sessions)s，培训%(people)s，其中取得救护员证书%(certified)s。"
        )
    else:
        first = _("%(period)s，共举办应急救护培训%(sessions)s，培训%(people)s。")
    lines = [first % parts]
    for name in data.training:
        key = f"training.{name}"
        sentence = _("%(kind)s%(sessions)s，%(people)s") % {
            "kind": name,
            "sessions": t(f"{key}.sessions"),
            "people": t(f"{key}.person_times"),
        }
        if data[f"{key}.certified"].value:
            sentence += _("，取证%(certified)s") % {"certified": t(f"{key}.certified")}
        if data.get(f"{key}.target"):
            sentence += _("，年度目标%(target)s，完成年度目标的%(percent)s") % {
                "target": t(f"{key}.target"),
                "percent": t(f"{key}.percent"),
            }
        lines.append(sentence + "。")
    return "\n".join(lines)


def projects_text(data):
    if not data.projects:
        return _("%(period)s没有实施中的项目。") % {"period": data.period.label}
    lines = [
        _("%(period)s，共实施项目%(count)s，项目支出%(spent)s。")
        % {
            "period": data.period.label,
            "count": t("projects.total.count"),
            "spent": t("projects.total.spent"),
        }
    ]
    for number, pk in enumerate(data.projects, start=1):
        key = f"project.{pk}"
        sentence = f"{number}.{data[f'{key}.name'].text}（{t(f'{key}.kind')}"
        if data[f"{key}.place"].text:
            sentence += "，" + t(f"{key}.place")
        sentence += "）"
        if data[f"{key}.outputs"].text:
            sentence += _("：%(outputs)s") % {"outputs": t(f"{key}.outputs")}
        sentence += _("；预算%(budget)s，本期支出%(spent)s，累计支出%(total)s；目前%(status)s") % {
            "budget": t(f"{key}.budget"),
            "spent": t(f"{key}.spent"),
            "total": t(f"{key}.spent_total"),
            "status": t(f"{key}.status"),
        }
        if data[f"{key}.audits"].text:
            sentence += "；" + t(f"{key}.audits")
        lines.append(sentence + "。")
    return "\n".join(lines)


def counties_text(data):
    return _("%(period)s，本会及所属各县（区）红十字会的主要数据见下表。") % {"period": data.period.label}


def plan_text(data):
    if not data.plan:
        return ""
    targets = "，".join(f"{name}{t(f'plan.{name}')}" for name in data.plan)
    if data.period.kind == ReportKind.H1:
        return _("下半年完成%(targets)s以上的年度培训目标。") % {"targets": targets}
    return _("年内完成%(targets)s以上。") % {"targets": targets}
