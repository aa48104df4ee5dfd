"""Fake push services on 127.0.0.1 that verify what they receive, as the real ones do.

FakeWebPush is a browser push service: it checks the VAPID JWT (ES256 signature with the
key in the header, audience = its own origin, expiry within 24 hours) and decrypts the
aes128gcm body with the subscriber's private key and auth secret (http_ece), as the
browser would. FakeFcm is Google's OAuth token endpoint plus FCM HTTP v1: it checks the
service account's signed assertion, hands out a bearer token and accepts sends only with
it. Anything that fails a check is refused (401/400) and noted in `refusals`.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.fakes.http import FakeServer, Recorded, Scripted


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """A browser's push subscription: what it hands the widget, and what only it knows."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls, endpoint: str) -> Browser:
        return cls(endpoint, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    def to_json(self) -> dict:
        """What PushSubscription.toJSON() gives."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)},
        }


def vapid_key_pair() -> tuple[str, str]:
    """(public, private) base64url, as VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY hold them."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(public), b64url(private)


class FakeWebPush(FakeServer):
    """A browser push service: POST /push/<id>, answers 201 to what it could read."""

    vapid_public_key: str = ""
    subject: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.browsers: dict[str, Browser] = {}
        self.delivered: list[dict] = []  # decrypted payloads, in order
        self.refusals: list[str] = []
        self._ids = itertools.count(1)

    def browser(self) -> Browser:
        browser = Browser.new(f"{self.url}/push/{next(self._ids)}")
        self.browsers[browser.endpoint.removeprefix(self.url)] = browser
        return browser

    def _refuse(self, status: int, why: str) -> Scripted:
        self.refusals.append(why)
        return Scripted(status, {"error": why})

    def default_response(self, request: Recorded) -> Scripted:
        browser = self.browsers.get(request.path)
        if browser is None:
            return self._refuse(404, "no such subscription")
        why = self._vapid_problem(request.headers.get("authorization", ""))
        if why:
            return self._refuse(401, why)
        if request.headers.get("content-encoding") != "aes128gcm":
            return self._refuse(400, "not aes128gcm")
        try:
            clear = http_ece.decrypt(
                request.body,
                private_key=browser.private_key,
                auth_secret=browser.auth,
                version="aes128gcm",
            )
        except Exception as exc:  # noqa: BLE001 - any failure to decrypt is a refusal
            return self._refuse(400, f"cannot decrypt: {exc}")
        self.delivered.append(json.loads(clear))
        return Scripted(201, "")

    def _vapid_problem(self, header: str) -> str:
        """Why the VAPID authorization (RFC 8292: `vapid t=<jwt>, k=<key>`) is refused."""
        if not header.startswith("vapid "):
            return "no VAPID authorization"
        parts = dict(p.strip().split("=", 1) for p in header[6:].split(","))
        if parts.get("k") != self.vapid_public_key:
            return "not the application server's key"
        point = unb64url(parts["k"])
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        try:
            claims = jwt.decode(
                parts.get("t", ""),
                public,
                algorithms=["ES256"],
                audience=self.url,
                options={"require": ["exp", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            return f"bad VAPID token: {exc}"
        if claims["exp"] > time.time() + 24 * 60 * 60:
            return "VAPID token expires more than 24 hours ahead"
        if claims["sub"] != self.subject:
            return "wrong VAPID subject"
        return ""


def service_account(token_uri: str, project_id: str = "acme-notes") -> dict:
    """A service-account JSON like the Firebase console's, with a fresh RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": "test-key-1",
        "private_key": pem,
        "client_email": f"stepwise@{project_id}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }


class FakeFcm(FakeServer):
    """POST /token (OAuth JWT bearer grant) and POST /v1/projects/<id>/messages:send."""

    account: dict | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self.tokens: set[str] = set()
        self.delivered: list[dict] = []  # the `message` objects accepted
        self.refusals: list[str] = []
        self.by_token: dict[str, Scripted] = {}  # an answer kept for one app install
        self._ids = itertools.count(1)

    def _refuse(self, status: int, why: str) -> Scripted:
        self.refusals.append(why)
        return Scripted(status, {"error": {"code": status, "message": why}})

    def _answer(self, request: Recorded) -> Scripted:
        if request.path == "/token":  # the token endpoint never takes scripted answers
            if self.record:
                self.requests.append(request)
            return self._token(request)
        return super()._answer(request)

    def _token(self, request: Recorded) -> Scripted:
        assert self.account is not None
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        public = serialization.load_pem_private_key(
            self.account["private_key"].encode(), password=None
        ).public_key()
        try:
            claims = jwt.decode(
                form.get("assertion", ""),
                public,
                algorithms=["RS256"],
                # Google's token endpoint expects its own URL as the audience, whichever
                # token_uri the assertion was posted to (google-auth does the same).
                audience="https://oauth2.googleapis.com/token",
                issuer=self.account["client_email"],
            )
        except jwt.PyJWTError as exc:
            return self._refuse(400, f"bad assertion: {exc}")
        if "firebase.messaging" not in claims.get("scope", ""):
            return self._refuse(400, "assertion without the FCM scope")
        token = f"ya29.test-{next(self._ids)}"
        self.tokens.add(token)
        return Scripted(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})

    def default_response(self, request: Recorded) -> Scripted:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if bearer not in self.tokens:
            return self._refuse(401, "no valid bearer token")
        expected = f"/v1/projects/{self.account['project_id']}/messages:send"  # type: ignore[index]
        if request.path != expected:
            return self._refuse(404, f"unknown path {request.path}")
        message = request.json()["message"]
        if message.get("token") in self.by_token:
            return self.by_token[message["token"]]
        self.delivered.append(message)
        project = self.account["project_id"]  # type: ignore[index]
        return Scripted(200, {"name": f"projects/{project}/messages/{len(self.delivered)}"})


def fcm_error(status: int, code: str, error_code: str) -> dict:
    """A documented FCM v1 error body (firebase.google.com/docs/reference/fcm/rest)."""
    return {
        "error": {
            "code": status,
            "message": f"{error_code} for this token",
            "status": code,
            "details": [
                {
                    "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                    "errorCode": error_code,
                }
            ],
        }
    }
