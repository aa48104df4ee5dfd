"""POST /v1/batch: one bad item never loses the others."""

from __future__ import annotations

from journeys.models import Contact, Event


def _track(i: int, **extra):
    return {
        "type": "track",
        "userId": f"user-{i % 7}",
        "event": "Opened App",
        "messageId": f"m-{i}",
        **extra,
    }


def test_batch_stores_every_valid_item_and_lists_the_rejected(api):
    batch = [_track(i) for i in range(100)]
    batch[3] = {"type": "track", "userId": "x"}
    batch[50] = {"type": "teleport", "userId": "x"}
    batch[99] = {"type": "identify", "userId": "x", "traits": {"email": "nope"}}

    response = api.post("batch", {"batch": batch})

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "accepted": 97,
        "rejected": [
            {"index": 3, "field": "event", "error": "is required"},
            {
                "index": 50,
                "field": "type",
                "error": "must be one of track, identify, page, screen, group, alias",
            },
            {"index": 99, "field": "traits.email", "error": "is not a valid email address"},
        ],
    }
    assert Event.objects.count() == 97
    assert Contact.objects.count() == 7


def test_batch_item_over_32kb_is_rejected_alone(api):
    batch = [_track(1), _track(2, properties={"x": "y" * 33_000})]

    response = api.post("batch", {"batch": batch})

    assert response.json()["rejected"] == [
        {"index": 1, "field": "body", "error": "message is larger than 32 KB"}
    ]
    assert Event.objects.count() == 1


def test_gzipped_batch_is_accepted(api):
    response = api.post("batch", {"batch": [_track(i) for i in range(10)]}, gzipped=True)

    assert response.status_code == 200
    assert Event.objects.count() == 10


def test_batch_without_a_list_is_400(api):
    response = api.post("batch", {"batch": "nope"})

    assert response.status_code == 400
    assert response.json()["field"] == "batch"


def test_batch_mixing_all_message_types(api):
    batch = [
        {"type": "identify", "anonymousId": "a1", "traits": {"firstName": "Ada"}},
        {"type": "page", "anonymousId": "a1", "name": "Pricing"},
        {
            "type": "identify",
            "userId": "ada",
            "anonymousId": "a1",
            "traits": {"email": "ada@example.com"},
        },
        {"type": "track", "userId": "ada", "event": "Signed Up"},
        {"type": "group", "userId": "ada", "groupId": "acme"},
        {"type": "screen", "userId": "ada", "name": "Home"},
    ]

    response = api.post("batch", {"batch": batch})

    assert response.json() == {"success": True, "accepted": 6, "rejected": []}
    contact = Contact.objects.get()
    assert (contact.user_id, contact.first_name, contact.email) == ("ada", "Ada", "ada@example.com")
    assert contact.events.count() == 6
    assert contact.groups == {"acme": {}}


def test_duplicate_message_ids_inside_one_batch_are_stored_once(api):
    response = api.post("batch", {"batch": [_track(1), _track(1)]})

    assert response.json()["accepted"] == 2
    assert Event.objects.count() == 1
