"""`python -m onboarding.acme --port 8001`: migrate Acme's own database and serve it."""

from __future__ import annotations

import argparse
import os


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACME_PORT", "8001")))
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "onboarding.acme.settings"
    import django  # noqa: PLC0415 - after the settings module is chosen

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)
    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False, verbosity=0)


if __name__ == "__main__":
    main()
