"""A person's chat follows them: exported with them, erased with them, moved on a merge."""

from __future__ import annotations

import pytest
from django.utils import timezone

from channels.chat.lines import ChatLine, chat_contact_move, chat_post
from channels.models import ChatEntry, ChatState
from journeys.models import Contact
from journeys.run.privacy import contact_erase, contact_export

pytestmark = pytest.mark.django_db


def person(user_id: str) -> Contact:
    now = timezone.now()
    return Contact.objects.create(user_id=user_id, first_seen_at=now, last_seen_at=now)


def say(contact: Contact, author: str, text: str) -> None:
    kind = "reply" if author == "user" else "message"
    chat_post(contact_id=contact.pk, line=ChatLine(author=author, kind=kind, text=text))


def test_an_export_holds_the_conversation_and_an_erasure_removes_it():
    ada = person("ada")
    say(ada, "bot", "What should I call you?")
    say(ada, "user", "Ada Lovelace")
    exported = contact_export(user_id="ada")
    assert [(line["author"], line["text"]) for line in exported["chat"]] == [
        ("bot", "What should I call you?"),
        ("user", "Ada Lovelace"),
    ]
    contact_erase(contact=ada)
    assert ChatEntry.objects.filter(contact=ada).count() == 0
    assert ChatState.objects.filter(contact=ada).count() == 0


def test_a_merge_appends_the_old_chat_after_the_kept_one_in_order():
    old, kept = person("old-id"), person("ada")
    say(kept, "bot", "k1")
    say(old, "bot", "o1")
    say(old, "user", "o2")
    chat_contact_move(source_id=old.pk, into_id=kept.pk)
    assert list(
        ChatEntry.objects.filter(contact=kept).order_by("seq").values_list("seq", "text")
    ) == [(1, "k1"), (2, "o1"), (3, "o2")]
    assert ChatState.objects.get(contact=kept).last_seq == 3
