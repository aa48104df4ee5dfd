"""identify, alias and merges: one person, one contact."""

from __future__ import annotations

from journeys.models import Contact, ContactAlias, Event, Subscription


def test_identify_validates_and_normalises_well_known_traits(api):
    api.post(
        "identify",
        {
            "userId": "ada",
            "traits": {
                "email": "Ada@Example.COM",
                "phone": "+44 20 7946 0958",
                "firstName": "Ada",
                "lastName": "Lovelace",
                "timezone": "Europe/London",
                "locale": "en_GB",
                "plan": "free",
            },
        },
    )

    ada = Contact.objects.get(user_id="ada")
    assert ada.email == "Ada@example.com"
    assert ada.phone == "+442079460958"
    assert (ada.first_name, ada.last_name) == ("Ada", "Lovelace")
    assert (ada.timezone, ada.locale) == ("Europe/London", "en-GB")
    assert ada.traits["plan"] == "free"


def test_phone_without_country_code_uses_the_default_region(api, settings):
    settings.PHONE_DEFAULT_REGION = "US"

    api.post("identify", {"userId": "ada", "traits": {"phone": "(415) 555-0100"}})

    assert Contact.objects.get().phone == "+14155550100"


def test_later_identify_adds_traits_and_keeps_the_rest(api):
    api.post("identify", {"userId": "ada", "traits": {"plan": "free", "firstName": "Ada"}})
    api.post("identify", {"userId": "ada", "traits": {"plan": "pro"}})

    ada = Contact.objects.get()
    assert ada.traits == {"plan": "pro", "firstName": "Ada"}
    assert ada.first_name == "Ada"


def test_identify_with_anonymous_id_merges_the_anonymous_contact(api):
    api.post("track", {"anonymousId": "anon-1", "event": "Viewed Pricing"})
    api.post("identify", {"anonymousId": "anon-1", "traits": {"utm_source": "ads", "plan": "free"}})
    api.post("identify", {"userId": "ada", "traits": {"plan": "pro"}})

    api.post("identify", {"userId": "ada", "anonymousId": "anon-1"})

    ada = Contact.objects.get()
    assert ada.user_id == "ada"
    assert ada.traits == {"utm_source": "ads", "plan": "pro"}
    assert sorted(ada.events.values_list("name", flat=True)) == [
        "Identify",
        "Identify",
        "Identify",
        "Viewed Pricing",
    ]
    assert ContactAlias.objects.get().contact == ada


def test_events_after_the_merge_find_the_known_contact(api):
    api.post("track", {"anonymousId": "anon-1", "event": "Viewed Pricing"})
    api.post("identify", {"userId": "ada", "anonymousId": "anon-1"})

    api.post("track", {"anonymousId": "anon-1", "event": "Viewed Docs"})

    assert Contact.objects.count() == 1
    assert Event.objects.filter(contact__user_id="ada").count() == 3


def test_anonymous_id_of_another_known_user_is_not_stolen(api):
    api.post("identify", {"userId": "ada", "anonymousId": "shared-laptop"})

    api.post("identify", {"userId": "bob", "anonymousId": "shared-laptop"})

    assert Contact.objects.count() == 2
    assert ContactAlias.objects.get().contact.user_id == "ada"


def test_alias_merges_an_anonymous_contact_into_the_user(api):
    api.post("track", {"anonymousId": "anon-1", "event": "Viewed Pricing"})
    api.post("identify", {"userId": "ada", "traits": {"firstName": "Ada"}})

    response = api.post("alias", {"previousId": "anon-1", "userId": "ada"})

    assert response.status_code == 200
    ada = Contact.objects.get()
    assert sorted(ada.events.values_list("type", flat=True)) == ["alias", "identify", "track"]


def test_alias_renames_a_user_id_when_the_new_one_is_unknown(api):
    api.post("identify", {"userId": "old-id", "traits": {"firstName": "Ada"}})

    api.post("alias", {"previousId": "old-id", "userId": "new-id"})

    assert list(Contact.objects.values_list("user_id", "first_name")) == [("new-id", "Ada")]


def test_alias_requires_both_ids(api):
    response = api.post("alias", {"userId": "ada"})

    assert response.status_code == 400
    assert response.json()["field"] == "previousId"


def test_merge_keeps_an_opt_out_from_either_side(api):
    api.post("track", {"anonymousId": "anon-1", "event": "Viewed Pricing"})
    anonymous = Contact.objects.get()
    Subscription.objects.create(
        contact=anonymous,
        channel="email",
        state="unsubscribed",
        reason="clicked unsubscribe",
        changed_at=anonymous.first_seen_at,
    )
    api.post("identify", {"userId": "ada", "traits": {}})

    api.post("identify", {"userId": "ada", "anonymousId": "anon-1"})

    assert list(Subscription.objects.values_list("contact__user_id", "channel", "state")) == [
        ("ada", "email", "unsubscribed")
    ]
