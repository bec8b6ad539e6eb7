"""What differs in production (``redcross.settings.production``, gunicorn, WhiteNoise's hashed
static files): the report PDF keeps its stylesheet, static files are served with their hashed
names, every page carries a Content-Security-Policy, and the 400, 404 and 500 pages are Chinese
and reveal nothing of the request or the fault."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings

from reports.periods import Period
from reports.services import report_open, report_pdf

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="redcross.settings.production",
        SECRET_KEY="p" * 30 + "-only-for-the-production-test-" + "q" * 30,
        ALLOWED_HOSTS="localhost",
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """``collectstatic`` under the production settings: hashed, compressed, with a manifest."""
    root = tmp_path_factory.mktemp("staticfiles")
    env = production_env(STATIC_ROOT=str(root), DATABASE_URL=f"sqlite:///{root / 'unused.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (root / "staticfiles.json").exists()
    return root


def test_the_report_pdf_under_production_static_storage_keeps_its_stylesheet_and_font(
    tree, collected, tmp_path
):
    """The stylesheet's URL is hashed (``report.114a3c068b08.css``): the report's fetcher finds it
    through the configured storage, so the PDF has its margins, page numbers and one font."""
    with override_settings(STORAGES=PRODUCTION_STATIC, STATIC_ROOT=collected):
        from django.templatetags.static import static

        assert re.fullmatch(r"/?static/reports/report\.[0-9a-f]{12}\.css", static("reports/report.css"))
        pdf = report_pdf(report_open(chapter=tree.naiman, period=Period.parse("2020")))
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    families = {line.split()[0].split("+")[-1].removesuffix("-Bold") for line in fonts.splitlines()[2:]}
    assert families == {"Noto-Serif-CJK-SC"}, fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"第\s*1\s*页\s*共\s*\d+\s*页", text), text[-300:]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(collected, tmp_path_factory):
    """The app under gunicorn with the production settings, its static files from WhiteNoise.

    Its database is an empty SQLite file: the pages tested here need none, and a request that
    does reach the database fails, which is how the 500 page is shown."""
    empty = tmp_path_factory.mktemp("db") / "empty.sqlite3"
    port = free_port()
    env = production_env(STATIC_ROOT=str(collected), DATABASE_URL=f"sqlite:///{empty}", LOG_LEVEL="CRITICAL")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "redcross.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(url, host="localhost", **headers):
    """Status, headers and body of a GET through the TLS proxy production sits behind."""
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https", **headers})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_production_serves_hashed_static_files_with_a_content_security_policy(gunicorn):
    status, headers, html = fetch(f"{gunicorn}/accounts/login/")
    assert status == 200
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', html).group(1)
    script = re.search(r'src="(/static/js/app\.[0-9a-f]{12}\.js)"', html).group(1)
    status, headers, body = fetch(gunicorn + css)
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert "max-age=315360000" in headers["Cache-Control"]  # hashed: cached for good
    assert ".topbar" in body
    assert fetch(gunicorn + script)[0] == 200
    assert "<script>" not in html and " on" + "submit=" not in html and "style=" not in html


def test_production_pages_not_found_are_chinese(gunicorn):
    status, _headers, html = fetch(f"{gunicorn}/no-such-page/")
    assert status == 404
    assert "页面不存在" in html
    assert "Not Found" not in html


def test_a_forged_host_header_gets_the_chinese_400_page_revealing_nothing(gunicorn):
    status, _headers, html = fetch(f"{gunicorn}/accounts/login/", host="evil.example")
    assert status == 400
    assert "请求无效" in html
    for revealing in ("Bad Request", "evil.example", "ALLOWED_HOSTS", "DisallowedHost"):
        assert revealing not in html


def test_a_server_fault_gets_the_chinese_500_page_revealing_nothing(gunicorn):
    """The session is read from a database without tables: the fault is real, and unseen."""
    status, _headers, html = fetch(f"{gunicorn}/", Cookie="sessionid=abcdefghijklmnopqrstuvwxyz012345")
    assert status == 500
    assert "服务器出错" in html and "没有保存任何内容" in html
    for revealing in (
        "Server Error",
        "Traceback",
        "OperationalError",
        "no such table",
        "sqlite",
        "sessionid",
    ):
        assert revealing not in html
    assert re.search(r'href="/static/css/app\.[0-9a-f]{12}\.css"', html)
