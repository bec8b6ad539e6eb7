"""Demo reports: 奈曼旗's 2020 year-end report, written like the seed (000_68b5a3f6f589a620.txt)
with every figure the records hold as a live token, and 安康市's 2023 first-half summary rolling
up its four counties. The narrative is the seed's own kind of words; the figures are not typed.
"""

from django.db import transaction

from .figures import report_data
from .models import Section
from .periods import Period
from .services import living_sections, report_language, report_open, section_update

NAIMAN_2020 = {
    "review": (
        "旗红十字会在上级红十字会关心指导和旗委、旗政府坚强领导下，充分发挥党和政府人道领域的桥梁和纽带作用，"
        "积极弘扬“人道、博爱、奉献”的红十字精神，紧紧围绕旗委、政府中心工作，切实履行各项职能，圆满完成了年度各项任务。"
    ),
    "publicity": (
        "开展“5.8世界红十字日”宣传活动，内容包括红十字知识、造血干细胞捐献知识、器官遗体捐献知识、防灾减灾知识宣传；"
        "开展“世界急救日”宣传，提高群众自救互救意识，普及救护知识和技能。\n"
        "开展“携手防疫抗艾 共担健康责任”艾滋病日宣传活动，向社区居民发放各类艾滋病宣传资料400余份，"
        "并从“博爱一日捐”中支出{{relief.其他救助.amount}}慰问艾滋病人{{relief.其他救助.persons}}。"
    ),
    "party": (
        "一年来，我们始终把党的建设摆在突出位置，严格履行全面从严治党责任，认真落实党风廉政、意识形态“一岗双责”，"
        "全面依法履行职责，严格执行“三重一大”集体决策制度，落实中央八项规定精神，持续整治形式主义、官僚主义。"
    ),
    "shortcomings": (
        "旗红十字会在上级红十字会的关心指导和旗委、旗政府坚强领导下，获得了社会各界、爱心人士广泛参与支持，"
        "取得了一定成绩，但也清醒地看到很多不足和短板，主要表现在理论学习深度不足、广度不够，红十字文化宣传阵地有待完善，"
        "救护师资力量不足，基层组织作用发挥不明显等等，以上不足之处旗红十字会将在今后的工作中加以改进和完善。"
    ),
    "plan": (
        "2021年旗红十字会工作的总体要求是：按照上级红十字会工作安排和部署，紧紧围绕旗委、政府中心工作，与时俱进、开拓创新，"
        "积极稳妥推进红十字会各项工作取得新成效。\n"
        "积极开展救护培训，有序开展应急救护知识进机关、进学校、进企业、进社区、进农村牧区等活动，"
        "年内完成普及性培训{{plan.普及性培训}}以上，救护员培训{{plan.救护员培训}}以上。\n"
        "推进项目建设，着力做好“博爱家园”、“红十字示范校”、“红十字文化传播基地（点）”工作；"
        "继续开展“博爱送万家”暖心活动。"
    ),
}

ANKANG_2023H1 = {
    "review": (
        "市红十字会在市委、市政府的领导和省红十字会的正确指导下，紧紧围绕市委、市政府的中心工作，"
        "发挥好政府人道领域的助手作用，为全市经济社会协调发展做出了应有的努力。现简要总结如下。"
    ),
    "publicity": (
        "以纪念“5.8世界红十字日”和“红十字博爱送万家”活动为契机，开展了形式多样的宣传活动，"
        "发放宣传单（册）2万余份，在各级媒体登稿30余篇。"
    ),
    "shortcomings": "上半年虽然做了一些工作，但离上级的要求还有很大距离。",
    "plan": (
        "下半年，将继续围绕中心、服务大局，做好灾后重建项目的完工审计、社区为本项目、红十字“博爱家园”项目、"
        "红十字青少年等各项工作。"
    ),
}


@transaction.atomic
def report_demo(chapter, period, narrative):
    """Opens the report and writes its narrative, once: a report already edited is left alone."""
    report = report_open(chapter=chapter, period=period)
    if report.publications.exists() or report.sections.filter(key="publicity").exclude(body="").exists():
        return report
    with report_language():
        data = report_data(chapter, period)
        living = {s.key: s for s in living_sections(report, data)}
    for key, body in narrative.items():
        section = Section.objects.get(report=report, key=key)
        generated = living[key].body  # the text written from the records
        if key == "projects":
            body = f"{generated}\n{body}"
        if key == "plan" and "{{plan." not in body and generated:
            body = f"{body}\n{generated}"
        section_update(
            section=section,
            user=None,
            heading=section.heading,
            body=body,
            figures=data.figures,
            draft=living[key].draft,
        )
    return report


def reports_demo(chapters):
    from projects.models import Project

    naiman = dict(NAIMAN_2020)
    market = Project.objects.filter(chapter=chapters["150525"], name="富康社区博爱家园项目").first()
    if market is not None:
        naiman["projects"] = (
            f"其中在富康社区建设爱心超市总计投入{{{{project.{market.pk}.category.爱心超市}}}}，"
            "并在社区内建设应急救护角和红十字人道文化传播点，建立红十字志愿服务队。"
        )
    report_demo(chapters["150525"], Period.parse("2020"), naiman)
    report_demo(chapters["610900"], Period.parse("2023H1"), ANKANG_2023H1)


def demo_load(chapters, users):
    """The demo loader (``redcross.registry``): the reports, once every record is in."""
    reports_demo(chapters)
