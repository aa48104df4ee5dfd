"""Adding a channel is one module: a channel defined in tests/channels/pigeon.py and
registered through the STEPWISE_CHANNELS setting, and nowhere else, is accepted by the
journey format with its own fields, validated, rendered, queued and delivered by the
worker, opted out of, listed on profiles and preference pages, simulated, exported and
summarised. test_new_channel_pages.py follows it through the staff pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from channels.delivery.subscriptions import subscription_set
from channels.models import Message
from channels.registry import (
    channel_choices,
    channel_facts,
    channel_keys,
    render_preview,
    validate_content,
)
from channels.rendering import MessageContent, TemplateProblem
from channels.tasks import deliver_messages
from channels.web.unsubscribe import make_token
from journeys.core.format import dump_journey, parse_journey
from journeys.core.simulate import ScriptEvent, simulate
from journeys.core.steps import type_of
from journeys.models import Enrollment, Event
from journeys.people.sources import source_create
from journeys.run.journeys import journey_import
from journeys.run.profiles import contact_profile
from journeys.tasks import process_pending_events
from tests.journeys.core.helpers import T0, contact, journey_doc, problems

PIGEON_STEP = {
    "id": "coo",
    "type": "message",
    "channel": "pigeon",
    "variants": [{"subject": "Hi", "body": "Welcome, {{ contact.first_name }}"}],
}
STEPS = [PIGEON_STEP, {"id": "end", "type": "exit"}]


@pytest.fixture
def loft_contact(make_contact):
    return make_contact(user_id="ada", traits={"loft": "Loft 7, Paris"})


def _run_journey(contact_row, django_capture_on_commit_callbacks) -> None:
    """The journey published, Signed Up sent for the contact, the worker and delivery run."""
    source, _key = source_create(name="Product")
    journey_import(data=journey_doc(STEPS), publish=True)
    now = timezone.now()
    Event.objects.create(
        source=source,
        contact=contact_row,
        name="Signed Up",
        message_id=f"m-{contact_row.pk}",
        timestamp=now,
        received_at=now,
    )
    with django_capture_on_commit_callbacks(execute=True):
        process_pending_events(linger=0)


def test_the_registry_lists_it_after_the_built_in_channels_while_registered(pigeon):
    assert channel_keys() == ["email", "sms", "in_app", "webhook", "push", "pigeon"]
    assert channel_choices()[-1] == ("pigeon", "Pigeon post")


def test_the_registry_forgets_it_afterwards(settings):
    with override_settings(STEPWISE_CHANNELS=settings.STEPWISE_CHANNELS_WITH_PIGEON):
        assert "pigeon" in channel_keys()

    assert problems(journey_doc(STEPS), channels=channel_facts()) == [
        "steps[0].channel: There is no channel called “pigeon”. "
        "Use one of: email, sms, in_app, webhook, push."
    ]


def test_the_journey_format_accepts_its_fields_and_refuses_others(pigeon):
    wrong = PIGEON_STEP | {"variants": [{"subject": "Hi", "url": "https://example.com"}]}

    assert problems(journey_doc(STEPS), channels=channel_facts()) == []
    assert problems(journey_doc([wrong, STEPS[1]]), channels=channel_facts()) == [
        "steps[0].variants[0].body: Pigeon post messages need “What the pigeon carries”: "
        "fill it in.",
        "steps[0].variants[0].url: Pigeon post messages have no “Link”: remove it.",
    ]


def test_its_content_rules_and_templates_are_checked_before_publishing(pigeon):
    too_long = MessageContent(subject="{{ x | nope }}", body="x" * 41)

    assert validate_content("pigeon", too_long) == [
        TemplateProblem(
            "subject", 1, "There is no filter called “nope”: check its spelling, or remove it."
        ),
        TemplateProblem("body", None, "A pigeon carries 40 characters at most."),
    ]


def test_it_renders_its_own_way_for_the_preview(pigeon):
    preview = render_preview(
        "pigeon", MessageContent(body="Hi {{ contact.first_name }}"), {"contact": {}}
    )
    named = render_preview(
        "pigeon",
        MessageContent(body="Hi {{ contact.first_name }}"),
        {"contact": {"first_name": "Ada"}},
    )

    assert preview.problems[0].field == "body"
    assert (named.text, named.problems) == ("HI ADA", ())


def test_it_exports_and_summarises(pigeon):
    spec = parse_journey(journey_doc(STEPS))
    step = spec.steps[0]

    assert dump_journey(spec)["steps"][0] == PIGEON_STEP | {
        "variants": [
            {"name": "A", "weight": 1, "subject": "Hi", "body": "Welcome, {{ contact.first_name }}"}
        ]
    }
    assert type_of(step).summary(step, spec, channel_facts()) == "Send a pigeon: “Hi”"


def test_the_simulator_sends_it(pigeon):
    result = simulate(
        parse_journey(journey_doc(STEPS)),
        contact=contact(),
        script=[ScriptEvent(T0, "Signed Up")],
        start=T0,
    )

    assert [(s.step_id, s.channel, s.variant_name) for s in result.sent] == [("coo", "pigeon", "A")]
    assert ("send", "would send pigeon, variant A") in [(e.kind, e.text) for e in result.entries]


def test_the_worker_queues_and_delivers_it(
    pigeon, loft_contact, django_capture_on_commit_callbacks
):
    _run_journey(loft_contact, django_capture_on_commit_callbacks)

    message = Message.objects.get()
    assert (message.channel, message.status, message.to_address) == (
        "pigeon",
        "sent",
        "Loft 7, Paris",
    )
    assert (message.subject, message.body) == ("Hi", "WELCOME, ADA")
    assert [(m.to_address, m.rendered.text) for m in pigeon.sent] == [
        ("Loft 7, Paris", "WELCOME, ADA")
    ]
    assert Enrollment.objects.get().state == "completed"


def test_a_contact_without_its_address_is_suppressed_with_its_reason(
    pigeon, make_contact, django_capture_on_commit_callbacks
):
    _run_journey(make_contact(user_id="bob"), django_capture_on_commit_callbacks)

    message = Message.objects.get()
    assert (message.status, message.status_reason) == ("suppressed", "no loft on file")
    assert pigeon.sent == []


def test_its_subscription_lets_a_contact_opt_out(
    pigeon, loft_contact, django_capture_on_commit_callbacks
):
    subscription_set(
        contact_id=loft_contact.pk, channel="pigeon", state="unsubscribed", reason="too loud"
    )

    _run_journey(loft_contact, django_capture_on_commit_callbacks)

    message = Message.objects.get()
    assert message.status == "suppressed"
    assert message.status_reason.startswith("pigeon unsubscribed: too loud")
    assert contact_profile(user_id="ada")["subscriptions"]["pigeon"]["state"] == "unsubscribed"


def test_a_queued_message_is_held_back_when_the_channel_is_switched_off(
    pigeon, loft_contact, django_capture_on_commit_callbacks, channel_settings
):
    _run_journey(loft_contact, django_capture_on_commit_callbacks)
    channel_settings.CHANNELS_ENABLED = ["email"]
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(status="queued")

    outcomes = deliver_messages([message.pk])

    assert outcomes == {message.pk: "suppressed"}
    assert len(pigeon.sent) == 1


def test_the_preferences_page_offers_it(pigeon, loft_contact, client):
    message = Message.objects.create(
        contact=loft_contact,
        channel="pigeon",
        scheduled_for=timezone.now(),
        created_at=timezone.now(),
    )

    page = client.get(f"/unsubscribe/{make_token(message_id=message.pk)}/")

    assert "Pigeon post" in page.content.decode()


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("channels.carrier.PigeonChannel", "which cannot be imported"),
        ("channels.registry.channel_keys", "which is not a Channel"),
    ],
)
def test_a_setting_naming_no_channel_is_refused_in_plain_words(path, words):
    with override_settings(STEPWISE_CHANNELS=["channels.email.EmailChannel", path]):
        with pytest.raises(
            ImproperlyConfigured, match=f"STEPWISE_CHANNELS names '{path}', {words}"
        ):
            channel_keys()
        with pytest.raises(ImproperlyConfigured):
            channel_keys()  # nothing half-read was kept

    assert channel_keys() == ["email", "sms", "in_app", "webhook", "push"]
