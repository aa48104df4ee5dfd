"""`make demo` makes a VAPID key pair once, keeps it in var/, and pywebpush can sign with
it (so push works in the demo with no set-up)."""

from __future__ import annotations

import json
import os

from py_vapid import Vapid

from onboarding.demo_push import demo_vapid_keys


def test_the_demo_makes_a_key_pair_once_and_reuses_it(tmp_path, monkeypatch):
    for name in ("VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"):
        monkeypatch.delenv(name, raising=False)

    demo_vapid_keys(tmp_path)
    first = dict(json.loads((tmp_path / "demo_vapid.json").read_text()))
    monkeypatch.delenv("VAPID_PRIVATE_KEY")
    demo_vapid_keys(tmp_path)

    assert os.environ["VAPID_PRIVATE_KEY"] == first["private"]
    assert os.environ["VAPID_PUBLIC_KEY"] == first["public"]
    assert os.environ["VAPID_SUBJECT"].startswith("mailto:")
    headers = Vapid.from_string(first["private"]).sign({"sub": "mailto:a@b.c", "aud": "https://x"})
    assert headers["Authorization"].startswith("vapid t=")


def test_keys_set_in_the_environment_win(tmp_path, monkeypatch):
    monkeypatch.setenv("VAPID_PRIVATE_KEY", "own-key")

    demo_vapid_keys(tmp_path)

    assert not (tmp_path / "demo_vapid.json").exists()
