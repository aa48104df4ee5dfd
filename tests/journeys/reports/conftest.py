"""Fixtures for the reports: the trial journey (a holdout split, A/B variants, a branch
that skips a step), published through the real services; contacts whose split path is
known in advance."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from journeys.core.assignment import choose_path
from journeys.core.format import parse_journey
from journeys.run.contacts import contact_merge
from journeys.run.journeys import journey_import
from tests.journeys.runtime.conftest import (  # noqa: F401 - shared fixtures
    make_contact,
    run_worker,
    send_event,
    source,
)

TRIAL = json.loads((Path(__file__).parent / "trial.json").read_text())


@pytest.fixture
def trial_doc():
    return copy.deepcopy(TRIAL)


@pytest.fixture
def trial(db, trial_doc):
    return journey_import(data=trial_doc, publish=True)


@pytest.fixture
def contact_on_path(make_contact):  # noqa: F811 - the shared fixture
    """A contact the holdout split sends down path `index` (0: the journey, 1: holdout)."""
    spec = parse_journey(TRIAL)
    split = spec.step("holdout")
    counter = iter(range(10_000))

    def make(index: int, prefix: str = "c", **fields):
        while True:
            contact = make_contact(f"{prefix}{next(counter)}", **fields)
            if choose_path(contact.pk, "trial", split) == index:  # type: ignore[arg-type]
                return contact
            contact.delete()

    return make


@pytest.fixture
def history(trial, contact_on_path, send_event, run_worker):  # noqa: F811 - shared fixtures
    """Seven entrants: five down the journey (a converts after finishing, b is on the pro
    plan so skips "praise", c still waits, d exits, f is merged into c), two held out
    (h1 converts, h2 does not)."""
    a = contact_on_path(0, prefix="a")
    b = contact_on_path(0, prefix="b", traits={"plan": "pro"})
    c, d, f = (contact_on_path(0, prefix=p) for p in ("c", "d", "f"))
    h1, h2 = contact_on_path(1, prefix="h"), contact_on_path(1, prefix="k")
    for contact in (a, b, c, d, f, h1, h2):
        send_event(contact, "Signed Up")
    run_worker()
    send_event(a, "Uploaded File")
    send_event(b, "Uploaded File")
    send_event(d, "Account Deleted")
    run_worker()
    contact_merge(source=f, into=c)
    send_event(a, "Invited Teammate", count=1)  # after a completed the journey
    send_event(h1, "Invited Teammate", count=2)
    run_worker()
    return trial
