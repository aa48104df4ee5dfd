"""Admin for what the foundation stores: sources, contacts, events, the event catalogue."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from journeys import admin_journeys  # noqa: F401 - registers the journey admins
from journeys.contact_page import contact_page
from journeys.models import Contact, ContactAlias, Event, EventType, Source, Subscription
from journeys.services.sources import source_create, source_revoke

TIMELINE_LENGTH = 100


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the API and the worker: staff look, services write."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "allowed_origins", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["key_prefix", "created_at", "revoked_at"]
    fields = ["name", "allowed_origins", "timezone", "key_prefix", "created_at", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: Source, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        source, key = source_create(name=obj.name, allowed_origins=obj.allowed_origins)
        Source.objects.filter(pk=source.pk).update(timezone=obj.timezone)
        obj.pk, obj.key_prefix, obj.key_hash = source.pk, source.key_prefix, source.key_hash
        messages.warning(
            request,
            f"Write key for {source.name}: {key} — copy it now, it will not be shown again.",
        )

    @admin.action(description="Revoke the write keys of the selected sources")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            source_revoke(source=source)
        self.message_user(request, f"Revoked {queryset.count()} write key(s).")


class AliasInline(admin.TabularInline):
    model = ContactAlias
    extra = 0
    can_delete = False
    readonly_fields = ["anonymous_id", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "state", "reason", "changed_at"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class IdentifiedFilter(admin.SimpleListFilter):
    title = "identity"
    parameter_name = "identified"

    def lookups(self, request, model_admin):
        return [("yes", "Identified (has a user id)"), ("no", "Anonymous")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(user_id__isnull=False)
        if self.value() == "no":
            return queryset.filter(user_id__isnull=True)
        return queryset


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "email", "phone", "timezone", "last_seen_at", "first_seen_at"]
    list_filter = [IdentifiedFilter, "source", "timezone", "locale"]
    search_fields = [
        "user_id",
        "email",
        "phone",
        "first_name",
        "last_name",
        "aliases__anonymous_id",
    ]
    date_hierarchy = "last_seen_at"
    show_full_result_count = False
    inlines = [SubscriptionInline, AliasInline]
    fieldsets = [
        (None, {"fields": ["user_id", "first_name", "last_name", "email", "phone"]}),
        ("Locale", {"fields": ["timezone", "locale"]}),
        ("Data", {"fields": ["traits", "groups", "source", "first_seen_at", "last_seen_at"]}),
        ("Timeline", {"fields": ["timeline"]}),
    ]
    readonly_fields = ["timeline"]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The contact in plain words: journeys as sentences, messages, the why, the data."""
        if not self.has_view_permission(request):
            return super().change_view(request, object_id, form_url, extra_context)
        contact = self.get_object(request, object_id)
        if contact is None:
            raise Http404("No such contact.")
        view = contact_page(contact=contact)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": view.name,
            "view": view,
            "has_delete_permission": self.has_delete_permission(request, contact),
        }
        return TemplateResponse(request, "admin/journeys/contact/page.html", context)

    @admin.display(description=f"Latest {TIMELINE_LENGTH} events")
    def timeline(self, contact: Contact) -> str:
        events = contact.events.order_by("-timestamp", "-id")[:TIMELINE_LENGTH]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td><strong>{}</strong></td><td><code>{}</code></td></tr>",
            (
                (
                    e.timestamp.strftime("%Y-%m-%d %H:%M:%S UTC"),
                    e.type,
                    e.name,
                    json.dumps(e.properties, ensure_ascii=False),
                )
                for e in events
            ),
        )
        if not rows:
            return "No events yet."
        return format_html(
            "<table><thead><tr><th>When</th><th>Type</th><th>Event</th><th>Properties</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["name", "type", "contact", "timestamp", "received_at", "processed_at", "source"]
    list_filter = ["type", "source", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "message_id", "contact__user_id", "contact__email"]
    date_hierarchy = "timestamp"
    list_select_related = ["contact", "source"]
    show_full_result_count = False
    raw_id_fields = ["contact"]


class SimilarFilter(admin.SimpleListFilter):
    title = "look-alike names"
    parameter_name = "similar"

    def lookups(self, request, model_admin):
        return [("yes", "Has a near-duplicate name")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(similar_to=[])
        return queryset


@admin.register(EventType)
class EventTypeAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "type",
        "source",
        "count",
        "unmatched_count",
        "looks_like",
        "last_seen_at",
    ]
    list_filter = ["type", "source", SimilarFilter]
    search_fields = ["name"]
    readonly_fields = ["property_table"]
    fields = [
        "source",
        "type",
        "name",
        "count",
        "unmatched_count",
        "first_seen_at",
        "last_seen_at",
        "similar_to",
        "property_table",
    ]

    @admin.display(description="Looks like")
    def looks_like(self, entry: EventType) -> str:
        return ", ".join(entry.similar_to) or "—"

    @admin.display(description="Properties (observed types)")
    def property_table(self, entry: EventType) -> str:
        if not entry.properties:
            return "No properties seen."
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "",
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                ((key, ", ".join(types)) for key, types in entry.properties.items()),
            ),
        )
