"""`make demo`'s set-up on a fresh var/ directory: migrate, login, key, sample data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(120)
def test_demo_setup_prints_url_login_and_a_working_key(tmp_path):
    env = {
        **os.environ,
        "STEPWISE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "onboarding.settings",
    }
    env.pop("DATABASE_URL", None)

    first = subprocess.run(
        [sys.executable, "-m", "onboarding.demo", "--setup-only", "--port", "8123"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    second = subprocess.run(
        [sys.executable, "-m", "onboarding.demo", "--setup-only", "--port", "8123"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    key = (tmp_path / "demo_write_key").read_text().strip()
    assert "http://127.0.0.1:8123/admin/   login: admin / stepwise-demo" in first.stdout
    assert f"Write key:  {key}" in first.stdout
    assert f"Write key:  {key}" in second.stdout
    assert (tmp_path / "stepwise.sqlite3").exists()
