"""Identity secrets: shown to staff, rotated with an overlap, every rotation audited."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from journeys.models import AuditEntry, IdentitySecret, Source
from journeys.people.sources import source_create


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command("identity_secret", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_command_prints_the_active_secret_alone_on_its_last_line(db):
    source, _ = source_create(name="Web app", allowed_origins=["https://app.example.com"])

    lines = _run("Web app")

    assert lines[-1] == IdentitySecret.objects.get(source=source).secret
    assert lines[-1].startswith("swid_")


def test_rotate_keeps_the_old_secret_until_retire_old(db):
    source, _ = source_create(name="Web app")
    old = IdentitySecret.objects.get(source=source).secret

    rotated = _run("Web app", "--rotate")[-1]
    active_during = set(
        IdentitySecret.objects.filter(retired_at__isnull=True).values_list("secret", flat=True)
    )
    retired = _run("Web app", "--retire-old")[-1]

    assert rotated != old
    assert active_during == {old, rotated}
    assert retired == rotated
    assert list(
        IdentitySecret.objects.filter(retired_at__isnull=True).values_list("secret", flat=True)
    ) == [rotated]
    assert list(AuditEntry.objects.order_by("id").values_list("action", "actor_label")) == [
        ("identity_secret.rotated", "manage.py identity_secret"),
        ("identity_secret.retired", "manage.py identity_secret"),
    ]


def test_an_unknown_source_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No active source named 'Nope'"):
        _run("Nope")


def test_the_admin_shows_and_rotates_the_secret(admin_client, db):
    source, _ = source_create(name="Web app", allowed_origins=["https://app.example.com"])
    secret = IdentitySecret.objects.get(source=source).secret

    page = admin_client.get(f"/admin/journeys/source/{source.pk}/change/").content.decode()
    admin_client.post(
        "/admin/journeys/source/",
        {"action": "rotate_identity_secret", "_selected_action": [source.pk]},
    )

    assert secret in page
    assert "Browser source" in page
    assert IdentitySecret.objects.filter(source=source, retired_at__isnull=True).count() == 2
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_label) == ("identity_secret.rotated", "admin")


def test_a_browser_source_cannot_turn_verification_off(admin_client, db):
    source, _ = source_create(name="Web app", allowed_origins=["https://app.example.com"])

    response = admin_client.post(
        f"/admin/journeys/source/{source.pk}/change/",
        {"name": "Web app", "allowed_origins": '["https://app.example.com"]', "timezone": ""},
    )

    assert response.status_code == 302
    assert Source.objects.get().identity_verification is True
