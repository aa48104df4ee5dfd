"""Reading what people type in answer to the bot, in English and French.

People answer in sentences ("hi, I'm Alex", "je m'appelle Zoé", "my email is ada@x.io",
"yes please", "about 12"): each kind of answer has a reader that finds the answer in the
sentence. A reader returns a `Reading`: the value, and whether it is sure; the bot asks
"Alex, is that right?" when it is not. Pure: no Django, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from journeys.core.emails import is_email


@dataclass(frozen=True)
class Reading:
    """What the reader found: `value` to store, `sure` False when the bot should check."""

    value: str | int | float | bool
    sure: bool = True


# --- names ------------------------------------------------------------------------------

# Phrases that come before a name ("I'm Alex", "je m'appelle Zoé", "call me Sam").
_NAME_INTROS = (
    r"(?:my\s+name\s+is|my\s+name'?s|name'?s|i\s+am|i'?m|im|it'?s|its|this\s+is|call\s+me|"
    r"you\s+can\s+call\s+me|people\s+call\s+me|they\s+call\s+me|"
    r"je\s+m'?\s*appelle|je\s+suis|moi\s+c'?\s*est|c'?\s*est|mon\s+nom\s+est|mon\s+pr[ée]nom\s+est|"
    r"appell?e[zs]?[-\s]moi|on\s+m'?\s*appelle)"
)
_INTRO = re.compile(rf"(?:^|[\s,.!;:])(?:{_NAME_INTROS})\s+(?P<rest>.+)$", re.IGNORECASE)
_HERE = re.compile(r"^(?P<name>.+?)\s+(?:here|ici)\b", re.IGNORECASE)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|yo|bonjour|salut|coucou|bonsoir|hola)\b[\s,!.]*", re.IGNORECASE
)
_NAME_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*$")
# Words that end a name inside a sentence ("I'm Alex and I work in design").
_STOP_WORDS = {
    "and", "but", "from", "at", "in", "by", "the", "thanks", "thank", "please", "nice",
    "et", "mais", "de", "du", "chez", "à", "merci", "enchanté", "enchantée", "ravi", "ravie",
}  # fmt: skip
# Words that are never a name on their own (a greeting, a filler, yes/no).
_NOT_NAMES = {
    "hi", "hello", "hey", "yes", "no", "ok", "okay", "sure", "oui", "non", "bonjour",
    "salut", "name", "nom", "prénom", "me", "moi", "i", "je", "my", "mon", "is", "est",
    "what", "why", "who", "quoi", "pourquoi", "qui", "here", "ici",
}  # fmt: skip
MAX_NAME_WORDS = 3


def read_name(text: str) -> Reading | None:
    """The name in "hi, I'm Alex", "je m'appelle Zoé", "Alex here", "ALEX" (None: none).

    Sure when the sentence says it is a name ("I'm …") or is one or two name-like words;
    unsure when the name had to be picked out of other words."""
    said = _plain(text)
    if not said:
        return None
    sure = True
    match = _INTRO.search(said)
    if match is not None:
        candidate = match.group("rest")
    else:
        here = _HERE.match(said)
        candidate = here.group("name") if here else _GREETING.sub("", said)
        sure = here is not None or candidate == said
    words = _name_words(candidate)
    if not words:
        return None
    if len(words) > 2 and match is None:
        sure = False
    return Reading(" ".join(_capitalised(word) for word in words), sure=sure)


def _name_words(candidate: str) -> list[str]:
    words: list[str] = []
    for raw in re.split(r"[\s,;:!?.()]+", candidate.strip()):
        if not raw:
            continue
        if raw.casefold() in _STOP_WORDS or not _NAME_WORD.match(raw):
            break
        words.append(raw)
        if len(words) == MAX_NAME_WORDS:
            break
    while words and words[-1].casefold() in _NOT_NAMES:
        words.pop()
    if not words or words[0].casefold() in _NOT_NAMES:
        return []
    return words


def _capitalised(word: str) -> str:
    """ALEX, alex → Alex; keeps McDonald, d'Artagnan and Jean-Luc as written when mixed."""
    if word.isupper() or word.islower():
        parts = re.split(r"(['’-])", word.lower())
        return "".join(part[:1].upper() + part[1:] for part in parts)
    return word


