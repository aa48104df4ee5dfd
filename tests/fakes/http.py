"""Fake provider HTTP servers on 127.0.0.1: the real client libraries talk to these.

Each server records every request and answers from a queue of scripted responses, falling
back to the provider's normal success answer.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Scripted:
    status: int
    body: dict | str
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeServer:
    requests: list[Recorded] = field(default_factory=list)
    script: deque[Scripted] = field(default_factory=deque)
    record: bool = True

    def __post_init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def then_respond(
        self,
        status: int,
        body: dict | str,
        *,
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.script.append(Scripted(status, body, delay, headers or {}))

    def default_response(self, request: Recorded) -> Scripted:
        return Scripted(200, {"ok": True})

    def hold_until(self, count: int, timeout: float = 30.0) -> None:
        """Answer nothing until `count` requests are waiting at once (then all of them):
        a client that sends one request after another gets each answer only at the
        timeout, and `held_apart` says so."""
        self.together: threading.Barrier | None = threading.Barrier(count, timeout=timeout)
        self.held_apart = False

    def _answer(self, request: Recorded) -> Scripted:
        if self.record:
            self.requests.append(request)
        if getattr(self, "together", None) is not None:
            try:
                self.together.wait()  # type: ignore[union-attr]
            except threading.BrokenBarrierError:
                self.held_apart = True
        return self.script.popleft() if self.script else self.default_response(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Recorded(
                    method="POST",
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                answer = server._answer(request)
                if answer.delay:
                    time.sleep(answer.delay)
                raw = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
                payload = raw.encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


class FakePostmark(FakeServer):
    """POST /email as documented at postmarkapp.com/developer/api/email-api.

    `failing_until` (time.monotonic()) makes it answer 503 until then, as an ESP outage
    does; `failures_per_recipient` answers 503 to the first N sends to each address, an
    outage that lasts N attempts whatever the machine's speed (what a test that counts
    retries needs); `send_delay` makes every accepted send take that long (a slow ESP).
    `accepted` holds the emails it answered 200 for: what recipients would get."""

    failing_until: float = 0.0
    failures_per_recipient: int = 0
    send_delay: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        self.accepted: list[dict] = []
        self.refused = 0
        self.refused_to: Counter[str] = Counter()
        self._ids = itertools.count(1)

    def default_response(self, request: Recorded) -> Scripted:
        sent = json.loads(request.body)
        recipient = str(sent.get("To", ""))
        if (
            time.monotonic() < self.failing_until
            or self.refused_to[recipient] < self.failures_per_recipient
        ):
            self.refused += 1
            self.refused_to[recipient] += 1
            return Scripted(503, "Service Unavailable")
        self.accepted.append(sent)
        return Scripted(
            200,
            {
                "To": sent["To"],
                "SubmittedAt": "2026-11-25T12:00:00.0000000Z",
                "MessageID": f"00000000-0000-0000-0000-{next(self._ids):012d}",
                "ErrorCode": 0,
                "Message": "OK",
            },
            delay=self.send_delay,
        )


class FakeTwilio(FakeServer):
    """POST /2010-04-01/Accounts/{sid}/Messages.json as documented by Twilio."""

    def default_response(self, request: Recorded) -> Scripted:
        form = request.form()
        sid = f"SM{len(self.requests):032d}"
        account = request.path.split("/")[3]
        return Scripted(
            201,
            {
                "account_sid": account,
                "api_version": "2010-04-01",
                "body": form.get("Body", ""),
                "date_created": "Wed, 25 Nov 2026 12:00:00 +0000",
                "date_sent": None,
                "date_updated": "Wed, 25 Nov 2026 12:00:00 +0000",
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": form.get("From"),
                "messaging_service_sid": form.get("MessagingServiceSid"),
                "num_media": "0",
                "num_segments": "1",
                "price": None,
                "price_unit": None,
                "sid": sid,
                "status": "queued",
                "subresource_uris": {},
                "to": form.get("To"),
                "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
            },
        )


def twilio_error(status: int, code: int, message: str) -> dict:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
