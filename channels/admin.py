from __future__ import annotations

from django.contrib import admin

from channels.models import Message, MessageStatusChange, SubscriptionChange
from journeys.admin_base import ReadOnlyAdmin, ReadOnlyMixin


class MessageStatusChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = MessageStatusChange
    extra = 0
    fields = ["recorded_at", "from_status", "to_status", "applied", "occurred_at", "detail"]
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "channel",
        "contact",
        "to_address",
        "status",
        "scheduled_for",
        "sent_at",
        "attempts",
        "is_test",
    ]
    list_filter = ["channel", "status", "is_test", "deferred_reason"]
    search_fields = ["to_address", "provider_id", "contact__user_id", "contact__email"]
    list_select_related = ["contact"]
    date_hierarchy = "created_at"
    inlines = [MessageStatusChangeInline]


@admin.register(SubscriptionChange)
class SubscriptionChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "contact", "channel", "from_state", "to_state", "reason"]
    list_filter = ["channel", "to_state"]
    list_select_related = ["contact"]
