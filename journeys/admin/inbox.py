"""The staff inbox: what end users wrote that the bot could not handle, by recency, with
the person's journeys and traits beside the chat; staff answer into the widget as
themselves (by text to a person who last wrote by text). Report viewers read it; journey
editors also answer (`inbox_access`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from channels.chat.conversations import (
    Answered,
    conversation_answer,
    conversation_lines,
    conversation_open,
    conversations,
    last_written_by,
)
from channels.models import ChatEntry
from journeys.admin.contact_page import contact_page
from journeys.admin.times import row_time
from journeys.models import Contact
from journeys.people.staff import person_name

app_name = "inbox"
READ = "journeys.view_contact"  # staff who may look at contacts read what they wrote
ANSWER = "journeys.change_journey"  # "Journey editors"; report viewers only read
ANSWER_MAX = 2000


@dataclass(frozen=True)
class InboxAccess:
    read: bool
    answer: bool


def inbox_access(user: Any) -> InboxAccess:
    """What a staff member may do in the inbox: the one place the roles are checked."""
    read = bool(user.is_active and user.is_staff and user.has_perm(READ))
    return InboxAccess(read=read, answer=read and bool(user.has_perm(ANSWER)))


@dataclass(frozen=True)
class Row:
    contact_id: int
    name: str
    when: Any
    unread: int
    preview: str


def _rows() -> list[Row]:
    found = conversations()
    names = {c.pk: c for c in Contact.objects.filter(pk__in=[row.contact_id for row in found])}
    rows = []
    for row in found:
        contact = names.get(row.contact_id)
        if contact is None:
            continue
        prefix = "You: " if row.last_author == ChatEntry.Author.STAFF else ""
        rows.append(
            Row(row.contact_id, _name(contact), row.at, row.unread, prefix + row.last_text[:90])
        )
    return rows


def _name(contact: Contact) -> str:
    full = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    return full or contact.email or "A visitor with no name yet"


def _page(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    access = inbox_access(request.user)
    if not access.read:
        context = {"refused": "You cannot read the inbox. Ask an administrator for access."}
        status = 403
    full = {
        **admin.site.each_context(request),
        "is_nav_sidebar_enabled": False,
        "title": "Inbox",
        "access": access,
        "answer_max": ANSWER_MAX,
        **context,
    }
    return TemplateResponse(request, "admin/inbox.html", full, status=status)


@require_GET
def inbox_list(request: HttpRequest) -> HttpResponse:
    if not inbox_access(request.user).read:
        return _page(request, {})
    return _page(request, {"rows": _rows()})


def _conversation(contact: Contact) -> dict[str, Any]:
    view = contact_page(contact=contact)
    return {
        "rows": _rows(),
        "current": contact.pk,
        "name": _name(contact),
        "lines": conversation_lines(contact_id=contact.pk),
        "trips": [trip for trip in view.trips if trip.is_open] or list(view.trips[:3]),
        "traits": [(_words(key), value) for key, value in view.traits],
        "contact_url": reverse("admin:journeys_contact_change", args=[contact.pk]),
        "by_text": bool(last_written_by(contact_id=contact.pk)),
        "zone": contact.timezone,
        "language": contact.locale,
    }


def _words(key: str) -> str:
    """A trait's key as staff say it: "first_name" → "First name"."""
    spaced = key.replace("_", " ").replace("-", " ").strip()
    return spaced[:1].upper() + spaced[1:]


def _contact(contact_id: int) -> Contact:
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise Http404("This person is no longer in Stepwise.")
    return contact


@require_GET
def inbox_conversation(request: HttpRequest, contact_id: int) -> HttpResponse:
    if not inbox_access(request.user).read:
        return _page(request, {})
    contact = _contact(contact_id)
    conversation_open(contact_id=contact.pk)
    return _page(request, _conversation(contact))


@require_POST
def inbox_answer(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Send a staff answer; a refused one comes back in the box, with why, unsent."""
    if not inbox_access(request.user).answer:
        return _page(request, {"refused": "You can read the inbox but not answer."}, status=403)
    contact = _contact(contact_id)
    text = request.POST.get("text", "").strip()
    problem = ""
    if not text:
        problem = "Write an answer first: nothing was sent."
    elif len(text) > ANSWER_MAX:
        problem = f"The answer is {len(text)} characters long; the most is {ANSWER_MAX}."
    if problem:
        context = {**_conversation(contact), "problem": problem, "draft": text}
        return _page(request, context, status=400)
    answered = conversation_answer(
        contact_id=contact.pk, text=text, sender_name=person_name(request.user)
    )
    messages.success(request, _sent_words(answered, contact))
    return redirect("inbox:conversation", contact_id=contact.pk)


def _sent_words(answered: Answered, contact: Contact) -> str:
    """What the staff member is told once the answer is on its way, in plain words."""
    queued = answered.by_text
    if queued is None:
        return "Sent. They see it in the chat, signed with your first name."
    if queued.suppressed_reason:
        return (
            "Saved in the chat, but not sent by text: they asked not to get texts "
            f"({queued.suppressed_reason}). They see it if they open the chat."
        )
    if queued.deferred_reason:
        return (
            f"Saved in the chat; the text goes out on {row_time(queued.scheduled_for, contact)}, "
            "after their quiet hours."
        )
    return "Sent by text message, signed with your first name, and saved in the chat."


urlpatterns = [
    path("", admin.site.admin_view(inbox_list), name="list"),
    path("<int:contact_id>/", admin.site.admin_view(inbox_conversation), name="conversation"),
    path("<int:contact_id>/answer/", admin.site.admin_view(inbox_answer), name="answer"),
]
