"""The contact page's "why", in plain words: the engine's and the worker's trace sentences
(written for the dry run, the logs and the tests) as a customer-success person reads them.
Times in the contact's zone with UTC, lengths of time in words, steps and channels by
their names, and no field names ("P2D", "on_timeout", "quiet_hours" never show)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from channels.delivery.history import DEFERRAL_WORDS
from channels.registry import get_channel
from journeys.builder.names import step_name
from journeys.builder.words import length_words
from journeys.core.durations import parse_duration
from journeys.core.zones import time_words

_UTC_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC")
_ISO_LENGTH = re.compile(r"\bP(?:\d+[WD])*(?:T(?:\d+[HMS])+)?\b(?<!P)")
_QUOTED = re.compile(r"'([^']*)'")
_LIST = re.compile(r"\[([^\[\]]*)\]")


def trace_words(sentence: str, step_ids: Iterable[str], zone: ZoneInfo) -> str:
    """An engine sentence for staff: times in `zone` with UTC, step ids as step names,
    then the sentence itself reworded (see `_REWORDS`)."""

    def local(match: re.Match[str]) -> str:
        return time_words(datetime.fromisoformat(f"{match[1]}T{match[2]}:00+00:00"), zone)

    text = _UTC_STAMP.sub(local, sentence)
    for step_id in sorted(step_ids, key=len, reverse=True):
        text = re.sub(
            rf'(?<![\w“])(?<!the )"?{re.escape(step_id)}"?(?![\w”])',
            f"“{step_name(step_id)}”",
            text,
        )
    for pattern, words in _REWORDS:
        text = pattern.sub(words, text)
    return _values(_ISO_LENGTH.sub(_length, text))


_DEFERRED = re.compile(r"^deferred \((?P<why>\w+)\) until (?P<until>\S+)$")


def detail_words(detail: str, zone: ZoneInfo) -> str:
    """A message's status detail for staff: "deferred (quiet_hours) until <ISO time>" as
    "held for quiet hours until 8 Dec 2026, 09:00 in Paris (08:00 UTC)"."""
    match = _DEFERRED.match(detail)
    if match is None:
        return detail
    why = DEFERRAL_WORDS.get(match["why"], match["why"].replace("_", " "))
    try:
        until = time_words(datetime.fromisoformat(match["until"]), zone)
    except ValueError:
        return f"{why} until {match['until']}"
    return f"{why} until {until}"


def _length(match: re.Match[str]) -> str:
    try:
        return length_words(parse_duration(match[0]))
    except ValueError:
        return match[0]


def _values(text: str) -> str:
    """Condition values as quoted words: 'free' → “free”, ['free', 'trial'] → “free”, “trial”."""
    return _LIST.sub(r"\1", _QUOTED.sub(r"“\1”", text))


def _noun(key: str) -> str:
    channel = get_channel(key)
    return channel.noun if channel is not None else key


def _held(match: re.Match[str]) -> str:
    why = DEFERRAL_WORDS.get(match["why"], match["why"].replace("_", " "))
    return f"{match['step']}: {why} until {match['until']}."


def _sends(match: re.Match[str]) -> str:
    return f"{match['step']}: {_noun(match['channel'])}, variant {match['variant']}"


def _queued(match: re.Match[str]) -> str:
    return f"{match['step']}: {_noun(match['channel'])}, handed over to be sent."


def _timeout(match: re.Match[str]) -> str:
    return (
        f"ran out of time: no “{match['event']}” within {match['length']}, so on to {match['to']}"
    )


_Rewording = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]
_REWORDS: tuple[_Rewording, ...] = (
    (
        re.compile(r"^Step (?P<step>“[^”]*”): deferred until (?P<until>.+) \((?P<why>\w+)\)\.$"),
        _held,
    ),
    (re.compile(r"^Step (?P<step>“[^”]*”): (?P<channel>\w+) message queued\.$"), _queued),
    (re.compile(r"^Step (“[^”]*”): not sent, "), r"\1: not sent: "),
    (re.compile(r"^message (?P<step>“[^”]*”): (?P<channel>\w+), variant (?P<variant>.+)$"), _sends),
    (
        re.compile(r"^timeout: no (?P<event>.+?) after (?P<length>\S+): took \w+ → (?P<to>.+)$"),
        _timeout,
    ),
    (
        re.compile(r"^skipped (“[^”]*”): (.+) already happened at "),
        r"\1: not sent, “\2” had already happened on ",
    ),
    (re.compile(r"^waiting for (.+?) (until|with no timeout)"), r"waiting for “\1” \2"),
    (re.compile(r"with no timeout$"), "with no time limit"),
    (re.compile(r"^converted: performed goal (.+) at "), r"reached the goal: did “\1” on "),
    (re.compile(r"^exited: exit event (.+) at "), r"left the journey: did “\1” on "),
    (re.compile(r"^entered: (.+?) matched the trigger"), r"entered: “\1” matched the trigger"),
    (re.compile(r"^started at (“[^”]*”) on (.+)$"), r"started at \1 on “\2”"),
    (re.compile(r"^completed: reached exit step "), "finished: reached "),
    (re.compile(r"^completed: "), "finished: "),
    (re.compile(r"^failed: "), "stopped: "),
    (
        re.compile(r"^delay (“[^”]*”): waiting (\S+): waiting until (.+) \([^()]*\)$"),
        r"\1: waits \2, until \3",
    ),
    (
        re.compile(r"^delay (“[^”]*”): until .+?: waiting until (.+) \([^()]*\)$"),
        r"\1: waits until \2",
    ),
    (
        re.compile(r"^delay (“[^”]*”): until (.+?): that is now, continuing$"),
        r"\1: it is already \2: goes on",
    ),
    (re.compile(r"^delay at (“[^”]*”) is over$"), r"the wait at \1 is over"),
    (re.compile(r"^branch (“[^”]*”): then → "), r"\1: yes, so on to "),
    (re.compile(r"^branch (“[^”]*”): else → "), r"\1: no, so on to "),
    (re.compile(r"\bproperty (\w[\w.]*) "), r"the event’s “\1” "),
    (re.compile(r"\btrait (\w[\w.]*) "), r"their “\1” "),
)
