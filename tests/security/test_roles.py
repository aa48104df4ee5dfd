"""Roles as a matrix: every admin page, every admin action and every staff page, opened
and sent as each role, answers as journeys/admin/roles.py says; no one but an administrator
ever reads an identity secret; every action that runs is in the audit log."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_q.models import OrmQ, Schedule, Task
from django_q.signing import SignedPackage

from channels.delivery.subscriptions import subscription_set
from channels.delivery.suppression import address_suppress
from channels.models import DeliverySettings, Message
from journeys.admin.roles import (
    ADMIN_PAGES,
    GROUP_NAMES,
    GROUP_PERMISSIONS,
    STAFF_PAGES,
    AdminPage,
    Role,
    StaffPage,
    table_markdown,
)
from journeys.core.traits import extract_known_traits
from journeys.models import AuditEntry, Contact, IdentitySecret, Journey, KeywordReply
from journeys.people.ingest import Incoming
from journeys.people.secret_keys import secret_key_create
from journeys.people.sources import identity_secret_rotate, source_create
from journeys.run.events import event_ingest
from journeys.run.journeys import journey_import, journey_pause
from journeys.tasks import process_pending_events

ROOT = Path(__file__).resolve().parents[2]
YES, NO = "yes", "—"


def _welcome(key: str) -> dict:
    document = json.loads((ROOT / "examples" / "welcome.json").read_text())
    return document | {"key": key, "name": key.title()}


def _ingest(source_id: int) -> None:
    now = timezone.now()
    traits = {"email": "ada@example.com", "firstName": "Ada"}
    common = {"user_id": "ada", "anonymous_id": None, "timestamp": now}
    event_ingest(
        source_id=source_id,
        messages=[
            Incoming(
                type="identify",
                name="Identify",
                traits=traits,
                known=extract_known_traits(traits),
                message_id="m1",
                **common,
            ),
            Incoming(
                type="track",
                name="Signed Up",
                properties={"plan": "free"},
                message_id="m2",
                **common,
            ),
        ],
        received_at=now,
    )
    process_pending_events(linger=0)


def _task(success: bool) -> Task:
    return Task.objects.create(
        id=("a" if success else "b") * 32,
        name=f"task-{success}",
        func="math.floor",
        args=(1.5,),
        kwargs={},
        started=timezone.now(),
        stopped=timezone.now(),
        success=success,
        result=1,
    )


@pytest.fixture
def world(db, settings, django_capture_on_commit_callbacks):
    """One row of every model in the admin, made by the real services where there are any."""
    settings.CHANNELS_QUIET_HOURS = {}
    source, _ = source_create(name="Web app", allowed_origins=["https://app.example.com"])
    identity_secret_rotate(source=source)  # two active: one to retire
    secret_key_create(name="CRM")
    journey_import(data=_welcome("welcome"), publish=True)
    journey_import(data=_welcome("second"), publish=False)
    journey_pause(journey=journey_import(data=_welcome("third"), publish=True))
    with django_capture_on_commit_callbacks(execute=True):
        _ingest(source.pk)
    contact = Contact.objects.get(user_id="ada")
    subscription_set(contact_id=contact.pk, channel="sms", state="unsubscribed", reason="STOP")
    address_suppress(
        channel="email", address="gone@example.com", reason="bounced", detail="", now=timezone.now()
    )
    DeliverySettings.objects.get_or_create(pk=1)
    KeywordReply.objects.create(source=source, phrase="price", answer="See pricing.")
    users = {
        Role.NO_GROUP: User.objects.create_user("nora", is_staff=True),
        Role.VIEWER: User.objects.create_user("rita", is_staff=True),
        Role.EDITOR: User.objects.create_user("ada", is_staff=True),
        Role.ADMIN: User.objects.create_superuser("root", "root@example.com", "pw"),
    }
    for role, name in GROUP_NAMES.items():
        users[role].groups.add(Group.objects.get(name=name))
    TOTPDevice.objects.create(user=users[Role.ADMIN], name="phone")
    access = {"user_agent": "x", "ip_address": "203.0.113.9", "http_accept": "*/*"}
    access["path_info"] = "/"
    AccessAttempt.objects.create(get_data="", post_data="", failures_since_start=1, **access)
    AccessLog.objects.create(username="rita", **access)
    AccessFailureLog.objects.create(username="rita", **access)
    Schedule.objects.get_or_create(func="math.floor", defaults={"args": "1.5"})
    _task(success=True)
    _task(success=False)
    package = {"id": "c" * 32, "name": "queued", "func": "math.floor", "args": (1.5,)}
    OrmQ.objects.create(key=settings.Q_CLUSTER["name"], payload=SignedPackage.dumps(package))
    return {
        "users": users,
        "secrets": [
            secret.encode()
            for secret in IdentitySecret.objects.filter(source=source).values_list(
                "secret", flat=True
            )
        ],
        "step": "hello",
    }


def _client(world: dict, role: Role) -> Client:
    client = Client()
    client.force_login(world["users"][role])
    return client


@contextmanager
def rolled_back() -> Iterator[None]:
    """Whatever happens inside is undone, so each role finds the same rows."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _model(page: AdminPage):
    app_label, name = page.model.split(".")
    return next(m for m in admin.site._registry if m._meta.label == f"{app_label}.{name}")


