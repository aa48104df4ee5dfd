"""The widget's stream under a real ASGI server: every line once, in order, across
reconnects; the long poll; refusals that read nothing."""

from __future__ import annotations

import base64
import threading
import time

import pytest
import requests
from django.db import OperationalError, connection

from channels.chat.lines import BotIdentity, ChatLine, chat_post
from tests.chat.conftest import ORIGIN, open_stream

pytestmark = pytest.mark.timeout(60)


def say(contact_id: int, text: str, **extra) -> int:
    """Write a bot line as the worker would. The suite's SQLite database is in memory with a
    shared cache, where a write meets the stream thread's read as "table is locked" at
    once (no busy timeout there, unlike the WAL file `make demo` uses): try again."""
    line = ChatLine(author="bot", kind="message", text=text, bot=BotIdentity("Acme bot"), **extra)
    for _ in range(200):
        try:
            return chat_post(contact_id=contact_id, line=line).seq
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.05)
    return chat_post(contact_id=contact_id, line=line).seq


def test_stream_sends_the_history_then_new_lines_as_they_are_written(asgi_url, product):
    say(product.contact_id, "Welcome! I'm Acme bot, just a bot.")
    stream = open_stream(asgi_url, product)
    assert stream.next() == (
        "1",
        "line",
        stream.events[0][2],
    )
    first = stream.events[0][2]
    assert (first["text"], first["author"], first["bot"]["name"]) == (
        "Welcome! I'm Acme bot, just a bot.",
        "bot",
        "Acme bot",
    )
    assert stream.next()[1:] == ("state", {"last": 1, "unread": 1, "open": None})

    started = time.monotonic()
    say(product.contact_id, "Create your first note", url="/notes/new", cta="New note")
    line = stream.lines(1)[0]
    assert time.monotonic() - started < 1.0
    assert (line["seq"], line["text"], line["url"], line["cta"]) == (
        2,
        "Create your first note",
        "/notes/new",
        "New note",
    )
    stream.close()


def test_a_reconnect_with_last_event_id_gets_every_missed_line_exactly_once(asgi_url, product):
    say(product.contact_id, "one")
    stream = open_stream(asgi_url, product)
    assert [line["text"] for line in stream.lines(1)] == ["one"]
    stream.close()

    for text in ("two", "three", "four", "five", "six"):
        say(product.contact_id, text)
    again = open_stream(asgi_url, product, headers={"Last-Event-ID": "1"})
    texts = [line["text"] for line in again.lines(5)]
    say(product.contact_id, "seven")
    texts += [line["text"] for line in again.lines(1)]
    assert texts == ["two", "three", "four", "five", "six", "seven"]
    again.close()


def test_lines_written_concurrently_reach_the_stream_once_each_in_seq_order(asgi_url, product):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite takes one writer at a time)")
    stream = open_stream(asgi_url, product)
    writers = [
        threading.Thread(target=lambda i=i: [say(product.contact_id, f"{i}-{n}") for n in range(5)])
        for i in range(4)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    lines = stream.lines(20, timeout=10)
    assert [line["seq"] for line in lines] == list(range(1, 21))
    assert sorted(line["text"] for line in lines) == sorted(
        f"{i}-{n}" for i in range(4) for n in range(5)
    )
    stream.close()


def _poll_headers(product, user_id: str | None = None) -> dict[str, str]:
    token = base64.b64encode(f"{product.key}:".encode()).decode()
    return {
        "Authorization": f"Basic {token}",
        "X-Stepwise-User-Hash": product.hash(user_id),
        "Origin": ORIGIN,
    }


def test_long_poll_answers_at_once_with_what_is_there_and_waits_for_what_is_not(asgi_url, product):
    say(product.contact_id, "one")
    url = f"{asgi_url}/v1/contacts/ada/stream"
    headers = _poll_headers(product)
    first = requests.get(url, params={"transport": "poll"}, headers=headers, timeout=5).json()
    assert [line["text"] for line in first["lines"]] == ["one"]
    assert first["state"] == {"last": 1, "unread": 1, "open": None}

    threading.Timer(0.3, say, args=(product.contact_id, "two")).start()
    started = time.monotonic()
    later = requests.get(
        url, params={"transport": "poll", "after": "1"}, headers=headers, timeout=10
    ).json()
    assert [line["text"] for line in later["lines"]] == ["two"]
    assert 0.2 < time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"user_hash": None}, 401, "user_hash_missing"),
        ({"user_hash": "0" * 64}, 403, "user_hash_invalid"),
        ({"user_hash": "bob"}, 403, "user_hash_invalid"),
        ({"origin": "https://evil.example"}, 403, "origin_not_allowed"),
        ({"key": None}, 401, "unauthorized"),
    ],
    ids=["missing hash", "forged hash", "another user's hash", "wrong origin", "no key"],
)
def test_the_stream_refuses_calls_that_do_not_prove_who_they_are(
    asgi_url, product, change, status, code
):
    say(product.contact_id, "private to Ada")
    headers = _poll_headers(product)
    if "user_hash" in change:
        given = change["user_hash"]
        headers["X-Stepwise-User-Hash"] = product.hash("bob") if given == "bob" else given
        headers = {name: value for name, value in headers.items() if value is not None}
    if "key" in change:
        headers.pop("Authorization")
    headers["Origin"] = change.get("origin", ORIGIN)
    answer = requests.get(
        f"{asgi_url}/v1/contacts/ada/stream",
        params={"transport": "poll"},
        headers=headers,
        timeout=5,
    )
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert "private to Ada" not in answer.text
