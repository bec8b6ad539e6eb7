"""load_chapters: a province onboarded from a CSV of division codes, each new chapter with its
first administrator; re-run, it renames and never duplicates; any fault saves nothing."""

import csv
import io
import stat

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from redcross.choices import ChapterLevel, Role
from redcross.models import Change, Chapter, Membership

User = get_user_model()

# A province, two cities, four counties; children before their parents, header row, Excel's BOM.
PROVINCE = """\ufeffcode,name,parent_code
610921,汉阴县红十字会,610900
610922,石泉县红十字会,610900
610900,安康市红十字会,610000
610000,陕西省红十字会,
610100,西安市红十字会,610000
610102,新城区红十字会,610100
610103,碑林区红十字会,610100
"""


def write(tmp_path, text, name="chapters.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def load(path, admins=None):
    out = io.StringIO()
    arguments = [str(path)] + (["--admins", str(admins)] if admins else [])
    call_command("load_chapters", *arguments, stdout=out)
    return out.getvalue()


def everything():
    """Every chapter, user, role and history row: what a refused load must leave as it was."""
    return (
        list(Chapter.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(Change.objects.order_by("pk").values()),
    )


def read_admins(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["代码", "红十字会", "用户名", "初始密码"]
    return {row[0]: row for row in rows[1:]}


def test_a_province_is_loaded_with_levels_paths_and_a_first_administrator_per_chapter(db, tmp_path):
    admins_path = tmp_path / "admins.csv"
    output = load(write(tmp_path, PROVINCE), admins_path)
    assert "新建 7 个红十字会，更新 0 个" in output

    chapters = {c.code: c for c in Chapter.objects.all()}
    assert {code: (c.name, c.level, c.path) for code, c in chapters.items()} == {
        "610000": ("陕西省红十字会", ChapterLevel.PROVINCE, "610000/"),
        "610100": ("西安市红十字会", ChapterLevel.CITY, "610000/610100/"),
        "610102": ("新城区红十字会", ChapterLevel.COUNTY, "610000/610100/610102/"),
        "610103": ("碑林区红十字会", ChapterLevel.COUNTY, "610000/610100/610103/"),
        "610900": ("安康市红十字会", ChapterLevel.CITY, "610000/610900/"),
        "610921": ("汉阴县红十字会", ChapterLevel.COUNTY, "610000/610900/610921/"),
        "610922": ("石泉县红十字会", ChapterLevel.COUNTY, "610000/610900/610922/"),
    }
    admins = read_admins(admins_path)
    assert set(admins) == set(chapters)
    assert stat.S_IMODE(admins_path.stat().st_mode) == 0o600
    code, name, username, password = admins["610921"]
    assert (name, username) == ("汉阴县红十字会", "admin-610921")
    user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=password)
    assert user is not None and not user.is_staff and not user.is_superuser
    assert list(user.memberships.values_list("chapter__code", "role")) == [("610921", Role.ADMIN)]
    # The password is in the file only: history holds the chapter and the account, not it.
    assert Change.objects.filter(table="redcross_chapter", action="insert").count() == 7
    assert not any(password in str(row) for row in Change.objects.values_list("after", flat=True))


def test_a_re_run_renames_and_never_duplicates_nor_makes_a_second_administrator(db, tmp_path):
    path = write(tmp_path, PROVINCE)
    load(path, tmp_path / "admins.csv")
    before = everything()
    output = load(path)  # nothing new: no --admins needed
    assert "新建 0 个红十字会，更新 0 个，其余 7 个未变" in output
    assert everything() == before

    renamed = PROVINCE.replace("碑林区红十字会", "西安市碑林区红十字会") + "610104,莲湖区红十字会,610100\n"
    output = load(write(tmp_path, renamed, "v2.csv"), tmp_path / "admins2.csv")
    assert "新建 1 个红十字会，更新 1 个" in output
    assert Chapter.objects.get(code="610103").name == "西安市碑林区红十字会"
    assert Chapter.objects.count() == 8
    assert set(read_admins(tmp_path / "admins2.csv")) == {"610104"}
    assert User.objects.filter(username__startswith="admin-").count() == 8
    change = Change.objects.get(table="redcross_chapter", action="update")
    assert (change.before, change.after) == ({"name": "碑林区红十字会"}, {"name": "西安市碑林区红十字会"})


def test_a_file_without_bom_or_header_hanging_under_an_existing_chapter_is_loaded(tree, tmp_path):
    # 汉阴县 exists (the tree fixture); 610929 hangs under the existing 安康市.
    path = write(tmp_path, "610929,白河县红十字会,610900\n610921,汉阴县红十字会,610900\n")
    output = load(path, tmp_path / "admins.csv")
    assert "新建 1 个红十字会，更新 0 个，其余 1 个未变" in output
    assert Chapter.objects.get(code="610929").path == "610000/610900/610929/"
    assert set(read_admins(tmp_path / "admins.csv")) == {"610929"}


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        (
            "610000,陕西省红十字会,\n61090,安康市红十字会,610000\n610100,,610000\n",
            ["第2行 代码：“61090”不是6位行政区划代码", "第3行 名称：不能为空"],
        ),
        (
            "610000,陕西省红十字会,\n610900,安康市红十字会,619900\n",
            ["第2行 上级代码：619900既不在文件中，也不是已有的红十字会"],
        ),
        (
            "610000,陕西省红十字会,\n610300,宝鸡市红十字会,610301\n610301,渭滨区红十字会,610300\n",
            ["第2、3行 上级代码：上下级关系成环（610300 → 610301 → 610300）"],
        ),
        ("610900,安康市红十字会,610900\n", ["第1行 上级代码：不能是本级代码"]),
        ("610000,陕西省红十字会,\n610000,陕西省,\n", ["第2行 代码：610000与第1行重复"]),
        (
            "610000,陕西省红十字会,\n610900,安康市红十字会,610921\n610921,汉阴县红十字会,610000\n",
            ["第2行 上级代码：610921（县级）的级别不高于610900（市级）"],
        ),
        ("610000,陕西省红十字会,,多余\n", ["第1行：应有3列（代码、名称、上级代码），实有4列"]),
    ],
)
def test_a_faulty_file_names_each_bad_line_and_saves_nothing(tree, tmp_path, text, problems):
    before = everything()
    out = io.StringIO()
    with pytest.raises(CommandError, match="未保存任何红十字会"):
        call_command(
            "load_chapters", str(write(tmp_path, text)), "--admins", str(tmp_path / "a.csv"), stdout=out
        )
    assert out.getvalue().splitlines() == problems
    assert everything() == before
    assert not (tmp_path / "a.csv").exists()