def _admin_url(page: AdminPage, what: str) -> str:
    model = _model(page)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    if what in ("changelist", "add"):
        return reverse(f"{prefix}_{what}")
    pk = model._default_manager.order_by("pk").first().pk
    return reverse(f"{prefix}_{what}", args=[pk])


def _verdict(status: int) -> str:
    if status == 403:
        return NO
    if status in (200, 302):
        return YES
    return str(status)


def _expected(who, role: Role) -> str:
    return YES if role in who else NO


def _staff_url(page: StaffPage) -> str:
    journey = Journey.objects.get(key="welcome")
    key, step = {"key": "welcome"}, {"key": "welcome", "step": "hello"}
    kwargs = {
        "admin:journeys_journey_export": {"pk": journey.pk},
        "admin:channels_message_rendered": {"pk": Message.objects.first().pk},
        "builder:journey-export": key,
        "builder:journey-duplicate": key,
        "builder:journey-archive": key,
        "builder:canvas": key,
        "builder:outline": key,
        "builder:trigger": key,
        "builder:step-insert": key,
        "builder:history": key | {"way": "undo"},
        "builder:step-editor": step,
        "builder:step-delete": step,
        "builder:step-move": step,
        "builder:step-duplicate": step,
        "builder:preview": step,
        "builder:people": step,
        "builder:test-send": step,
        "builder:languages": step,
        "builder:languages-save": step,
        "builder:checks": key,
        "builder:dry-run": key,
        "builder:backtest": key,
        "builder:publish": key,
        "builder:status": key | {"change": "pause"},
        "builder:versions": key,
        "builder:version": key | {"number": 1},
        "builder:restore": key | {"number": 1},
        "reports:journey": key,
        "reports:csv": key | {"table": "funnel"},
        "reports:xlsx": key | {"table": "funnel"},
        "admin:otp_totp_totpdevice_config": {"pk": TOTPDevice.objects.get().pk},
        "admin:otp_totp_totpdevice_qrcode": {"pk": TOTPDevice.objects.get().pk},
        "inbox:conversation": {"contact_id": Contact.objects.first().pk},
        "inbox:answer": {"contact_id": Contact.objects.first().pk},
        "reports:dropoff": step,
        "reports:dropoff-csv": step,
        "reports:dropoff-action": step,
    }.get(page.url_name, {})
    return reverse(page.url_name, kwargs=kwargs)


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_every_model_and_action_of_the_admin_is_in_the_table(world):
    request = type("R", (), {"user": world["users"][Role.ADMIN], "GET": {}})()
    in_admin = {
        model._meta.label: set(model_admin.get_actions(request))
        for model, model_admin in admin.site._registry.items()
    }

    in_table = {page.model: set(page.all_actions()) for page in ADMIN_PAGES}

    assert in_admin == in_table


