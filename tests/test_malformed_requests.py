"""Malformed requests (issue 14): each one the issue names gets a Chinese answer (a 400 page naming
the parameter, a form error, a redirect to this site only) and changes nothing; and every URL of
the URL conf, walked with hostile path arguments, query strings and POST bodies, as staff, a leader
and an anonymous visitor, never answers 500.

The walk is property-based (Hypothesis): for each route a fixed number of requests is drawn from
hostile values (NUL bytes, huge and negative numbers, unicode, very long strings, ``javascript:``,
``//evil``, ``../``) for the parameters the pages read (``year``, ``chapter``, ``period``,
``page``, ``next``, the periods' dates, every filter of the page's FilterSet and every field of
its form). It is derandomized, so a run is repeatable, and each request runs in a transaction rolled
back afterwards, so one request's writes never change what the next one sees. Each route also gets
a few fixed requests with every parameter hostile at once. About 45 s on SQLite (1,600 requests).
"""

import copy
import datetime
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from redcross.choices import Role
from redcross.exports import EXPORTS

from .test_permission_matrix import MATRIX, world  # noqa: F401 — the world fixture
from .test_write_access import records  # noqa: F401 — the records fixture

HOSTILE = [
    "\x00",
    "1\x005",
    "15\x000525",
    "0",
    "-1",
    "10000",
    "2147483648",
    "99999999999999999999",
    "-99999999999999999999",
    "1e309",
    "NaN",
    "Infinity",
    "１５０５２５",
    "红十字会",
    "😀",
    "javascript:alert(1)",
    "//evil.example",
    "http://evil.example",
    "/\\evil.example",
    "../../etc/passwd",
    "2020-13-45",
    "0000-00-00",
    "9999-12-31",
    "2020H3",
    "abc",
    "",
    " ",
    "%00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
]
# A few values a page expects, so that a request gets past its first check now and then.
PLAUSIBLE = ["2020", "2020H1", "150525", "1", "2020-01-01", "2020-12-31", "true", "year", "party"]
COMMON_NAMES = [
    "year",
    "chapter",
    "period",
    "page",
    "after",
    "before",
    "sort",
    "ordering",
    "next",
    "from",
    "to",
    "date_after",
    "date_before",
    "date_0",
    "date_1",
    "reopen",
    "reason",
    "threshold",
    "action",
    "key",
    "ledger",
    "status",
    "q",
    "version",
    "language",
]
BIG_INTS = [0, 2147483648, 9223372036854775808, 10**30]
ROLES = ["staff", "leader", "anonymous"]
EXAMPLES_PER_ROUTE = 2


def routes(patterns=None, namespace=""):
    """(name, pattern) of every named URL of the URL conf, through every include."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


ROUTES = sorted(dict(routes()).items())


def parameter_names(pattern):
    """The common names, and the filters of the page's FilterSet and the fields of its form."""
    names = set(COMMON_NAMES)
    view = getattr(pattern.callback, "view_class", None)
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None:
        for name in filterset_class.base_filters:
            names.add(name)
            names.update({f"{name}_after", f"{name}_before", f"{name}_min", f"{name}_max"})
    form_class = getattr(view, "form_class", None)
    if form_class is not None and hasattr(form_class, "base_fields"):
        names.update(form_class.base_fields)
    return sorted(names)


def path_strategy(name, pattern, ids):
    """The URL of route ``name`` with each argument an existing id or key, or a hostile one:
    ``(strategy, the URL with the existing ones)``."""
    known = MATRIX.get(name, ({}, {}))[1]
    arguments = {}
    if isinstance(pattern.pattern, RegexPattern):  # a regular expression (the admin's app pages)
        for argument in pattern.pattern.regex.groupindex:
            candidates = [app.label for app in apps.get_app_configs()] + HOSTILE
            arguments[argument] = [v for v in candidates if reverses(name, argument, v)]
    for argument, converter in getattr(pattern.pattern, "converters", {}).items():
        if converter.regex == "[0-9]+":
            existing = ids.get(known.get(argument), known.get(argument))
            pool = sorted({*BIG_INTS, *(v for v in ids.values() if isinstance(v, int))})
            if isinstance(existing, int):
                pool = [existing, *pool]
            arguments[argument] = pool
        else:
            pool = [v for v in HOSTILE + PLAUSIBLE if v and re.fullmatch(converter.regex, v)]
            existing = known.get(argument)
            if name == "export-create":
                pool = sorted(EXPORTS) + pool
            elif existing:
                pool = [existing, *pool]
            arguments[argument] = pool
    pools = {argument: pool for argument, pool in arguments.items()}
    existing = reverse(name, kwargs={argument: pool[0] for argument, pool in pools.items()})
    strategies = {argument: st.sampled_from(pool) for argument, pool in pools.items()}
    return st.fixed_dictionaries(strategies).map(lambda kwargs: reverse(name, kwargs=kwargs)), existing


