"""Push from the chat widget, in headless Chromium, on a product page of another origin
that hosts the one-line service worker (importScripts of Stepwise's push-sw.js): the bot
asks "Want a ping when your teammate joins?" (Yes / Not now, a journey's ask step); "Yes"
makes the browser ask for permission and registers the subscription with the widget's own
credentials; a push then reaches the browser's push service encrypted for it, the product's
worker shows it (delivered through the DevTools protocol) and reports it shown, and its
click handler reports the click and opens the link, or brings forward a tab showing it."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import OperationalError

from channels.delivery.queue import message_queue
from channels.models import Message
from channels.push_devices import PushDevice
from channels.rendering import MessageContent
from journeys.models import Contact, Event
from journeys.people.identity import user_hash
from journeys.people.sources import identity_secret_active, source_create
from journeys.run.journeys import journey_import
from tests.browser.test_widget import retried
from tests.chat.test_ask import track
from tests.journeys.core.helpers import journey_doc

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
IN_APP = "in_app"
OFFER = [
    {
        "id": "offer",
        "type": "ask",
        "channel": IN_APP,
        "question": "Want a ping when your teammate joins?",
        "replies": [
            {"label": "Yes", "value": "yes", "allow_notifications": True},
            {"label": "Not now", "value": "no"},
        ],
        "trait": "wants_pings",
    },
    {"id": "end", "type": "exit"},
]
# Chromium subscribes through Google's push service, not reachable here: the fake push
# service on 127.0.0.1 stands in for it (its subscription, its keys); everything else —
# the permission, the worker, the widget's calls — is the browser's own.
FAKE_PUSH_SERVICE = """
PushManager.prototype.getSubscription = () => Promise.resolve(null);
PushManager.prototype.subscribe = function (options) {
  const key = new Uint8Array(options.applicationServerKey);
  window.subscribedWith = btoa(String.fromCharCode(...key))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  return Promise.resolve({ toJSON: () => (SUBSCRIPTION) });
};"""
NOTIFICATIONS = """navigator.serviceWorker.ready.then(r => r.getNotifications())
  .then(list => list.map(n => ({title: n.title, body: n.body, url: n.data.url})))"""
# Chromium's DevTools cannot click a notification: the click goes to the worker's own
# handler as an event made in the worker. Its report is real; but Chromium lets a worker
# open or focus a window only during a person's click, so the test stands in for those
# two calls of the browser and keeps what the worker asked of them.
ACTIVATED = """navigator.serviceWorker.ready.then((r) => r.active.state === "activated")"""
SHOW_AGAIN = """(data) => self.registration.showNotification(data.title, {body: data.body, data})"""
CLICK = """self.opened = self.opened || []; self.focused = self.focused || [];
self.clients.openWindow = (url) => { self.opened.push(url); return Promise.resolve(null); };
WindowClient.prototype.focus = function () {
  self.focused.push(this.url); return Promise.resolve(this);
};
self.registration.getNotifications().then(([shown]) => {
  self.dispatchEvent(new NotificationEvent("notificationclick", {notification: shown}));
})"""


def _wait(condition, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = condition()
        except OperationalError:  # the in-memory SQLite, mid-write by the server
            found = None
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def product(asgi_url):
    """The product's origin: its page embedding the widget, and its one-line /sw.js."""
    pages = {"/sw.js": f"importScripts('{asgi_url}/static/stepwise/push-sw.js');\n".encode()}

    class Product(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            worker = self.path == "/sw.js"
            self.send_response(200)
            kind = "text/javascript" if worker else "text/html; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.end_headers()
            self.wfile.write(pages["/sw.js" if worker else "page"])

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Product)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()
    server.server_close()