STANDARD_ADMIN_VIEWS = re.compile(
    r"^(index|login|logout|password_change|password_change_done|autocomplete|jsi18n|"
    r"view_on_site|app_list|.+_(changelist|add|change|delete|history))$"
)


def test_every_staff_page_is_in_the_table():
    resolver = get_resolver()
    names = {
        f"{namespace}:{name}"
        for namespace in ("builder", "reports", "inbox", "admin")
        for name in resolver.namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str) and not (namespace == "admin" and STANDARD_ADMIN_VIEWS.match(name))
    }

    assert names | {"admin:index"} == {page.url_name for page in STAFF_PAGES}


def test_the_groups_hold_exactly_the_tables_permissions(db):
    for role, name in GROUP_NAMES.items():
        held = {
            f"{app}.{code}"
            for app, code in Permission.objects.filter(group__name=name).values_list(
                "content_type__app_label", "codename"
            )
        }
        assert held == GROUP_PERMISSIONS[role]


def test_docs_security_prints_the_table():
    assert table_markdown() in (ROOT / "docs" / "security.md").read_text()


@pytest.mark.parametrize("role", list(Role))
def test_every_admin_page_answers_as_the_table_says(world, role):
    client = _client(world, role)
    expected, seen = {}, {}
    for page in ADMIN_PAGES:
        for what, who in (("changelist", page.see), ("change", page.see), ("add", page.add)):
            seen[(page.model, what)] = _verdict(client.get(_admin_url(page, what)).status_code)
            expected[(page.model, what)] = _expected(who, role)
        seen[(page.model, "delete")] = _verdict(client.get(_admin_url(page, "delete")).status_code)
        expected[(page.model, "delete")] = _expected(page.delete, role)
        with rolled_back():
            saved = client.post(_admin_url(page, "change"), {})
        seen[(page.model, "save")] = _verdict(saved.status_code)
        expected[(page.model, "save")] = _expected(page.change, role)

    assert seen == expected


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_page_opens_as_the_table_says(world, role):
    client = _client(world, role)
    pages = [page for page in STAFF_PAGES if page.get is not None]

    seen = {page.url_name: _verdict(client.get(_staff_url(page)).status_code) for page in pages}

    assert seen == {page.url_name: _expected(page.get, role) for page in pages}


@pytest.mark.parametrize(
    "page", [page for page in STAFF_PAGES if page.post is not None], ids=lambda p: p.url_name
)
def test_every_staff_form_takes_a_post_as_the_table_says(world, page):
    seen = {}
    for role in Role:
        with rolled_back():
            status = _client(world, role).post(_staff_url(page), {}).status_code
        seen[role] = NO if status == 403 else YES

    assert seen == {role: _expected(page.post, role) for role in Role}


ACTIONS = [(page, name) for page in ADMIN_PAGES for name in page.all_actions()]


@pytest.mark.parametrize(("page", "action"), ACTIONS, ids=[f"{p.model}:{a}" for p, a in ACTIONS])
def test_every_admin_action_runs_for_the_tables_roles_only_and_is_audited(world, page, action):
    """An action that runs leaves an audit entry, so "ran" is "the audit log grew"."""
    picked = list(_model(page)._default_manager.values_list("pk", flat=True))
    seen = {}
    for role in Role:
        with rolled_back():
            before = AuditEntry.objects.count()
            _client(world, role).post(
                _admin_url(page, "changelist"),
                {"action": action, "_selected_action": picked, "post": "yes"},
            )
            seen[role] = YES if AuditEntry.objects.count() > before else NO

    assert seen == {role: _expected(page.all_actions()[action], role) for role in Role}


@pytest.mark.parametrize("role", list(Role))
def test_only_administrators_ever_read_an_identity_secret(world, role):
    client = _client(world, role)
    bodies = [_body(client.get(_staff_url(page))) for page in STAFF_PAGES if page.get]
    for page in ADMIN_PAGES:
        bodies += [_body(client.get(_admin_url(page, what))) for what in ("changelist", "change")]

    shown = [secret for secret in world["secrets"] if any(secret in body for body in bodies)]

    assert shown == (world["secrets"] if role is Role.ADMIN else [])
