"""The widget's time zone and language: kept where the product set none, never over it;
quiet hours then follow the person's clock, else the source's default zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.delivery.messages import contact_zone
from channels.delivery.queue import message_queue
from channels.rendering import MessageContent
from journeys.models import Contact, Source
from tests.chat.test_replies import post

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_browsers_zone_and_language_fill_what_is_unknown(client, product):
    answer = post(
        client, product, "browser", {"timezone": "America/Los_Angeles", "language": "fr-CA"}
    )
    assert answer.json() == {"success": True, "kept": ["time zone", "language"]}
    contact = Contact.objects.get(pk=product.contact_id)
    assert (contact.timezone, contact.locale) == ("America/Los_Angeles", "fr-CA")
    assert str(contact_zone(contact)) == "America/Los_Angeles"


def test_what_the_product_set_is_never_overwritten(client, product):
    Contact.objects.filter(pk=product.contact_id).update(timezone="Europe/Paris", locale="fr")
    answer = post(client, product, "browser", {"timezone": "Asia/Tokyo", "language": "ja"})
    assert answer.json()["kept"] == []
    contact = Contact.objects.get(pk=product.contact_id)
    assert (contact.timezone, contact.locale) == ("Europe/Paris", "fr")


def test_a_zone_that_is_not_one_is_refused_in_words_and_changes_nothing(client, product):
    answer = post(client, product, "browser", {"timezone": "Mars/Olympus", "language": "en"})
    assert answer.status_code == 400
    assert answer.json()["field"] == "timezone"
    assert "IANA time zone" in answer.json()["message"]
    assert Contact.objects.get(pk=product.contact_id).locale == ""


def test_a_call_without_the_users_hash_is_refused(client, product):
    answer = post(client, product, "browser", {"timezone": "Asia/Tokyo"}, user_hash=None)
    assert answer.status_code == 401
    assert Contact.objects.get(pk=product.contact_id).timezone == ""


def test_with_no_zone_known_a_night_text_waits_for_morning_in_the_sources_zone(product, settings):
    settings.CHANNELS_QUIET_HOURS = {"sms": "21:00-08:00"}
    settings.CHANNELS_ENABLED = ["sms", "in_app"]
    settings.SMS_BACKEND = "console"
    Source.objects.filter(pk=product.source_id).update(timezone="America/Los_Angeles")
    Contact.objects.filter(pk=product.contact_id).update(phone="+14155550100")
    night_in_la = datetime(2026, 12, 7, 11, 52, tzinfo=UTC)  # 03:52 in Los Angeles
    queued = message_queue(
        contact_id=product.contact_id,
        channel="sms",
        content=MessageContent(body="Your notes miss you."),
        context={},
        now=night_in_la,
    )
    assert (queued.suppressed_reason, queued.deferred_reason) == ("", "quiet_hours")
    assert queued.scheduled_for == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)  # 08:00 there
