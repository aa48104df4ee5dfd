"""Answers to `ask` steps: a good answer is saved to the step's trait and sent as the event
`Answered <step id>` (the worker then moves the journey on); a bad one gets a friendly
re-ask in the same place it was asked (the chat, or an SMS reply)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from channels.chat.lines import chat_close_question
from channels.models import ChatEntry, ChatState, Message
from journeys.bot.replies import Reply, ReplyOutcome, bot_say, question_handler_register
from journeys.core.steps.ask import Answer, AskStep, read_answer, reask_text
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


def _question_text(enrollment: Enrollment, step: AskStep) -> str:
    """The question as this contact read it (rendered), else as written."""
    if enrollment.current_visit_id is not None:
        sent = Message.objects.filter(step_visit_id=enrollment.current_visit_id).first()
        if sent is not None and sent.body:
            return sent.body
    return step.question


def ask_answer(contact: Contact, reply: Reply, now: datetime) -> ReplyOutcome | None:
    """The question handler of journeys.bot.replies (None: no question is open)."""
    found = open_ask(contact, reply.channel)
    if found is None:
        if reply.in_chat:
            chat_close_question(contact_id=contact.pk)
        return None
    enrollment, step = found
    result = read_answer(step, reply.text, reply.value)
    if isinstance(result, Answer):
        answered(contact=contact, step=step, answer=result, now=now)
        return ReplyOutcome("answer")
    text = reask_text(step, result, _question_text(enrollment, step))
    if not reply.in_chat:
        return ReplyOutcome("reask", sms_answer=text)
    entry = bot_say(
        contact_id=contact.pk,
        kind=Kind.REASK,
        text=text,
        now=now,
        replies=[{"label": r.label, "value": r.value} for r in step.replies],
        answer={} if step.replies else {"type": step.answer_type, "max_length": step.max_length},
        step_key=step.id,
        journey_id=enrollment.journey_id,
    )
    return ReplyOutcome("reask", lines=[entry])


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


question_handler_register(ask_answer)
