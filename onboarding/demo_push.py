"""`make demo`'s push keys: a VAPID key pair made once into var/ (never committed), so Web
Push works in the demo without anyone generating keys. A deployment sets its own
VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY / VAPID_SUBJECT (docs/channels.md)."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

DEMO_SUBJECT = "mailto:demo@stepwise.invalid"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def vapid_key_pair() -> dict[str, str]:
    """A new P-256 key pair as base64url text (the forms browsers and pywebpush read)."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return {"public": _b64url(public), "private": _b64url(private)}


def demo_vapid_keys(var_dir: Path) -> None:
    """Read var/demo_vapid.json (made on first run) into the VAPID_* environment, unless
    the environment already names keys. Call before Django reads its settings."""
    if os.environ.get("VAPID_PRIVATE_KEY"):
        return
    path = var_dir / "demo_vapid.json"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(vapid_key_pair()))
        path.chmod(0o600)
    pair = json.loads(path.read_text())
    os.environ["VAPID_PUBLIC_KEY"] = pair["public"]
    os.environ["VAPID_PRIVATE_KEY"] = pair["private"]
    os.environ.setdefault("VAPID_SUBJECT", DEMO_SUBJECT)
