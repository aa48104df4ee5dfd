"""Acme Notes: a small fake product that embeds the Stepwise widget, as a customer would.

It is its own Django project with its own database (var/acme.sqlite3), run by `make demo`
beside Stepwise. It signs up users, lets them write notes, upload files and invite a
teammate, sends each of those to Stepwise's event API from its server, and computes the
user hash for the widget on its server. See docs/widget.md."""