def test_a_file_not_in_utf8_names_its_line(db, tmp_path):
    path = write(tmp_path, "610000,陕西省红十字会,\n610900,安康市红十字会,610000\n", encoding="gbk")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_chapters", str(path), "--admins", str(tmp_path / "a.csv"), stdout=out)
    assert out.getvalue().splitlines() == ["第1行：文件不是UTF-8编码，请另存为UTF-8的CSV"]
    assert not Chapter.objects.exists()


def test_new_chapters_need_an_admins_file_and_an_existing_one_is_never_overwritten(db, tmp_path):
    path = write(tmp_path, PROVINCE)
    with pytest.raises(CommandError, match="请用 --admins"):
        load(path)
    existing = tmp_path / "admins.csv"
    existing.write_text("earlier passwords")
    with pytest.raises(CommandError, match="已存在"):
        load(path, existing)
    assert existing.read_text() == "earlier passwords"
    assert not Chapter.objects.exists() and not User.objects.exists()


def test_a_taken_first_administrator_username_stops_the_whole_load(db, tmp_path):
    User.objects.create_user("admin-610922", password="someone-else-2026")
    before = everything()
    with pytest.raises(CommandError):
        load(write(tmp_path, PROVINCE), tmp_path / "admins.csv")
    assert everything() == before
    assert not (tmp_path / "admins.csv").exists()


def test_a_chapter_given_another_parent_moves_with_its_whole_subtree(db, tmp_path):
    load(write(tmp_path, PROVINCE), tmp_path / "admins.csv")
    # A city given another parent (here a province new in the same file) moves, counties and all.
    moved = "620000,甘肃省红十字会,\n610900,安康市红十字会,620000\n"
    output = load(write(tmp_path, moved, "v2.csv"), tmp_path / "admins2.csv")
    assert "新建 1 个红十字会，更新 1 个" in output
    paths = dict(Chapter.objects.values_list("code", "path"))
    assert paths["610900"] == "620000/610900/"
    assert paths["610921"] == "620000/610900/610921/" and paths["610922"] == "620000/610900/610922/"
    assert paths["610102"] == "610000/610100/610102/"


def test_a_cycle_through_chapters_already_held_is_refused(tree, tmp_path):
    """陕西 put under 汉阴县, which the database holds under 安康 under 陕西: a cycle although the
    file has one line."""
    before = everything()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_chapters", str(write(tmp_path, "610000,陕西省红十字会,610921\n")), stdout=out)
    assert out.getvalue().splitlines() == [
        "第1行 上级代码：上下级关系成环（610000 → 610921 → 610900 → 610000）"
    ]
    assert everything() == before
