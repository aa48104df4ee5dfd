"""The event catalogue, filled by the worker from new events."""

from __future__ import annotations

from journeys.models import Contact, Event, EventType
from journeys.tasks import process_pending_events


def test_worker_catalogues_names_counts_and_property_types(api):
    api.post(
        "track",
        {"userId": "ada", "event": "Uploaded File", "properties": {"size": 10, "name": "a.png"}},
    )
    api.post(
        "track",
        {"userId": "bob", "event": "Uploaded File", "properties": {"size": "big", "shared": True}},
    )
    api.post("track", {"userId": "ada", "event": "Invited Teammate"})

    processed = process_pending_events()

    assert processed == 3
    uploaded = EventType.objects.get(name="Uploaded File")
    assert uploaded.count == 2
    assert uploaded.unmatched_count == 0
    assert uploaded.properties == {
        "name": ["string"],
        "shared": ["boolean"],
        "size": ["number", "string"],
    }
    assert EventType.objects.get(name="Invited Teammate").count == 1
    assert Event.objects.filter(processed_at__isnull=True).count() == 0


def test_processing_twice_counts_once(api):
    api.post("track", {"userId": "ada", "event": "Opened App"})

    process_pending_events()
    process_pending_events()

    assert EventType.objects.get().count == 1


def test_near_duplicate_names_are_flagged_both_ways(api):
    api.post("track", {"userId": "ada", "event": "Signed Up"})
    process_pending_events()
    api.post("track", {"userId": "ada", "event": "signed_up"})
    api.post("track", {"userId": "ada", "event": "signedUp"})
    process_pending_events()

    flags = dict(EventType.objects.values_list("name", "similar_to"))

    assert flags == {
        "Signed Up": ["signedUp", "signed_up"],
        "signed_up": ["Signed Up", "signedUp"],
        "signedUp": ["Signed Up", "signed_up"],
    }


def test_events_from_unknown_visitors_are_counted_as_unmatched(api):
    api.post("track", {"anonymousId": "visitor", "event": "Viewed Pricing"})
    api.post("track", {"userId": "ada", "event": "Viewed Pricing"})

    process_pending_events()

    assert EventType.objects.get().unmatched_count == 1


def test_worker_updates_last_seen(api):
    api.post("track", {"userId": "ada", "event": "Opened App"})
    ada = Contact.objects.get()
    Contact.objects.filter(pk=ada.pk).update(last_seen_at=ada.first_seen_at.replace(year=2020))

    process_pending_events()

    ada.refresh_from_db()
    assert ada.last_seen_at == Event.objects.get().received_at


def test_large_backlog_is_processed_in_batches(api):
    batch = [{"type": "track", "userId": f"u{i}", "event": "Opened App"} for i in range(120)]
    api.post("batch", {"batch": batch})

    processed = process_pending_events(batch_size=50)

    assert processed == 120
    assert EventType.objects.get().count == 120
