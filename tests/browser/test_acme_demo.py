"""`make demo` as a new Acme Notes user meets it: the real demo processes (front door,
gunicorn, uvicorn streams, the worker, Acme Notes) and headless Chromium. The bot says it
is a bot, asks the name and the role, suggests one step at a time, praises each in order,
and answers honestly when it does not understand. Screenshots go to docs/widget/."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests

from onboarding.ports import free_port
from tests.demo_process import running_demo

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "widget"
SCRATCH = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "widget"
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
WIDGET = "[data-stepwise]"


def _wait_for(url: str, timeout: float = 150) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("`make demo` runs on SQLite whatever the suite uses: the SQLite run covers it")
    var = tmp_path_factory.mktemp("demo")
    port = free_port(pair=True)  # the demo serves Acme on port + 1
    stepwise, acme = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    # The cheer's text is sent at any hour of the run.
    with running_demo(var, port, CHANNELS_SMS_QUIET_HOURS=""):
        _wait_for(f"{stepwise}/v1/openapi.json")
        _wait_for(f"{acme}/")
        yield stepwise, acme, var / "demo.log"


@pytest.fixture
def person(browser):
    """A new visitor's browser; CSP bypassed only so the test can inject axe-core."""
    context = browser.new_context(viewport={"width": 1280, "height": 820}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def lines(page) -> list[str]:
    return page.locator(f"{WIDGET} .lines li .bubble").evaluate_all(
        "nodes => nodes.map(n => Array.from(n.childNodes).filter(c => c.nodeType === 3)"
        ".map(c => c.textContent).join(''))"
    )


def wait_line(page, text: str, timeout: float = 20_000) -> None:
    page.locator(f"{WIDGET} .lines li").filter(has_text=text).last.wait_for(timeout=timeout)


def open_chat(page) -> None:
    page.locator(f"{WIDGET} .launcher").click()
    page.locator(f"{WIDGET} .panel").wait_for()


def accessible(page, axe) -> list[dict]:
    """axe-core's violations; Acme does not serve axe, so the test brings it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return axe(page)


def shot(page, name: str) -> None:
    """README's screenshots are retaken with STEPWISE_SCREENSHOTS=1; otherwise they go
    under var/ (a test run never changes a tracked file)."""
    folder = DOCS if os.environ.get("STEPWISE_SCREENSHOTS") == "1" else SCRATCH
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def test_a_new_acme_user_is_onboarded_by_the_bot_step_by_step(demo, person, axe, tmp_path):
    stepwise, acme, log = demo
    page = person
    page.goto(f"{acme}/signup/")
    page.fill("#id_email", "ada@example.com")
    page.fill("#id_password", "correct horse battery")
    page.fill("#id_phone", "+14155550142")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{acme}/notes/")

    page.locator(f"{WIDGET} .badge").filter(has_text="2").wait_for(timeout=20_000)
    open_chat(page)
    wait_line(page, "what should I call you?")
    assert page.locator(f"{WIDGET} .panel h2").text_content() == "Nova"
    assert lines(page) == [
        "Hi! I'm Nova, the Acme Notes bot. I'm just a bot, so I can't do much, but I'll show "
        "you around one small step at a time.",
        "First things first: what should I call you?",
    ]
    assert accessible(page, axe) == []
    shot(page, "1-hello")

    page.locator(f"{WIDGET} input").fill("Ada")
    page.keyboard.press("Enter")
    wait_line(page, "Nice to meet you, Ada!")
    quick = page.locator(f"{WIDGET} .replies button")
    assert quick.all_text_contents() == ["Product", "Design", "Engineering", "Something else"]
    assert accessible(page, axe) == []
    shot(page, "2-quick-replies")
    quick.filter(has_text="Design").click()
    wait_line(page, "Here's your first step: write a note.")
    assert page.locator(f"{WIDGET} .replies").is_hidden()

    page.locator(f"{WIDGET} input").fill("can you order me a pizza")
    page.keyboard.press("Enter")
    wait_line(page, "I've passed this to the Acme Notes team")
    assert lines(page)[-1] == (
        "I'm just a bot — I've passed this to the Acme Notes team; they usually answer within "
        "a day.\n\nMeanwhile, here is where we were: Here's your first step: write a note. "
        "Anything will do, even a shopping list. It takes ten seconds."
    )
    shot(page, "3-honest-fallback")

    page.locator(f"{WIDGET} a.cta").filter(has_text="Write a note").last.click()
    page.wait_for_url(f"{acme}/notes/new/")
    page.fill("#id_title", "Groceries")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{acme}/notes/")
    # The praise, then the next step in a line of its own (skipped when already done).
    page.locator(f"{WIDGET} .badge").filter(has_text="2").wait_for(timeout=20_000)
    open_chat(page)
    wait_line(page, "Nice one, Ada! “Groceries” is saved.")
    wait_line(page, "Want a ping when your teammate joins?")  # push, offered after the note
    quick = page.locator(f"{WIDGET} .replies button")
    assert quick.all_text_contents() == ["Yes", "Not now"]
    assert accessible(page, axe) == []
    shot(page, "4-praise")
    quick.filter(has_text="Not now").click()
    wait_line(page, "Next step: upload a file")

    page.locator(f"{WIDGET} a.cta").filter(has_text="Upload a file").last.click()
    page.wait_for_url(f"{acme}/files/")
    upload = tmp_path / "roadmap.pdf"
    upload.write_bytes(b"%PDF-1.4 roadmap")
    page.set_input_files("#id_file", str(upload))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{acme}/notes/")
    open_chat(page)
    wait_line(page, "Got roadmap.pdf, it sits beside your notes now.")

    page.locator(f"{WIDGET} a.cta").filter(has_text="Invite a teammate").last.click()
    page.wait_for_url(f"{acme}/invite/")
    page.fill("#id_email", "grace@example.com")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{acme}/notes/")
    open_chat(page)
    wait_line(page, "You did it: a note, a file and a teammate.")
    shot(page, "5-cheer")

    said = lines(page)
    bot_steps = [
        "what should I call you?",
        "Nice to meet you, Ada!",
        "Here's your first step",
        "I've passed this to the Acme Notes team",
        "Nice one, Ada!",
        "Got roadmap.pdf",
        "You did it",
    ]
    found = [next(i for i, text in enumerate(said) if step in text) for step in bot_steps]
    assert found == sorted(found)
    assert [text for text in said if text in ("Ada", "Design", "can you order me a pizza")] == [
        "Ada",
        "Design",
        "can you order me a pizza",
    ]
    assert len(said) == len(set(said))
    deadline = time.monotonic() + 20
    while "SMS to +14155550142: Acme Notes: you're all set, Ada!" not in log.read_text():
        assert time.monotonic() < deadline, "the cheer's text message was not sent"
        time.sleep(0.5)


def test_a_french_acme_user_meets_nova_in_french(demo, browser, axe):
    """Issue 23: a browser in French signs up; Acme sends its locale; Nova greets and asks
    in French, and every word of the widget's own is French."""
    _, acme, _ = demo
    context = browser.new_context(
        viewport={"width": 1280, "height": 820}, bypass_csp=True, locale="fr-FR"
    )
    page = context.new_page()
    page.goto(f"{acme}/signup/")
    page.fill("#id_email", "marie@example.com")
    page.fill("#id_password", "correct horse battery")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{acme}/notes/")

    page.locator(f"{WIDGET} .badge").filter(has_text="2").wait_for(timeout=20_000)
    open_chat(page)
    wait_line(page, "comment dois-je vous appeler ?")
    assert lines(page) == [
        "Bonjour ! Je suis Nova, le robot d'Acme Notes. Je ne suis qu'un robot, je ne sais pas "
        "faire grand-chose, mais je vais vous faire découvrir Acme Notes, un petit pas à la fois.",
        "Pour commencer : comment dois-je vous appeler ?",
    ]
    page.locator(f"{WIDGET} .panel[lang=fr]").wait_for()
    assert page.locator(f"{WIDGET} .who p").text_content() == (
        "Un robot, pas une personne. Il vous aide à démarrer."
    )
    assert page.locator(f"{WIDGET} input").get_attribute("placeholder") == "Tapez votre réponse…"
    assert page.locator(f"{WIDGET} .send").text_content() == "Envoyer"
    assert page.locator(f"{WIDGET} .launcher").get_attribute("aria-label") == (
        "Fermer la discussion"
    )
    assert accessible(page, axe) == []
    context.close()
