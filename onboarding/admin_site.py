"""The admin site: every model admin registered on it, ours and the libraries', has its
deletions and actions audited and its actions behind a permission (journeys/admin_audit.py).
Who may see and do what is the table in journeys/roles.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from journeys.admin_audit import AuditedAdminMixin


class StepwiseAdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdminMixin):
            base = type(base.__name__, (AuditedAdminMixin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, base, **options)
