"""Hardening: login rate-limited per username and address (django-axes) with a cool-off, behind a
reverse proxy whose X-Forwarded-For is read from the right; sessions that expire; passwords
validated."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from redcross.choices import Role
from redcross.security import client_ip

LOGIN = "/accounts/login/"


def attempt(client, username, password, address="10.0.0.1", **headers):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


@pytest.fixture
def colleagues(member, tree):
    users = [member(Role.STAFF, tree.naiman, "zhang"), member(Role.STAFF, tree.naiman, "li")]
    for user in users:
        user.set_password("correct-horse-9")
        user.save()
    return users


def test_five_wrong_passwords_lock_that_username_at_that_address_out(client, colleagues):
    for _ in range(4):
        response = attempt(client, "zhang", "guess")
        assert response.status_code == 200 and "请输入一个正确的" in response.content.decode()
    assert attempt(client, "zhang", "guess").status_code == 429  # the fifth failure locks
    locked = attempt(client, "zhang", "correct-horse-9")
    assert locked.status_code == 429
    assert "登录失败次数过多，已暂停登录 15 分钟" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_attacker_cannot_lock_a_colleague_out_from_elsewhere(colleagues):
    attacker, colleague = Client(), Client()
    for _ in range(6):
        attempt(attacker, "zhang", "guess", address="203.0.113.9")
    assert attempt(attacker, "zhang", "correct-horse-9", address="203.0.113.9").status_code == 429
    # The same username from the colleague's own address, and another username from the attacker's.
    assert attempt(colleague, "zhang", "correct-horse-9", address="10.0.0.7").status_code == 302
    assert attempt(Client(), "li", "correct-horse-9", address="203.0.113.9").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, colleagues, settings):
    from axes.models import AccessAttempt

    for _ in range(5):
        attempt(client, "zhang", "guess")
    assert attempt(client, "zhang", "correct-horse-9").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )
    assert attempt(client, "zhang", "correct-horse-9").status_code == 302


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(settings, colleagues):
    settings.REVERSE_PROXY_COUNT = 1
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.20")
    assert client_ip(spoofed) == "198.51.100.20"  # what the client wrote itself (1.2.3.4) is not believed
    settings.REVERSE_PROXY_COUNT = 0
    assert client_ip(spoofed) == "127.0.0.1"
    # Through the proxy, each client address is locked out on its own.
    settings.REVERSE_PROXY_COUNT = 1
    one, other = Client(), Client()
    for _ in range(5):
        attempt(one, "zhang", "guess", address="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert (
        attempt(
            one, "zhang", "correct-horse-9", "127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20"
        ).status_code
        == 429
    )
    assert (
        attempt(
            other, "zhang", "correct-horse-9", "127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.21"
        ).status_code
        == 302
    )


def test_sessions_end_with_the_browser_and_after_eight_hours(client, colleagues):
    attempt(client, "zhang", "correct-horse-9")
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 8 * 60 * 60
    assert client.get(reverse("home")).status_code == 200


def test_weak_passwords_are_refused_in_chinese():
    with pytest.raises(ValidationError) as refusal:
        validate_password("12345678")
    messages = " ".join(refusal.value.messages)
    assert "密码太短：至少需要 10 个字符。" in messages
    assert "这个密码太常见了" in messages
    assert "密码只包含数字" in messages
