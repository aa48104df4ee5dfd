"""Behind the deployment's proxies (TRUSTED_PROXIES) the client is the right-most
X-Forwarded-For entry that is not one of them: one client's failures lock out that client,
not the proxy and everyone behind it."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import requests
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from journeys.api import limits
from journeys.models import Event
from onboarding.client_address import client_address_from, trusted_networks
from onboarding.env import env_networks

PROXIES = trusted_networks(("10.0.0.0/8", "fd00::/8"))


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the left part is the client's
        ("10.0.0.2", "198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two proxies of ours
        ("203.0.113.1", "198.51.100.7", "203.0.113.1"),  # not our proxy: its word counts nothing
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "not-an-address, 10.0.0.9", "10.0.0.9"),
        ("10.0.0.2", "10.0.0.8, 10.0.0.9", "10.0.0.8"),
        ("fd00::1", "2001:db8::7", "2001:db8::7"),
        ("::ffff:10.0.0.2", "[2001:db8::7]", "2001:db8::7"),
    ],
)
def test_the_client_is_the_right_most_address_that_is_not_a_proxy(remote, forwarded, client):
    assert client_address_from(remote, forwarded, PROXIES) == client


def test_without_trusted_proxies_a_client_cannot_name_its_own_address(
    client, settings, monkeypatch, db
):
    settings.TRUSTED_PROXIES = []
    settings.EVENT_API_AUTH_FAILURES_PER_MINUTE = 1
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: 6000.5))  # one minute
    cache.clear()
    guess = {"content_type": "application/json", "headers": {"Authorization": "Bearer sw_guess"}}

    first = client.post("/v1/track", {}, HTTP_X_FORWARDED_FOR="198.51.100.7", **guess)
    second = client.post("/v1/track", {}, HTTP_X_FORWARDED_FOR="198.51.100.8", **guess)

    assert (first.status_code, second.status_code) == (401, 429)


def test_a_bad_entry_in_trusted_proxies_is_named(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 10.0.0.300")

    with pytest.raises(ImproperlyConfigured, match=r"TRUSTED_PROXIES: '10.0.0.300' is not"):
        env_networks("TRUSTED_PROXIES")


def test_bad_keys_from_one_client_do_not_lock_out_another_behind_the_proxy(
    client, settings, monkeypatch, write_key
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.EVENT_API_AUTH_FAILURES_PER_MINUTE = 3
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: 6000.5))  # one minute
    cache.clear()
    event = {"userId": "ada", "event": "Signed Up"}
    via_nginx = {"REMOTE_ADDR": "10.0.0.2", "content_type": "application/json"}

    guesses = [
        client.post(
            "/v1/track",
            event,
            headers={"Authorization": f"Bearer sw_guess{i}"},
            HTTP_X_FORWARDED_FOR="203.0.113.66",
            **via_nginx,
        ).status_code
        for i in range(5)
    ]
    sdk = client.post(
        "/v1/track",
        event,
        headers={"Authorization": f"Bearer {write_key}"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **via_nginx,
    )

    assert guesses == [401, 401, 401, 429, 429]
    assert sdk.status_code == 200
    assert Event.objects.count() == 1


PASSWORD = "correct horse battery"


def _login(url: str, username: str, password: str, address: str) -> requests.Response:
    session = requests.Session()
    session.headers["X-Forwarded-For"] = address
    page = session.get(f"{url}/admin/login/", timeout=5)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        f"{url}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": f"{url}/admin/login/"},
        timeout=5,
    )


@pytest.mark.django_db(transaction=True)
def test_failed_log_ins_from_one_client_do_not_lock_out_the_real_admin(live_server, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # the live server is reached as through nginx
    get_user_model().objects.create_user("ada", password=PASSWORD, is_staff=True)

    for i in range(10):
        _login(live_server.url, f"someone-{i}", "guess", "203.0.113.66")
    attacker = _login(live_server.url, "ada", PASSWORD, "203.0.113.66")
    admin = _login(live_server.url, "ada", PASSWORD, "198.51.100.7")

    assert attacker.status_code == 429
    assert admin.status_code == 200
    assert "Log out" in admin.text
