"""A dry run and a real run fold decisions through the same reducer, so the simulator
refuses what the worker refuses."""

from __future__ import annotations

from channels.models import Message
from journeys.engine_views import contact_view
from journeys.format import parse_journey
from journeys.models import DecisionTrace
from journeys.services.journeys import journey_import
from journeys.simulate import ScriptEvent, simulate
from tests.journeys.engine.helpers import T0, journey_doc

BAD_TRAITS = journey_doc(
    [
        {"id": "tag", "type": "update_contact", "set": {"email": "not an email", "plan": "pro"}},
        {
            "id": "hello",
            "type": "message",
            "channel": "in_app",
            "variants": [{"body": "Plan: {{ contact.plan | default: 'none' }}"}],
        },
        {"id": "end", "type": "exit"},
    ]
)
REFUSED = "Traits not updated: traits.email: is not a valid email address."


def test_the_worker_refuses_traits_the_event_api_would_refuse(
    db, make_contact, send_event, run_worker
):
    journey_import(data=BAD_TRAITS, publish=True)
    ada = make_contact("ada")
    send_event(ada, "Signed Up")

    run_worker()

    ada.refresh_from_db()
    refused = DecisionTrace.objects.get(contact=ada, code="traits.refused")
    assert (ada.email, ada.traits) == ("ada@example.com", {})
    assert refused.message == REFUSED
    assert Message.objects.get().channel == "in_app"


def test_the_simulator_refuses_the_same_traits(db, make_contact):
    ada = make_contact("ada")

    result = simulate(
        parse_journey(BAD_TRAITS),
        contact=contact_view(ada),
        script=[ScriptEvent(T0, "Signed Up")],
        start=T0,
    )

    assert result.final is not None
    assert result.final.contact.traits == {"email": "ada@example.com", "first_name": "Ada"}
    assert ("refused", REFUSED) in [(entry.kind, entry.text) for entry in result.entries]
    assert "update" not in [entry.kind for entry in result.entries]
    assert [s.step_id for s in result.sent] == ["hello"]
