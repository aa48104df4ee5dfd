"""Times on the admin's own pages (lists, read-only fields, inlines) in the one wording of
staff pages, `journeys.core.zones.time_words`: "3 Dec 2026, 10:00 in Los Angeles (18:00
UTC)". Django writes a date-time field with its format, which can only give the zone's
abbreviation; so every date-time field an admin lists or shows read-only is swapped for a
column that writes it through `staff_date`, in the row's contact's zone (as the contact
page does) and the site's zone for rows of no contact. `StepwiseAdminSite` puts
`StaffTimesMixin` on every model admin, Stepwise's and the libraries' alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from channels.delivery.messages import contact_zone
from journeys.models import Contact
from journeys.templatetags.staff import staff_date

Column = Callable[[models.Model], str | None]
_COLUMNS: dict[tuple[type[models.Model], str], Column] = {}
_WRAPPED: dict[type, type] = {}


def row_zone(obj: models.Model) -> ZoneInfo | None:
    """The zone a row's times are read in: its contact's (the contact's own, else their
    source's, else the site's); None (the site's) for a row of no contact."""
    if isinstance(obj, Contact):
        return contact_zone(obj)
    if _contact_field(type(obj)):
        contact = getattr(obj, "contact", None)
        if isinstance(contact, Contact):
            return contact_zone(contact)
    return None


def row_time(moment: datetime | None, obj: models.Model) -> str | None:
    """`moment` as staff read it on `obj`'s row; None (Django's "-") for no time."""
    return None if moment is None else staff_date(moment, row_zone(obj))


def _contact_field(model: type[models.Model]) -> bool:
    try:
        field = model._meta.get_field("contact")
    except FieldDoesNotExist:
        return False
    return field.is_relation and field.related_model is Contact


def time_column(model: type[models.Model], name: Any) -> Any:
    """The column standing for `name` when it is a date-time field of `model`, else `name`.
    One column per field, so the lists of read-only fields and of fields agree."""
    if not isinstance(name, str):
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if not isinstance(field, models.DateTimeField):
        return name
    key = (model, name)
    if key not in _COLUMNS:

        def column(obj: models.Model) -> str | None:
            return row_time(getattr(obj, name), obj)

        column.__name__ = name  # the model field's help text and the column's CSS class
        _COLUMNS[key] = admin.display(description=str(field.verbose_name), ordering=name)(column)
    return _COLUMNS[key]


def _columns(model: type[models.Model], names: Iterable[Any]) -> list[Any]:
    return [time_column(model, name) for name in names]


def _fieldsets(
    model: type[models.Model], fieldsets: Any, shown: Callable[[Any], bool]
) -> list[Any]:
    """`fieldsets` with the date-time fields that are only shown (`shown`) swapped."""

    def swap(names: Iterable[Any]) -> list[Any]:
        return [time_column(model, name) if shown(name) else name for name in names]

    swapped = []
    for title, options in fieldsets:
        fields = [
            tuple(swap(line)) if isinstance(line, list | tuple) else line
            for line in options.get("fields", ())
        ]
        swapped.append((title, {**options, "fields": swap(fields)}))
    return swapped


class StaffTimesMixin:
    """For a ModelAdmin or an inline: date-time fields listed or shown read-only are
    written by `staff_date` in the row's zone (see the module's docstring)."""

    model: type[models.Model]

    def get_list_display(self, request: HttpRequest) -> Any:
        return _columns(self.model, super().get_list_display(request))  # type: ignore[misc]

    def get_list_display_links(self, request: HttpRequest, list_display: Any) -> Any:
        links = super().get_list_display_links(request, list_display)  # type: ignore[misc]
        return links if links is None else _columns(self.model, links)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return _columns(self.model, super().get_readonly_fields(request, obj))  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """Swapped where the page only shows the field: read-only, or all of it read-only
        for a staff member who may not change it. A field they can edit stays a field."""
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if not self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            return _fieldsets(self.model, fieldsets, lambda name: True)
        readonly = set(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return _fieldsets(self.model, fieldsets, lambda name: name in readonly)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [with_staff_times(inline) for inline in super().get_inlines(request, obj)]  # type: ignore[misc]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """Rows come with their contact and source, which their zone needs."""
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        if self.model is Contact:
            return queryset.select_related("source")
        if _contact_field(self.model):
            return queryset.select_related("contact__source")
        return queryset


def with_staff_times(admin_class: type) -> type:
    """`admin_class` with `StaffTimesMixin` first (the same class each time)."""
    if issubclass(admin_class, StaffTimesMixin):
        return admin_class
    if admin_class not in _WRAPPED:
        _WRAPPED[admin_class] = type(
            admin_class.__name__,
            (StaffTimesMixin, admin_class),
            {"__module__": admin_class.__module__},
        )
    return _WRAPPED[admin_class]
