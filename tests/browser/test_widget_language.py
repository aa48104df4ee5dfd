"""The widget speaks the contact's language (issue 23): the browser's before the server
knows the contact's, then the contact's; French and English shipped, English the fallback."""

from __future__ import annotations

import pytest

from journeys.models import Contact
from tests.browser.test_widget import bot_says, embed, product_server  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
def page(browser):
    """A browser set to French (France), as a person in Paris has it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def widget_words(page) -> dict[str, str]:
    """Every word the widget shows or reads out, besides what the bot and people said."""
    return page.evaluate(
        """() => {
          const root = document.querySelector('[data-stepwise]').shadowRoot;
          const one = (selector) => root.querySelector(selector);
          return {
            lang: one('.panel').getAttribute('lang'),
            launcher: one('.launcher').getAttribute('aria-label'),
            panel: one('.panel').getAttribute('aria-label'),
            bot_label: one('.who p').textContent,
            close: one('.close').getAttribute('aria-label'),
            log: one('.log').getAttribute('aria-label'),
            placeholder: one('input').placeholder,
            input_label: one('label').textContent,
            send: one('.send').textContent,
            when: one('.log time').textContent,
            speaker: one('.log .bubble .sr').textContent,
          };
        }"""
    )


def open_chat_with_a_line(embed, page, locale: str) -> None:  # noqa: F811 - the fixture
    Contact.objects.filter(user_id="ada").update(locale=locale)
    contact_id = embed()
    bot_says(contact_id, "Bonjour !")
    page.locator("[data-stepwise] .badge").filter(has_text="1").wait_for(timeout=10_000)
    page.locator("[data-stepwise] .launcher").click()
    page.locator("[data-stepwise] .log li").first.wait_for()


def test_a_french_contact_sees_only_french_words(embed, page, axe):  # noqa: F811
    open_chat_with_a_line(embed, page, "fr-CA")  # no fr-CA file: fr-CA → fr
    page.locator("[data-stepwise] .panel[lang=fr]").wait_for()
    assert widget_words(page) == {
        "lang": "fr",
        "launcher": "Fermer la discussion",
        "panel": "Discussion avec Nova",
        "bot_label": "Un robot, pas une personne. Il vous aide à démarrer.",
        "close": "Fermer la discussion",
        "log": "Conversation",
        "placeholder": "Écrivez un message…",
        "input_label": "Message à Nova",
        "send": "Envoyer",
        "when": "maintenant",
        "speaker": "Nova: ",
    }
    page.locator("[data-stepwise] .close").click()
    # Closed straight after opening, the line may not be marked read yet: the count, if
    # the launcher still names it, is in French too.
    label = page.locator("[data-stepwise] .launcher").get_attribute("aria-label")
    assert label in ("Ouvrir la discussion", "Ouvrir la discussion, 1 à lire")
    assert axe(page) == []


def test_an_english_contact_sees_english_in_a_french_browser(embed, page):  # noqa: F811
    open_chat_with_a_line(embed, page, "en-US")
    page.locator("[data-stepwise] .panel[lang=en]").wait_for()
    words = widget_words(page)
    assert (words["bot_label"], words["placeholder"], words["send"], words["when"]) == (
        "A bot, not a person. It helps you get started.",
        "Write a message…",
        "Send",
        "now",
    )
    assert words["launcher"] == "Close chat"


def test_before_the_server_knows_the_contact_the_browser_chooses(embed, page):  # noqa: F811
    open_chat_with_a_line(embed, page, "")
    page.locator("[data-stepwise] .panel[lang=fr]").wait_for()
    assert widget_words(page)["send"] == "Envoyer"
