"""The demo installation (DESIGN.md, "Demo"): chapters, demo users, and each app's records.

Idempotent: chapters and users are brought to their demo state, and each chapter's records are
built once, only while that chapter has none.
"""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.db import transaction

from .choices import ChapterLevel, Role
from .idnumber import check_character
from .models import Chapter, Membership
from .registry import demo_loaders

DEMO_PASSWORD = "redcross-demo"

CHAPTERS = [
    # code, name, level, parent code
    # The national society heads the tree: it allocates goods to 安康市 (issue 20), and an older
    # demo's provinces, roots then, are moved under it (``Chapter.save`` re-paths what is below).
    ("100000", "中国红十字会总会", ChapterLevel.NATIONAL, None),
    ("150000", "内蒙古自治区红十字会", ChapterLevel.PROVINCE, "100000"),
    ("150500", "通辽市红十字会", ChapterLevel.CITY, "150000"),
    ("150525", "奈曼旗红十字会", ChapterLevel.COUNTY, "150500"),
    ("610000", "陕西省红十字会", ChapterLevel.PROVINCE, "100000"),
    ("610900", "安康市红十字会", ChapterLevel.CITY, "610000"),
    ("610921", "汉阴县红十字会", ChapterLevel.COUNTY, "610900"),
    ("610922", "石泉县红十字会", ChapterLevel.COUNTY, "610900"),
    ("610923", "宁陕县红十字会", ChapterLevel.COUNTY, "610900"),
    ("610924", "紫阳县红十字会", ChapterLevel.COUNTY, "610900"),
]

USERS = [
    # username, full name, chapter code, role
    ("demo-staff", "演示录入员", "150525", Role.STAFF),
    ("demo-leader", "演示专职副会长", "150525", Role.LEADER),
    ("demo-auditor", "演示审计", "150525", Role.AUDITOR),
    ("demo-admin", "演示系统管理员", "150525", Role.ADMIN),
    ("demo-city", "演示市红十字会领导", "610900", Role.LEADER),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"  # noqa: E501
GIVEN = "秀英桂兰玉凤华敏静丽军伟强磊洋勇艳杰娟涛明超霞平刚建国文辉志红春梅海燕玲宝山金花永福德胜"


class People:
    """Deterministic, distinct names and valid ID numbers for demo beneficiaries."""

    def __init__(self, area_code, seed=0):
        self.area_code = area_code
        self.counter = itertools.count(seed)

    def next(self):
        n = next(self.counter)
        surname = SURNAMES[n % len(SURNAMES)]
        given = GIVEN[(n // len(SURNAMES)) % len(GIVEN)] + GIVEN[(n * 7 + 3) % len(GIVEN)]
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=(n * 211) % 25000)
        first17 = f"{self.area_code}{birth:%Y%m%d}{n % 1000:03d}"
        return surname + given, first17 + check_character(first17)


def chapters_ensure():
    by_code = {}
    for code, name, level, parent_code in CHAPTERS:
        chapter, _ = Chapter.objects.update_or_create(
            code=code, defaults={"name": name, "level": level, "parent": by_code.get(parent_code)}
        )
        by_code[code] = chapter
    return by_code


def users_ensure(chapters):
    User = get_user_model()
    users = {}
    for username, full_name, code, role in USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.is_active = True
        # A demo account is never the operator's: /admin/ is for superusers only, and demo-admin
        # administers its chapter from /chapter/ (an earlier demo made it a superuser).
        user.is_staff = user.is_superuser = False
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.filter(user=user).exclude(chapter=chapters[code]).delete()
        Membership.objects.update_or_create(user=user, chapter=chapters[code], defaults={"role": role})
        users[username] = user
    return users


@transaction.atomic
def demo_load():
    """Builds the demo: the chapters and accounts, then each app's records through the loaders
    the apps register (``redcross.registry``). Returns the demo accounts as (username, chapter,
    role) rows."""
    chapters = chapters_ensure()
    users = users_ensure(chapters)
    for loader in demo_loaders():
        loader(chapters, users)
    return [(u, chapters[code].name, role.label) for u, _, code, role in USERS]
