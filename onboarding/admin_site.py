"""The admin site. Every model admin registered on it, Stepwise's and the libraries' alike,
gets `AuditedAdminMixin`: each deletion and each action goes into the audit log, and an
action that names no permission needs the change permission. Actions whose service writes
its own audit entry (revoke, rotate, erase, pause…) are marked with `audited_by_service`.
Each also gets `StaffTimesMixin`: its times in the staff pages' wording (journeys/admin/times.py).
Who may see and do what is the table in journeys/admin/roles.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from journeys.people.audit import audit_record

ActionFunc = Callable[[Any, HttpRequest, QuerySet[Any]], Any]
_SELF_AUDITED = "delete_selected"  # deletions are audited by log_deletions below


def audited_by_service[F](func: F) -> F:
    """Mark an admin action whose service writes the audit entry itself."""
    func.audited = True  # type: ignore[attr-defined]
    return func


def _audited(func: ActionFunc, description: str) -> ActionFunc:
    @wraps(func)
    def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        picked = list(queryset.values_list("pk", flat=True)[:1000])
        opts = queryset.model._meta
        audit_record(
            action="admin.action",
            summary=f"{description}: {len(picked)} {opts.verbose_name_plural}",
            by=request.user,
            diff={"action": func.__name__, "model": opts.label, "ids": [str(pk) for pk in picked]},
        )
        return func(modeladmin, request, queryset)

    run.allowed_permissions = getattr(func, "allowed_permissions", ("change",))  # type: ignore[attr-defined]
    return run


class AuditedAdminMixin:
    """For a ModelAdmin: deletions and actions audited; actions need a permission."""

    def get_action(self, action: Any, action_location: Any = ActionLocation.CHANGE_LIST) -> Any:
        found = super().get_action(action, action_location)  # type: ignore[misc]
        if found is None or found.name == _SELF_AUDITED or getattr(found.func, "audited", False):
            return found
        return dataclasses.replace(found, func=_audited(found.func, str(found.description)))

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        objects: list[Model] = list(queryset)
        if objects:
            opts = objects[0]._meta
            name = opts.verbose_name if len(objects) == 1 else opts.verbose_name_plural
            audit_record(
                action="admin.deleted",
                summary=f"Deleted {len(objects)} {name}",
                by=request.user,
                diff={"model": opts.label, "ids": [str(obj.pk) for obj in objects]},
            )
        return super().log_deletions(request, queryset)  # type: ignore[misc]


class StepwiseAdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        from journeys.admin.times import with_staff_times  # needs the models loaded

        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdminMixin):
            base = type(base.__name__, (AuditedAdminMixin, base), {"__module__": base.__module__})
        base = with_staff_times(base)
        super().register(model_or_iterable, base, **options)
