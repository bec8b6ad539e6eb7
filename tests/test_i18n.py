"""Simplified Chinese by default, English on request; nothing fetched from outside."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from redcross.choices import Role


def test_chinese_is_the_default(client, member, tree):
    client.force_login(member(Role.STAFF, tree.naiman))
    html = client.get(reverse("aid:disbursement-list")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登记救助发放" in html


def test_english_is_switchable(client, member, tree):
    client.force_login(member(Role.STAFF, tree.naiman))
    response = client.post(reverse("set_language"), {"language": "en", "next": "/aid/"})
    assert response.status_code == 302
    html = client.get(reverse("aid:disbursement-list")).content.decode()
    assert '<html lang="en">' in html
    assert "Record a relief payment" in html
    errors = client.post(reverse("aid:disbursement-create"), {"recipient": "person", "id_number": "1"})
    assert "An ID number has 18 characters: 17 digits, then a digit or X" in errors.content.decode()


def test_the_login_page_offers_the_language_switch_before_logging_in(client):
    html = client.get(reverse("login")).content.decode()
    assert 'action="/i18n/setlang/"' in html


def test_pages_and_styles_load_nothing_from_outside():
    """No CDN, no web font: templates and stylesheets name no outside address."""
    outside = re.compile(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.I)
    files = list(Path(settings.BASE_DIR, "templates").rglob("*.html"))
    files += list(Path(settings.BASE_DIR, "static").rglob("*.css"))
    assert files
    offenders = [str(f) for f in files if outside.search(f.read_text()) or "@import" in f.read_text()]
    assert offenders == []


def test_every_message_has_its_english(tmp_path):
    """Messages are gathered afresh from a copy of the code, so a string added without its
    English fails here, not in front of an English-speaking user."""
    import shutil
    import subprocess
    import sys

    import polib

    base = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(
        base, copy, ignore=shutil.ignore_patterns(".venv", ".git", "tests", "*.mo", "node_modules")
    )
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "en", "-v0"], cwd=copy, check=True)
    fresh = polib.pofile(copy / "locale/en/LC_MESSAGES/django.po")
    missing = [e.msgid for e in fresh if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []
