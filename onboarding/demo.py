"""`make demo`: set up a working Stepwise on this machine and run what production runs.

Migrates, creates the admin login and a demo source, loads sample data through the real
services, sets up the demo product Acme Notes (its source, identity secret, keyword
replies and onboarding journey), then runs until Ctrl-C:

- the WSGI web process (gunicorn: event API, admin, webhooks),
- the ASGI stream process (uvicorn: the widget's live streams),
- the front door that splits one URL space between them by path (nginx in production;
  onboarding/front.py here),
- the django-q2 worker cluster,
- Acme Notes itself, on the next port, embedding the widget."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from onboarding.ports import bindable, free_port

ADMIN_USER = "admin"
ADMIN_PASSWORD = "stepwise-demo"  # noqa: S105 - a local demo login, printed on purpose
SOURCE_NAME = "Demo app"
BROWSER_SOURCE_NAME = "Demo web page"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8000")))
    parser.add_argument("--setup-only", action="store_true", help="set up, print, don't serve")
    args = parser.parse_args()
    for name, value in demo_environment(args.port).items():
        os.environ.setdefault(name, value)
    from onboarding.demo_push import demo_vapid_keys

    base = Path(__file__).resolve().parent.parent
    demo_vapid_keys(Path(os.environ.get("STEPWISE_VAR_DIR", str(base / "var"))))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    key = _demo_key(Path(settings.VAR_DIR))
    identity_secret = _demo_identity_secret(Path(settings.VAR_DIR), key, "demo_identity_secret")
    browser_key = _demo_key(
        Path(settings.VAR_DIR), "demo_browser_key", BROWSER_SOURCE_NAME, [os.environ["PUBLIC_URL"]]
    )
    _demo_identity_secret(Path(settings.VAR_DIR), browser_key, "demo_browser_identity_secret")
    secret_key = _demo_secret_key(Path(settings.VAR_DIR))
    _admin_login()
    _sample_data(key)
    url = f"http://127.0.0.1:{args.port}"
    acme = _acme(url, _port_or_free(args.port + 1))
    call_command("collectstatic", interactive=False, verbosity=0)
    _print_welcome(url, key, identity_secret, secret_key, browser_key)
    print(f"  Demo product: {acme.url}/   (Acme Notes: sign up and meet its bot)")
    print("=" * 72, flush=True)
    if not args.setup_only:
        _serve(args.port, acme, Path(settings.STATIC_ROOT))


def demo_environment(port: int) -> dict[str, str]:
    """The settings the demo runs with unless the environment says otherwise."""
    return {
        "DJANGO_SETTINGS_MODULE": "onboarding.settings",
        "DEBUG": "1",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SMS_BACKEND": "console",  # texts appear in this terminal
        # The demo's emails come from the demo product, as a customer's would.
        "DEFAULT_FROM_EMAIL": "Acme Notes <hello@acme.example>",
    }


def _admin_login() -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=ADMIN_USER,
        # A first name: staff answers in the chat are signed with it.
        defaults={"is_staff": True, "is_superuser": True, "first_name": "Sam"},
    )
    user.set_password(ADMIN_PASSWORD)
    user.save()


def _demo_key(
    var_dir: Path,
    file_name: str = "demo_write_key",
    name: str = SOURCE_NAME,
    origins: list[str] | None = None,
) -> str:
    """A demo source's write key, kept in var/ since only its hash is in the database.

    "Demo app" is a server source (the sample data and server SDKs use it); "Demo web
    page" is a browser source for pages on the demo's own origin."""
    from journeys.models import Source
    from journeys.people.sources import hash_key, source_create

    key_file = var_dir / file_name
    if key_file.exists():
        key = key_file.read_text().strip()
        if Source.objects.filter(key_hash=hash_key(key), revoked_at__isnull=True).exists():
            return key
    _, key = source_create(name=name, allowed_origins=origins or [])
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    return key


def _demo_identity_secret(var_dir: Path, key: str, file_name: str) -> str:
    """A demo source's identity secret, also written to var/ for scripts and tests."""
    from journeys.models import Source
    from journeys.people.sources import hash_key, identity_secret_active

    source = Source.objects.get(key_hash=hash_key(key))
    secret = identity_secret_active(source=source).secret
    secret_file = var_dir / file_name
    secret_file.write_text(secret + "\n")
    secret_file.chmod(0o600)
    return secret


def _acme(url: str, port: int):  # noqa: ANN202 - onboarding.acme.seed.AcmeSetup
    from onboarding.acme.seed import acme_setup

    return acme_setup(stepwise_url=url, acme_url=f"http://127.0.0.1:{port}", port=port)


def _demo_secret_key(var_dir: Path) -> str:
    """A secret server key for reading contacts, kept in var/ (only its hash is stored)."""
    from journeys.models import SecretKey
    from journeys.people.secret_keys import secret_key_create
    from journeys.people.sources import hash_key

    key_file = var_dir / "demo_secret_key"
    if key_file.exists():
        key = key_file.read_text().strip()
        if SecretKey.objects.filter(key_hash=hash_key(key), revoked_at__isnull=True).exists():
            return key
    _, key = secret_key_create(name="Demo server", actor_label="make demo")
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    return key


def _sample_data(key: str) -> None:
    from onboarding.sample_data import load_sample_data

    # DEMO_SAMPLE_TRAFFIC=0 leaves out the 600 trial contacts (tests of other things).
    load_sample_data(write_key=key, traffic=os.environ.get("DEMO_SAMPLE_TRAFFIC", "1") != "0")


def _print_welcome(
    url: str, key: str, identity_secret: str, secret_key: str, browser_key: str
) -> None:
    line = "=" * 72
    print(line)
    print("Stepwise demo is ready.")
    print(f"  Admin:      {url}/admin/   login: {ADMIN_USER} / {ADMIN_PASSWORD}")
    print(f"  Event API:  {url}/v1/   (OpenAPI docs: {url}/v1/docs)")
    print(f"  Health:     {url}/healthz   (Prometheus metrics: {url}/metrics)")
    print(f"  Write key:  {key}")
    print(f"  Identity secret (sign user ids on your server): {identity_secret}")
    print(f"  Secret server key (reads, exports, erases contacts): {secret_key}")
    print(f"  Browser write key (public, for web pages; needs user hashes): {browser_key}")
    print("  Send a first event:")
    print(f"    curl -u '{key}:' -H 'Content-Type: application/json' \\")
    print(f'      -d \'{{"userId": "ada", "event": "Signed Up"}}\' {url}/v1/track')
    print("  Stop with Ctrl-C.")


def _wait_for_answer(url: str, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local URL
                return
        except OSError:
            time.sleep(0.3)


def _port_or_free(port: int) -> int:
    """`port` when nothing listens there, else any free port (Acme Notes' port)."""
    return port if bindable(port) else free_port()


def _stepwise_commands(port: int, static_root: Path) -> list[list[str]]:
    """What production runs: the WSGI web, the ASGI streams, the front door, the workers."""
    python = sys.executable
    manage = [python, str(Path(__file__).resolve().parent.parent / "manage.py")]
    wsgi, asgi = free_port(), free_port()
    return [
        [
            python,
            "-m",
            "gunicorn",
            "onboarding.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{wsgi}",
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        [
            python,
            "-m",
            "uvicorn",
            "onboarding.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(asgi),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
        ],
        [
            python,
            "-m",
            "onboarding.front",
            "--port",
            str(port),
            "--wsgi",
            f"127.0.0.1:{wsgi}",
            "--asgi",
            f"127.0.0.1:{asgi}",
            "--static-root",
            str(static_root),
        ],
        [*manage, "workers"],
    ]


def _share_metrics(static_root: Path) -> None:
    """One /metrics for every process of the demo (web and workers), as docs/deploy.md says."""
    metrics_dir = static_root.parent / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=40)  # the workers give their clusters 30 s
        except subprocess.TimeoutExpired:
            process.kill()
    sys.exit(0)


def _serve(port: int, acme, static_root: Path) -> None:  # noqa: ANN001 - AcmeSetup
    _share_metrics(static_root)
    acme_env = {**os.environ, **acme.environment()}
    acme_env.pop("DJANGO_SETTINGS_MODULE", None)
    processes = [subprocess.Popen(command) for command in _stepwise_commands(port, static_root)]
    # Stepwise first: Acme Notes sends it events from its first sign-up on.
    _wait_for_answer(f"http://127.0.0.1:{port}/v1/openapi.json", timeout=120)
    acme_command = [sys.executable, "-m", "onboarding.acme", "--port", str(acme.port)]
    processes.append(subprocess.Popen(acme_command, env=acme_env))

    def stop(*_: object) -> None:
        _stop(processes)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)
    stop()


if __name__ == "__main__":
    main()
