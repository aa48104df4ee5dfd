"""The one read-only admin: rows that services write and staff only look at."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyMixin:
    """No adding or editing in the admin; deleting only where `deletable` says so (a
    contact may be erased, a delivery record may not)."""

    deletable: ClassVar[bool] = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.deletable:
            return False
        return bool(super().has_delete_permission(request, obj))  # type: ignore[misc]


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A ModelAdmin for rows written by the API and the worker: staff look, services write."""