def reverses(name, argument, value):
    try:
        reverse(name, kwargs={argument: value})
    except NoReverseMatch:
        return False
    return True


def values():
    return st.one_of(
        st.sampled_from(HOSTILE + PLAUSIBLE),
        st.just(5000).map(lambda length: "x" * length),
        st.text(max_size=12),
        st.integers().map(str),
    )


def request_strategy(name, pattern, ids):
    """Hypothesis' requests to route ``name``, and a few every route gets: every parameter at
    once a NUL byte, a huge number, a negative one (with an address off the site to go back to)."""
    names = parameter_names(pattern)
    paths, existing = path_strategy(name, pattern, ids)
    # Without a chapter, so that the page's own chapter is read and the next parameter is reached.
    others = [n for n in names if n != "chapter"]
    fixed = [
        (existing, "get", dict.fromkeys(names, "1\x005")),
        (existing, "post", dict.fromkeys(names, "1\x005")),
        (existing, "get", dict.fromkeys(others, "99999999999999999999")),
        (existing, "post", {**dict.fromkeys(others, "-1"), "next": "//evil.example"}),
    ]
    return fixed, st.tuples(
        paths,
        st.sampled_from(["get", "post"]),
        st.dictionaries(st.sampled_from(names), values(), max_size=4),
    )


# --- the malformed requests of issue 14, one by one -------------------------------------------


def database_rows():
    """Every row of the tables a malformed request could have written."""
    from donations.models import Fund
    from redcross.models import Change, ClosedPeriod, Export
    from reports.models import Report, Section

    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in (Report, Section, ClosedPeriod, Export, Change, Fund)
    }


@pytest.fixture
def county(tree, member):
    return {
        "staff": member(Role.STAFF, tree.naiman, "r-staff"),
        "leader": member(Role.LEADER, tree.naiman, "r-leader"),
        "admin": member(Role.ADMIN, tree.naiman, "r-admin"),
    }


@pytest.mark.parametrize("page", ["/", "/training/"])
@pytest.mark.parametrize("year", ["0", "-1", "10000", "99999999999999999999", "２０２０", "2020\x00"])
def test_a_year_no_calendar_holds_is_answered_with_a_chinese_400(client, county, page, year):
    client.force_login(county["leader"])
    response = client.get(page, {"year": year})
    assert response.status_code == 400
    assert "年度参数无效：应为 1904 至 2100 之间的四位数年份" in response.content.decode()


@pytest.mark.parametrize("page", ["/", "/training/"])
def test_a_sane_year_still_shows_its_page(client, county, page):
    client.force_login(county["leader"])
    response = client.get(page, {"year": "2020"})
    assert response.status_code == 200 and response.context["year"] == 2020


@pytest.mark.parametrize("page", ["/", "/training/", "/reports/"])
@pytest.mark.parametrize("code", ["15\x000525", "\x00", "1505250", "１５０５２５", "150525'--"])
def test_a_nul_byte_or_a_malformed_code_in_chapter_is_answered_with_a_chinese_400(client, county, page, code):
    client.force_login(county["leader"])
    response = client.get(page, {"chapter": code})
    assert response.status_code == 400
    assert "红十字会参数无效：应为6位行政区划代码" in response.content.decode()


def test_a_chapter_the_user_does_not_read_is_still_not_found(client, county):
    client.force_login(county["leader"])
    assert client.get("/", {"chapter": "610921"}).status_code == 404


def test_a_nul_byte_in_the_chapter_of_a_report_to_open_is_refused_and_opens_nothing(client, county):
    client.force_login(county["leader"])
    before = database_rows()
    response = client.post(reverse("reports:report-open"), {"chapter": "15\x000525", "period": "2020"})
    assert response.status_code == 400
    assert "红十字会参数无效" in response.content.decode()
    assert database_rows() == before


@pytest.mark.parametrize("reopen", ["abc", "1\x00", "99999999999999999999", "-1", ""])
def test_reopening_a_period_whose_number_is_garbage_is_refused_and_reopens_nothing(
    client, tree, county, reopen
):
    from redcross.choices import PeriodKind
    from redcross.services import period_close

    period_close(chapter=tree.naiman, user=county["leader"], kind=PeriodKind.YEAR, year=2020)
    client.force_login(county["admin"])
    before = database_rows()
    response = client.post(reverse("periods"), {"reopen": reopen, "reason": "更正"})
    assert response.status_code == 400
    assert "重新开放的期间参数无效：应为记录编号（数字）" in response.content.decode()
    assert database_rows() == before


