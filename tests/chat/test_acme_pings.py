"""Nova's offer is kept: in Acme Notes, a person who answers "Yes" to "Want a ping when your
teammate joins?" gets a push notification when a teammate they invited signs up; a person
who said "Not now" gets none. Through the real worker, the real pywebpush and a fake push
service that decrypts what it gets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from channels.models import Message
from journeys.bot.replies import Reply, reply_receive
from journeys.models import Contact
from journeys.run.journeys import journey_import
from journeys.tasks import process_pending_events
from tests.channels.push_fixtures import browser_device
from tests.chat.test_ask import track

pytestmark = pytest.mark.django_db(transaction=True)
ACME = Path(__file__).parents[2] / "onboarding" / "acme"


def _answer_the_offer(product, user_id: str, label: str, value: str) -> Contact:
    track(product.source_id, user_id, "Signed Up", product="Acme Notes")
    contact = Contact.objects.get(user_id=user_id)
    for text, said in (("I'm Ada", ""), ("Design", "design")):
        reply_receive(contact=contact, reply=Reply(text=text, value=said))
        process_pending_events(linger=0)
    track(product.source_id, user_id, "Created Note", title="Groceries")
    reply_receive(contact=contact, reply=Reply(text=label, value=value))
    process_pending_events(linger=0)
    return Contact.objects.get(pk=contact.pk)


def test_yes_to_the_offer_brings_a_ping_when_the_teammate_joins_and_not_now_none(
    product, fake_webpush
):
    for name in ("journey.json", "pings.json"):
        journey_import(data=json.loads((ACME / name).read_text()), publish=True)
    ada = _answer_the_offer(product, "ada", "Yes", "yes")
    bob = _answer_the_offer(product, "bob", "Not now", "no")
    assert (ada.traits["wants_pings"], bob.traits["wants_pings"]) == ("yes", "no")
    browser_device(ada, fake_webpush)
    browser_device(bob, fake_webpush)

    for user_id in ("ada", "bob"):  # what Acme's sign-up sends for each inviter
        track(product.source_id, user_id, "Teammate Joined", email="grace@example.com")
    process_pending_events(linger=0)

    assert fake_webpush.refusals == []
    [ping] = fake_webpush.delivered
    assert (ping["title"], ping["url"]) == ("grace@example.com joined Acme Notes", "/notes/")
    assert not Message.objects.filter(contact=bob, channel="push").exists()
    assert Message.objects.get(contact=ada, channel="push").status == "sent"
