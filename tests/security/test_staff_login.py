"""Issue 12: the admin log-in cannot be guessed forever (django-axes), and staff may add
TOTP two-factor (django-otp). Real HTTP against a live server, CSRF and all."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from journeys.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery"


@pytest.fixture
def staff(transactional_db):
    return get_user_model().objects.create_user(
        "ada", password=PASSWORD, is_staff=True, is_superuser=True
    )


def _login(live_server, username: str, password: str, otp: str = "") -> requests.Response:
    session = requests.Session()
    page = session.get(f"{live_server.url}/admin/login/", timeout=5)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        f"{live_server.url}/admin/login/?next=/admin/",
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "otp_token": otp,
            "next": "/admin/",
        },
        headers={"Referer": f"{live_server.url}/admin/login/"},
        timeout=5,
    )


def _logged_in(response: requests.Response) -> bool:
    return response.url.rstrip("/").endswith("/admin") and "Log out" in response.text


def test_ten_wrong_passwords_lock_the_username_for_fifteen_minutes(live_server, staff):
    wrong = [_login(live_server, "ada", f"guess {i}").status_code for i in range(10)]

    locked = _login(live_server, "ada", PASSWORD)

    # the tenth failure already answers with the lock-out page
    assert wrong == [200] * 9 + [429]
    assert locked.status_code == 429
    assert "Log-in paused for 15 minutes" in locked.text
    assert not _logged_in(locked)
    assert AuditEntry.objects.filter(action="staff.locked_out").count() >= 1


def test_ten_failures_from_one_address_lock_that_address(live_server, staff):
    for i in range(10):
        _login(live_server, f"someone-{i}", "guess")

    assert _login(live_server, "ada", PASSWORD).status_code == 429


def test_the_lock_lifts_after_fifteen_minutes(live_server, staff):
    for i in range(10):
        _login(live_server, "ada", f"guess {i}")
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=16)
        attempt.save()

    assert _logged_in(_login(live_server, "ada", PASSWORD))


def test_staff_with_an_authenticator_must_give_its_code(live_server, staff):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)

    without = _login(live_server, "ada", PASSWORD)
    wrong = _login(live_server, "ada", PASSWORD, otp="000000")
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries after a wrong code; not under test here
    right = _login(live_server, "ada", PASSWORD, otp=f"{totp(device.bin_key):06d}")

    assert "Enter the 6-digit code from your authenticator app" in without.text
    assert "That code is not right" in wrong.text
    assert not _logged_in(without)
    assert not _logged_in(wrong)
    assert _logged_in(right)


def test_staff_without_an_authenticator_log_in_with_the_password(live_server, staff):
    assert _logged_in(_login(live_server, "ada", PASSWORD))