@pytest.mark.parametrize(
    "next_url",
    ["javascript:alert(1)", "http://evil.example", "//evil.example", "/\\evil.example", "https:evil.example",
     "-1", "/aid/\r\nSet-Cookie: x=1"],
)  # fmt: skip
def test_an_export_with_a_bad_date_goes_back_only_to_a_page_of_this_site(client, county, next_url):
    client.force_login(county["leader"])
    before = database_rows()
    response = client.post(
        reverse("export-create", args=["disbursements"]), {"date_after": "2020-13-45", "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "期间: 输入一个有效的日期。" in page
    assert database_rows() == before


def test_an_export_with_a_bad_date_goes_back_to_the_list_it_came_from(client, county):
    client.force_login(county["leader"])
    response = client.post(
        reverse("export-create", args=["disbursements"]),
        {"date_after": "2020-13-45", "next": "/aid/?chapter=150525&page=2"},
    )
    assert response["Location"] == "/aid/?chapter=150525&page=2"


def test_the_fund_pages_export_names_the_fund_in_its_header(client, tmp_path, tree, county):
    from .factories import FundFactory
    from .test_exports import Sheet

    fund = FundFactory(chapter=tree.naiman, name="博爱一日捐")
    FundFactory(chapter=tree.naiman, name="其他基金")
    client.force_login(county["leader"])
    page = client.get(reverse("donations:fund-detail", args=[fund.pk])).content.decode()
    assert f'name="fund" value="{fund.pk}"' in page  # the page's export button posts its fund
    response = client.post(reverse("export-create", args=["funds"]), {"fund": fund.pk, "next": "/"})
    path = tmp_path / "fund.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    sheet = Sheet(path)
    assert sheet.meta["筛选条件"] == "基金：博爱一日捐"
    assert set(sheet.column("基金")) - {None} == {"博爱一日捐"}


@pytest.mark.parametrize("fund", ["99999999999999999999", "abc", "1\x00", "-1"])
def test_a_fund_export_naming_no_fund_the_user_reads_is_refused_with_the_field_named(client, county, fund):
    client.force_login(county["leader"])
    response = client.post(reverse("export-create", args=["funds"]), {"fund": fund, "next": "/"}, follow=True)
    assert "基金: " in response.content.decode()


def test_whoever_entered_a_pending_payment_cannot_open_its_approval_page(client, tree, county):
    from aid.models import AidCategory
    from aid.services import disbursement_record

    tree.naiman.approval_threshold = Decimal("100")
    tree.naiman.save()
    payment = disbursement_record(
        chapter=tree.naiman, user=county["admin"], date=datetime.date(2020, 6, 1),
        category=AidCategory.objects.get(name="重特大疾病救助"), cash_amount=Decimal("500"),
        beneficiary_name="张三",
    )  # fmt: skip
    assert payment.pending
    url = reverse("aid:disbursement-approve", args=[payment.pk])
    client.force_login(county["admin"])
    response = client.get(url)
    assert response.status_code == 403
    assert "录入或更正该记录的人不能审批它，请由其他领导审批" in response.content.decode()
    client.force_login(county["leader"])
    assert client.get(url).status_code == 200


# --- the walk ---------------------------------------------------------------------------------


def examples_for(name):
    """Requests per route: the admin's pages only send these visitors to its login; a PDF takes a
    second to render."""
    if name.startswith("admin:"):
        return 1
    if name.endswith("-pdf"):
        return 2
    return EXAMPLES_PER_ROUTE


@pytest.mark.parametrize("role", ROLES)
def test_no_url_answers_500_to_hostile_parameters(world, role):  # noqa: F811
    users, ids = world
    signed_in = Client()
    if role != "anonymous":
        signed_in.force_login(users[role])

    failures = []
    for name, pattern in ROUTES:
        fixed, requests = request_strategy(name, pattern, ids)

        @settings(
            max_examples=examples_for(name),
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(requests)
        def answers_without_500(request):
            url, method, params = request
            visitor = Client(raise_request_exception=False)
            visitor.cookies = copy.copy(signed_in.cookies)
            with transaction.atomic():
                response = getattr(visitor, method)(url, params)
                transaction.set_rollback(True)
            assert response.status_code != 500, (role, method, url, params)

        if not name.startswith("admin:"):
            for request in fixed:
                answers_without_500 = example(request)(answers_without_500)
        try:
            answers_without_500()
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)


def test_the_walk_reaches_every_route():
    """Each named route of the URL conf is walked, the app's own and Django's (admin included)."""
    names = {name for name, _pattern in ROUTES}
    assert {"home", "training:overview", "reports:report-open", "periods", "export-create"} <= names
    assert "admin:index" in names
    assert resolve("/exports/new/disbursements/").url_name == "export-create"