# --- yes / no ---------------------------------------------------------------------------

_YES = {
    "yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "right", "correct", "exactly",
    "of course", "absolutely", "definitely", "please", "yes please", "that's right",
    "thats right", "that is right", "it is", "indeed", "👍",
    "oui", "ouais", "ouaip", "si", "d'accord", "daccord", "bien sûr", "bien sur",
    "exact", "exactement", "c'est ça", "c'est ca", "tout à fait", "carrément", "volontiers",
}  # fmt: skip
_NO = {
    "no", "n", "nope", "nah", "not really", "no thanks", "no thank you", "wrong",
    "that's wrong", "not now", "never", "👎",
    "non", "pas du tout", "non merci", "pas maintenant", "jamais", "c'est faux", "faux",
}  # fmt: skip


def read_yes_no(text: str) -> Reading | None:
    """True for "yes", "yep, that's right", "oui"; False for "no", "non merci"."""
    said = _plain(text).casefold().strip(" .!?,")
    if not said:
        return None
    for answer, words in ((True, _YES), (False, _NO)):
        if said in words:
            return Reading(answer)
    first = re.split(r"[\s,.!?]+", said, maxsplit=1)[0]
    if first in _YES and first not in ("right", "please", "si"):
        return Reading(True, sure=len(said.split()) <= 4)
    if first in _NO:
        return Reading(False, sure=len(said.split()) <= 4)
    return None


# --- email addresses and numbers --------------------------------------------------------

_EMAIL_IN_TEXT = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


def read_email(text: str) -> Reading | None:
    """The address in "ada@example.com" or "my email is ada@example.com, thanks"."""
    found = [m.group(0).rstrip(".!?") for m in _EMAIL_IN_TEXT.finditer(_plain(text))]
    addresses = [address for address in found if is_email(address)]
    if len(addresses) != 1:
        return None
    local, _, domain = addresses[0].rpartition("@")
    return Reading(f"{local}@{domain.lower()}".lower(), sure=True)


_NUMBER_IN_TEXT = re.compile(
    r"(?<![\w.,])[-+]?(?:\d{1,3}(?:[ \u202f\u00a0,]\d{3})+|\d+)(?:[.,]\d+)?"
)
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100, "a hundred": 100,
    "zéro": 0, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20,
    "trente": 30, "cinquante": 50, "cent": 100,
}  # fmt: skip


def read_number(text: str) -> Reading | None:
    """12 from "12", "about 12 people", "1,200", "3,5" (French decimals), "twelve", "douze"."""
    said = _plain(text)
    found = _NUMBER_IN_TEXT.findall(said)
    if len(found) == 1:
        return Reading(_number(found[0]), sure=True)
    if found:
        return None
    words = said.casefold().strip(" .!?")
    for phrase, value in sorted(_NUMBER_WORDS.items(), key=lambda item: -len(item[0])):
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", words):
            return Reading(value, sure=True)
    return None


def _number(raw: str) -> int | float:
    digits = raw.replace(" ", "").replace("\u202f", "").replace("\u00a0", "")
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+", digits):
        digits = digits.replace(",", "")
    number = float(digits.replace(",", "."))
    return int(number) if number.is_integer() else number


# --- choices ----------------------------------------------------------------------------


def read_choice(text: str, options: list[str]) -> Reading | None:
    """Which option: its number ("2"), its words ("design"), or said in a sentence ("I do
    design mostly"); accents and case do not matter. None when none or several match."""
    said = _folded(_plain(text)).strip(" .!?")
    if not said or not options:
        return None
    folded = [_folded(option) for option in options]
    for index, option in enumerate(folded):
        if said in (option, str(index + 1)):
            return Reading(options[index])
    inside = [
        index
        for index, option in enumerate(folded)
        if option and re.search(rf"(?<!\w){re.escape(option)}(?!\w)", said)
    ]
    if len(inside) == 1:
        return Reading(options[inside[0]], sure=True)
    starts = [index for index, option in enumerate(folded) if option.startswith(said)]
    if len(starts) == 1 and len(said) >= 3:
        return Reading(options[starts[0]], sure=False)
    return None


# --- helpers ----------------------------------------------------------------------------


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).replace("’", "'").split())


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
