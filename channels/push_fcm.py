"""Android and iOS apps through Firebase Cloud Messaging HTTP v1 (FCM relays to APNs).

google-auth turns the service-account JSON (FCM_CREDENTIALS) into OAuth access tokens,
from the token_uri the JSON names, refreshed before they expire; the send itself is one
documented POST, so the base URL can point at a test server (FCM_API_URL). The
credentials are read once per process."""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from typing import Any

import requests
from django.conf import settings
from google.auth.exceptions import GoogleAuthError
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account

from channels.push_webpush import Outcome, retry_after_seconds

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GONE_CODES = {"UNREGISTERED", "INVALID_ARGUMENT"}  # the token is dead or was never valid
_lock = threading.Lock()


def is_configured() -> bool:
    return bool(settings.FCM_CREDENTIALS)


@lru_cache(maxsize=4)
def _session(path: str) -> tuple[AuthorizedSession, str]:
    """An authorised session and the Firebase project id, for one credentials file."""
    with open(path, encoding="utf-8") as handle:
        info = json.load(handle)
    credentials = service_account.Credentials.from_service_account_info(info, scopes=[SCOPE])
    return AuthorizedSession(credentials), info["project_id"]


def fcm_send(*, token: str, payload: dict[str, Any], timeout: float) -> Outcome:
    """Send one notification to one app install."""
    with _lock:  # one token refresh at a time
        session, project = _session(settings.FCM_CREDENTIALS)
    url = f"{settings.FCM_API_URL.rstrip('/')}/v1/projects/{project}/messages:send"
    body = {"message": {"token": token, **_message(payload)}}
    try:
        response = session.post(url, json=body, timeout=timeout, allow_redirects=False)
    except GoogleAuthError as exc:
        return Outcome("retry", f"could not get a Firebase access token: {exc}")
    except requests.RequestException as exc:
        return Outcome("retry", f"Firebase unreachable: {exc}")
    if response.status_code == 200:
        return Outcome("ok")
    return _outcome(response)


def _message(payload: dict[str, Any]) -> dict[str, Any]:
    notification = {"title": payload["title"], "body": payload["body"]}
    if payload.get("image"):
        notification["image"] = payload["image"]
    data = {key: str(value) for key, value in payload.items() if value and key != "image"}
    return {"notification": notification, "data": data}


def _error_code(response: requests.Response) -> tuple[str, str]:
    """(FCM error code, message) from a documented error body."""
    try:
        error = response.json().get("error") or {}
    except ValueError:
        return "", response.text[:200]
    codes = [
        detail.get("errorCode", "")
        for detail in error.get("details") or []
        if isinstance(detail, dict)
    ]
    return next((c for c in codes if c), error.get("status", "")), error.get("message", "")


def _outcome(response: requests.Response) -> Outcome:
    code, message = _error_code(response)
    words = f"Firebase answered {response.status_code} {code}: {message}".strip()
    if code in GONE_CODES:
        return Outcome("gone", words)
    if response.status_code == 429 or response.status_code >= 500:
        return Outcome("retry", words, retry_after_seconds(response.headers.get("Retry-After")))
    return Outcome("failed", words)
