"""Parsing and dumping "stepwise.journey/1" documents (behind journeys.spec)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from journeys.spec import JourneySpec, TemplateChecker


def parse_document(
    data: Mapping[str, Any], *, template_checker: TemplateChecker | None = None
) -> JourneySpec:
    raise NotImplementedError


def dump_document(spec: JourneySpec) -> dict[str, Any]:
    raise NotImplementedError
