"""The bot's words and matching: pure functions, no database.

Slackbot's rule, kept here: the bot says it is a bot, and when it does not understand it
says so plainly and points back to the one next step."""

from __future__ import annotations

import re
from collections.abc import Sequence

from journeys.core.languages import normal_locale

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def match_keyword[T](text: str, choices: Sequence[tuple[str, T]]) -> T | None:
    """The answer of the longest phrase whose words appear in `text` in order, together
    ("Pricing?" matches "pricing"; "price" does not), else None."""
    said = words(text)
    best: tuple[int, T] | None = None
    for phrase, answer in choices:
        wanted = words(phrase)
        if not wanted:
            continue
        size = len(wanted)
        if any(said[i : i + size] == wanted for i in range(len(said) - size + 1)):
            if best is None or size > best[0]:
                best = (size, answer)
    return best[1] if best is not None else None


# What the bot says when it passes a message to a person, per language (the contact's
# locale, fr-CA → fr → en): the handoff, how it names the team, and the "meanwhile".
_HANDOFF = {
    "en": (
        "I'm just a bot — I've passed this to {team}; they usually answer within a day.",
        "the {team} team",
        "the team",
        "Meanwhile, here is where we were: ",
    ),
    "fr": (
        "Je ne suis qu'un robot — j'ai transmis votre message à {team}, qui répond "
        "d'habitude dans la journée.",
        "l'équipe {team}",
        "l'équipe",
        "En attendant, voici où nous en étions : ",
    ),
}


def handoff_text(*, custom: str, team: str, next_step: str = "", locale: str = "") -> str:
    """What the bot says when it passes a message to a person: the source's own words, or
    the default naming its team, in the contact's language; then the next step, so nobody
    waits idle."""
    language = normal_locale(locale).split("-")[0]
    handoff, named, unnamed, meanwhile = _HANDOFF.get(language, _HANDOFF["en"])
    text = custom.strip() or handoff.format(team=named.format(team=team) if team else unnamed)
    if next_step:
        text += f"\n\n{meanwhile}{next_step}"
    return text
