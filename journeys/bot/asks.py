"""Answers to `ask` steps: a good answer is saved to the step's trait and sent as the event
`Answered <step id>` (the worker then moves the journey on); a bad one gets a friendly
re-ask in the same place it was asked (the chat, or an SMS reply)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from channels.chat.lines import chat_close_question, chat_last_bot_line
from channels.models import ChatEntry, ChatState, Message
from journeys.bot.speech import Reply, ReplyOutcome, bot_say
from journeys.core.answers import read_yes_no
from journeys.core.steps.ask import AskStep
from journeys.core.steps.ask_locales import in_language
from journeys.core.steps.ask_reading import CONFIRM, RETRY, Answer, Unsure, read_answer, reask_text
from journeys.core.traits import TraitError, extract_known_traits
from journeys.models import Contact, Enrollment, Source
from journeys.people.ingest import Incoming
from journeys.run.events import event_ingest
from journeys.run.selectors import version_info

Kind = ChatEntry.Kind


def open_ask(contact: Contact, channel: str) -> tuple[Enrollment, AskStep] | None:
    """The contact's enrollment waiting at an ask step sent on `channel`, newest first."""
    waiting = Enrollment.objects.filter(contact=contact, state=Enrollment.State.WAITING)
    for enrollment in waiting.order_by("-step_entered_at"):
        spec = version_info(enrollment.version_id).spec
        if not spec.has_step(enrollment.step_key):
            continue
        step = spec.step(enrollment.step_key)
        if isinstance(step, AskStep) and step.channel == channel:
            return enrollment, step
    return None


def _asked(enrollment: Enrollment) -> Message | None:
    """The message that asked the open question (its text, the language it went out in)."""
    if enrollment.current_visit_id is None:
        return None
    return Message.objects.filter(step_visit_id=enrollment.current_visit_id).first()


def _question_text(asked: Message | None, step: AskStep) -> str:
    """The question as this contact read it (rendered), else as written."""
    return asked.body if asked is not None and asked.body else step.question


def ask_answer(contact: Contact, reply: Reply, now: datetime) -> ReplyOutcome | None:
    """An open question takes the reply (journeys.bot.replies asks first); None: none is open."""
    found = open_ask(contact, reply.channel)
    if found is None:
        if reply.in_chat:
            chat_close_question(contact_id=contact.pk)
        return None
    enrollment, step = found
    asked = _asked(enrollment)
    language = asked.language if asked is not None else ""
    said_value = reply.value or _typed_check_answer(contact, reply)
    result = read_answer(step, reply.text, said_value, language)
    shown = in_language(step, language)  # the re-ask speaks as the question did
    if isinstance(result, Unsure) and not reply.in_chat:
        result = Answer(result.value, result.label)  # a text message has no Yes / No buttons
    if isinstance(result, Answer):
        answered(contact=contact, step=step, answer=result, now=now)
        return ReplyOutcome("answer")
    if isinstance(result, Unsure):
        check = bot_say(
            contact_id=contact.pk,
            kind=Kind.REASK,
            text=result.check,
            now=now,
            replies=result.replies(),
            answer={},
            step_key=step.id,
            journey_id=enrollment.journey_id,
        )
        return ReplyOutcome("check", lines=[check])
    text = reask_text(shown, result, _question_text(asked, step))
    if not reply.in_chat:
        return ReplyOutcome("reask", sms_answer=text)
    entry = bot_say(
        contact_id=contact.pk,
        kind=Kind.REASK,
        text=text,
        now=now,
        replies=[reply.as_data() for reply in shown.replies],
        answer={} if step.replies else {"type": step.answer_type, "max_length": step.max_length},
        step_key=step.id,
        journey_id=enrollment.journey_id,
    )
    return ReplyOutcome("reask", lines=[entry])


def _typed_check_answer(contact: Contact, reply: Reply) -> str | None:
    """A typed "yes" / "non" to the bot's "Alex, is that right?": the value of the button
    the contact meant (None when the bot's last line was not such a check)."""
    if not reply.in_chat:
        return None
    last = chat_last_bot_line(contact_id=contact.pk, kinds=[Kind.REASK])
    replies = (last.replies or []) if last is not None else []
    if len(replies) != 2 or not str(replies[0].get("value", "")).startswith(CONFIRM):
        return None
    said = read_yes_no(reply.text)
    if said is None:
        return None
    return str(replies[0]["value"]) if said.value else RETRY


def answered(
    *, contact: Contact, step: AskStep, answer: Answer, now: datetime | None = None
) -> None:
    """Save the answer to the trait and send `Answered <step id>` through the event pipeline."""
    now = now or timezone.now()
    stamp = int(now.timestamp() * 1_000_000)
    messages = []
    if step.trait:
        traits = {step.trait: answer.value}
        try:
            known = extract_known_traits(traits)
        except TraitError:
            known = None  # stored as a plain trait; the typed field stays as it was
        messages.append(
            Incoming(
                type="identify",
                name="Identify",
                user_id=contact.user_id,
                anonymous_id=None if contact.user_id else f"contact-{contact.pk}",
                message_id=f"answer-{contact.pk}-{step.id}-{stamp}-identify",
                timestamp=now,
                traits=traits,
                known=known,
            )
        )
    messages.append(
        Incoming(
            type="track",
            name=step.answered_event,
            user_id=contact.user_id,
            anonymous_id=None if contact.user_id else f"contact-{contact.pk}",
            message_id=f"answer-{contact.pk}-{step.id}-{stamp}",
            timestamp=now,
            properties={"answer": answer.value, "label": answer.label, "step": step.id},
        )
    )
    event_ingest(source_id=_source_id(contact), messages=messages, received_at=now)
    if ChatState.objects.filter(contact_id=contact.pk).exists():
        chat_close_question(contact_id=contact.pk)


def _source_id(contact: Contact) -> int:
    """The contact's source; a contact made before sources existed answers through any."""
    if contact.source_id is not None:
        return contact.source_id
    return Source.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True).first() or 0
