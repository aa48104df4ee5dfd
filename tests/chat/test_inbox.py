"""The staff inbox: replies the bot cannot handle reach a person, who answers into the
widget as themselves; the team is told once per conversation; viewers read, editors answer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.utils import timezone

from channels.chat.lines import BotIdentity, ChatLine, chat_post, entry_json
from channels.delivery.team import team_alerts_sweep
from channels.models import ChatEntry
from journeys.bot.replies import reply_receive
from journeys.bot.speech import Reply, bot_for
from journeys.models import Contact, Enrollment, KeywordReply, Source
from journeys.run.dropoff import dropoff_send
from journeys.run.journeys import journey_import
from tests.chat.test_replies import post

pytestmark = pytest.mark.django_db(transaction=True)


def staff(client, name: str, *permissions: str, first_name: str = "") -> User:
    user = User.objects.create_user(name, password="pw", is_staff=True, first_name=first_name)
    for code in permissions:
        app, codename = code.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    client.force_login(user)
    return user


EDITOR = ("journeys.view_contact", "journeys.change_journey")
VIEWER = ("journeys.view_contact", "journeys.view_reports")


def nova_says(contact_id: int, text: str) -> None:
    chat_post(
        contact_id=contact_id,
        line=ChatLine("bot", "message", text, bot=BotIdentity("Nova"), journey_id=1),
    )


def test_a_reply_the_bot_cannot_handle_lands_in_the_inbox_and_the_bot_says_so(client, product):
    Contact.objects.filter(pk=product.contact_id).update(
        first_name="Ada", traits={"plan": "team", "role": "design"}
    )
    nova_says(product.contact_id, "Write your first note.")
    question = "How do I share a folder with my boss?"
    answer = post(client, product, "chat/replies", {"text": question})
    lines = answer.json()["lines"]
    assert [(line["author"], line["kind"]) for line in lines] == [
        ("user", "for_team"),
        ("bot", "handoff"),
    ]
    assert lines[1]["text"] == (
        "I'm just a bot — I've passed this to the Acme team; they usually answer within a day."
        "\n\nMeanwhile, here is where we were: Write your first note."
    )
    assert lines[1]["bot"]["name"] == "Nova"

    staff(client, "sam", *EDITOR, first_name="Sam")
    inbox = client.get("/admin/inbox/").content.decode()
    assert "Ada" in inbox
    assert "1 new" in inbox
    assert "How do I share a folder with my boss?" in inbox
    page = client.get(f"/admin/inbox/{product.contact_id}/").content.decode()
    assert "Conversation with Ada" in page
    assert "Passed to you" in page
    assert "design" in page  # the person's traits beside the chat
    assert "Plan" in page
    assert "1 new" not in client.get("/admin/inbox/").content.decode()  # opened: read


def test_keyword_replies_still_answer_first_and_stay_out_of_the_inbox(client, product):
    KeywordReply.objects.create(source_id=product.source_id, phrase="pricing", answer="Free.")
    answer = post(client, product, "chat/replies", {"text": "pricing?"})
    assert [line["kind"] for line in answer.json()["lines"]] == ["reply", "keyword"]
    staff(client, "sam", *EDITOR)
    assert "Nothing yet" in client.get("/admin/inbox/").content.decode()


def test_the_bot_says_it_once_and_a_sources_own_words_replace_the_default(client, product):
    Source.objects.filter(pk=product.source_id).update(
        handoff_text="A human will get back to you soon."
    )
    first = post(client, product, "chat/replies", {"text": "hello?"}).json()["lines"]
    second = post(client, product, "chat/replies", {"text": "anyone there?"}).json()["lines"]
    assert first[-1]["text"] == "A human will get back to you soon."
    assert [line["kind"] for line in second] == ["for_team"]  # no second "I'm a bot"


def in_journey_with_a_notify_step(contact_id: int) -> Enrollment:
    """The contact waits in a journey whose notify step tells team@acme.example."""
    journey = journey_import(
        data={
            "format": "stepwise.journey/1",
            "key": "help",
            "name": "Help",
            "trigger": {"event": "Signed Up"},
            "steps": [
                {"id": "wait", "type": "wait_for_event", "event": "Created Note"},
                {"id": "tell", "type": "notify", "to": "team@acme.example", "text": "Stuck"},
            ],
        },
        publish=True,
    )
    now = timezone.now()
    return Enrollment.objects.create(
        contact_id=contact_id,
        journey=journey,
        version=journey.current_version,
        state="waiting",
        step_key="wait",
        trigger_at=now,
        step_entered_at=now,
        entered_at=now,
        updated_at=now,
    )


def test_the_team_is_told_once_per_conversation_until_someone_opens_it(client, product):
    in_journey_with_a_notify_step(product.contact_id)
    Contact.objects.filter(pk=product.contact_id).update(first_name="Ada")
    for text in ("help", "please", "is anyone there"):
        post(client, product, "chat/replies", {"text": f"{text} 1"})
    assert len(mail.outbox) == 1
    assert "Ada wrote to the bot" in mail.outbox[0].body
    assert "/admin/inbox/" in mail.outbox[0].body
    staff(client, "sam", *EDITOR)
    client.get(f"/admin/inbox/{product.contact_id}/")
    post(client, product, "chat/replies", {"text": "still stuck"})
    assert len(mail.outbox) == 1  # notes within the digest window wait for it (issue 20)
    team_alerts_sweep(now=timezone.now() + timedelta(minutes=6))
    assert len(mail.outbox) == 2
    assert "still stuck" in mail.outbox[1].body


def test_staff_answer_as_themselves_and_the_bot_keeps_its_name(client, product):
    nova_says(product.contact_id, "Write your first note.")
    post(client, product, "chat/replies", {"text": "Can I import from Evernote?"})
    staff(client, "sam", *EDITOR, first_name="Sam Jones")
    sent = client.post(
        f"/admin/inbox/{product.contact_id}/answer/", {"text": "Yes: Settings, then Import."}
    )
    assert sent.status_code == 302
    entry = ChatEntry.objects.filter(contact_id=product.contact_id).order_by("-seq").first()
    shown = entry_json(entry)
    assert (shown["author"], shown["person"], shown["text"]) == (
        "staff",
        {"name": "Sam"},
        "Yes: Settings, then Import.",
    )
    assert "bot" not in shown
    assert bot_for(product.contact_id).name == "Nova"
    # The answer to the person goes to the same conversation, with no bot in between.
    reply = post(client, product, "chat/replies", {"text": "Thanks Sam, where is Settings?"})
    assert [line["kind"] for line in reply.json()["lines"]] == ["for_team"]
    page = client.get(f"/admin/inbox/{product.contact_id}/").content.decode()
    page = page[page.index('class="inbox-lines"') :]
    assert page.index("Yes: Settings, then Import.") < page.index("Thanks Sam")
    assert "Sam (a person)" in page


def test_an_empty_or_long_answer_is_refused_in_words_and_kept(client, product):
    post(client, product, "chat/replies", {"text": "hello?"})
    staff(client, "sam", *EDITOR)
    before = ChatEntry.objects.count()
    long = "x" * 2001
    refused = client.post(f"/admin/inbox/{product.contact_id}/answer/", {"text": long})
    assert refused.status_code == 400
    assert "the most is 2000" in refused.content.decode()
    assert long in refused.content.decode()  # still in the box, nothing lost
    empty = client.post(f"/admin/inbox/{product.contact_id}/answer/", {"text": "  "})
    assert "Write an answer first" in empty.content.decode()
    assert ChatEntry.objects.count() == before


def test_report_viewers_read_the_inbox_but_cannot_answer(client, product):
    post(client, product, "chat/replies", {"text": "hello?"})
    staff(client, "rita", *VIEWER)
    page = client.get(f"/admin/inbox/{product.contact_id}/").content.decode()
    assert "hello?" in page
    assert 'name="text"' not in page
    assert "You can read conversations but not answer them" in page
    before = ChatEntry.objects.count()
    refused = client.post(f"/admin/inbox/{product.contact_id}/answer/", {"text": "Hi!"})
    assert refused.status_code == 403
    assert ChatEntry.objects.count() == before


def test_staff_without_contact_access_cannot_read_the_inbox(client, product):
    post(client, product, "chat/replies", {"text": "my secret question"})
    staff(client, "nobody")
    page = client.get("/admin/inbox/")
    assert page.status_code == 403
    assert "my secret question" not in page.content.decode()


def test_a_reply_sent_twice_with_one_key_is_kept_once(client, product):
    body = {"text": "offline message", "key": "k-1"}
    first = post(client, product, "chat/replies", body).json()
    again = post(client, product, "chat/replies", body).json()
    assert ChatEntry.objects.filter(author="user").count() == 1
    assert [line["seq"] for line in again["lines"]] == [line["seq"] for line in first["lines"]]


def test_an_sms_reply_goes_to_the_inbox_and_the_bot_says_so_by_text(product):
    contact = Contact.objects.get(pk=product.contact_id)
    outcome = reply_receive(contact=contact, reply=Reply(text="what?", channel="sms"))
    assert outcome.handled_by == "team"
    assert re.match(r"I'm just a bot — I've passed this to the Acme team", outcome.sms_answer)


def test_a_staff_one_off_message_is_signed_by_them_and_its_answer_reaches_the_inbox(
    client, product
):
    nova_says(product.contact_id, "Write your first note.")
    enrollment = in_journey_with_a_notify_step(product.contact_id)
    sender = staff(client, "sam", *EDITOR, first_name="Sam")
    dropoff_send(
        journey=enrollment.journey,
        enrollment_ids=[enrollment.pk],
        channel="in_app",
        content={"body": "Stuck on notes? Just reply here."},
        by=sender,
    )
    line = ChatEntry.objects.get(contact_id=product.contact_id, text__startswith="Stuck on")
    assert (line.author, line.sender_name, line.bot_name) == ("staff", "Sam", "")
    assert bot_for(product.contact_id).name == "Nova"  # the bot was not renamed
    reply = post(client, product, "chat/replies", {"text": "Yes, the share button is grey"})
    assert [line["kind"] for line in reply.json()["lines"]] == ["for_team"]
    assert "Yes, the share button is grey" in client.get("/admin/inbox/").content.decode()


def test_the_admin_home_says_how_many_conversations_wait(client, product):
    post(client, product, "chat/replies", {"text": "hello?"})
    staff(client, "sam", *EDITOR)
    home = client.get("/admin/").content.decode()
    assert "1 conversation waiting" in home
    client.get(f"/admin/inbox/{product.contact_id}/")
    assert "conversation waiting" not in client.get("/admin/").content.decode()


def test_staff_edit_the_handover_words_and_default_zone_of_a_source(admin_client, product):
    page = admin_client.get(f"/admin/journeys/source/{product.source_id}/change/")
    html = page.content.decode()
    assert "When the bot passes a message to the team" in html
    assert "Default time zone" in html
    assert "How to stop texts" in html