def test_yes_in_the_chat_asks_the_browser_registers_it_and_a_push_shows_and_is_clicked(
    asgi_url, product, browser, fake_webpush, settings, django_capture_on_commit_callbacks
):
    settings.CHAT_POLL_SECONDS = 0.1
    settings.PUBLIC_URL = asgi_url
    origin, pages = product
    source, key = source_create(name="Acme Notes", allowed_origins=[origin])
    secret = identity_secret_active(source=source).secret
    journey_import(data=journey_doc(OFFER, trigger={"event": "Created Note"}), publish=True)
    retried(track, source_id=source.pk, user_id="ada", event="Created Note", title="Groceries")
    pages["page"] = (
        "<!doctype html><html lang='en'><head><title>Acme Notes</title></head><body>"
        "<main><h1>Your notes</h1></main>"
        f"<script src='{asgi_url}/static/stepwise/loader.js' async data-key='{key}'"
        f" data-user-id='ada' data-user-hash='{user_hash(secret, 'ada')}'></script>"
        "</body></html>"
    ).encode()
    browser_sub = fake_webpush.browser()
    context = browser.new_context()
    context.add_init_script(
        FAKE_PUSH_SERVICE.replace("SUBSCRIPTION", json.dumps(browser_sub.to_json()))
    )
    context.grant_permissions(["notifications"], origin=origin)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    page.goto(f"{origin}/notes/")

    page.locator("[data-stepwise] .launcher").click()
    page.locator("[data-stepwise] .replies button").filter(has_text="Yes").click()

    # Every read from here waits out the in-memory SQLite's table lock, held for a moment
    # by the server's threads as they write (the test shares their database).
    ada = _wait(lambda: Contact.objects.get(user_id="ada"), "the contact")
    device = _wait(
        lambda: PushDevice.objects.filter(contact=ada).first(),
        "the browser's subscription",
        timeout=60,  # the widget tries again while the test's SQLite is locked
    )
    assert (device.kind, device.token) == ("web", browser_sub.endpoint)
    assert page.evaluate("window.subscribedWith") == settings.VAPID_PUBLIC_KEY
    _wait(lambda: Contact.objects.get(pk=ada.pk).traits.get("wants_pings") == "yes", "the answer")

    with django_capture_on_commit_callbacks(execute=True):
        retried(
            message_queue,
            contact_id=ada.pk,
            channel="push",
            content=MessageContent(subject="Bob joined", body="Say hi!", url="/notes/42"),
            context={},
        )
    assert fake_webpush.refusals == []
    [payload] = fake_webpush.delivered  # decrypted with the browser's own keys
    assert (payload["title"], payload["body"], payload["url"]) == (
        "Bob joined",
        "Say hi!",
        "/notes/42",
    )

    registration = _wait(
        lambda: next((r for r in registrations if r["scopeURL"] == f"{origin}/"), None),
        "the product's service worker",
    )
    # A push is delivered only to an activated worker (the registration is reported sooner).
    _wait(lambda: page.evaluate(ACTIVATED), "the product's worker to be activated")
    push = {
        "origin": origin,
        "registrationId": registration["registrationId"],
        "data": json.dumps(payload),
    }
    # DevTools' delivery is now and then dropped by Chromium (1 run in 6 here, with the
    # worker activated): sent again until shown; the same tag shows one notification.
    shown = None
    for _ in range(6):
        cdp.send("ServiceWorker.deliverPushMessage", push)
        try:
            shown = _wait(lambda: page.evaluate(NOTIFICATIONS), "the notification", timeout=5)
            break
        except AssertionError:
            continue
    assert shown == [{"title": "Bob joined", "body": "Say hi!", "url": "/notes/42"}]
    message = _wait(lambda: Message.objects.get(contact=ada, channel="push"), "the message")
    _wait(lambda: Message.objects.get(pk=message.pk).status == "delivered", "the shown report")

    [worker] = context.service_workers
    worker.evaluate(CLICK)
    _wait(lambda: Message.objects.get(pk=message.pk).status == "clicked", "the click report")
    clicked = _wait(
        lambda: Event.objects.get(contact=ada, name="Clicked Message Link"), "the click event"
    )
    assert clicked.properties["url"] == "/notes/42"
    assert worker.evaluate("self.opened") == [f"{origin}/notes/42"]  # the link, at the product

    tab = context.new_page()  # the link already open in a tab: that tab comes forward
    tab.goto(f"{origin}/notes/42")
    worker.evaluate(SHOW_AGAIN, payload)  # the same notification, shown by the worker itself
    worker.evaluate(CLICK)
    _wait(lambda: worker.evaluate("self.focused.length"), "the tab brought forward")
    assert worker.evaluate("self.focused") == [f"{origin}/notes/42"]
    assert worker.evaluate("self.opened") == [f"{origin}/notes/42"]  # no second window
    context.close()
