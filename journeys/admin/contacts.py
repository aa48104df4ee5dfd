"""Admin for what the foundation stores: sources, contacts, events, the event catalogue."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from journeys.admin import bot as admin_bot  # noqa: F401 - registers the keyword replies' admin
from journeys.admin import journeys as admin_journeys  # noqa: F401 - registers the journey admins
from journeys.admin.base import ReadOnlyAdmin
from journeys.admin.contact_page import contact_page
from journeys.models import (
    Contact,
    Event,
    EventType,
    SecretKey,
    Source,
)
from journeys.people.secret_keys import secret_key_create, secret_key_revoke
from journeys.people.sources import (
    identity_secret_retire_old,
    identity_secret_rotate,
    source_cache_clear,
    source_create,
    source_revoke,
)
from journeys.run.privacy import contact_erase, contact_export


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "key_prefix", "allowed_origins", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["kind", "key_prefix", "identity_secret", "created_at", "revoked_at"]
    fields = [
        "name",
        "allowed_origins",
        "kind",
        "identity_verification",
        "identity_secret",
        "timezone",
        "handoff_text",
        "sms_stop_text",
        "key_prefix",
        "created_at",
        "revoked_at",
    ]
    actions = ["revoke", "rotate_identity_secret", "retire_old_identity_secrets"]

    @admin.display(description="Kind")
    def kind(self, source: Source) -> str:
        if source.is_browser:
            return "Browser source: its write key is public and only sends events"
        return "Server source: keep its write key on your servers"

    @admin.display(description="Identity secret")
    def identity_secret(self, source: Source) -> str:
        if source.pk is None:
            return "Made when the source is saved."
        active = list(source.identity_secrets.filter(retired_at__isnull=True))
        if not active:
            return "None yet: use the action “Rotate identity secrets” to make one."
        rows = format_html_join(
            "",
            "<li><code>{}</code> {}</li>",
            (
                (secret.secret, "(newest: sign user ids with this one)" if i == 0 else "(old)")
                for i, secret in enumerate(active)
            ),
        )
        return format_html(
            "<ul>{}</ul><p>Your server signs each user id with it: user_hash = "
            "HMAC-SHA256(secret, user id), lowercase hex. Keep it off web pages.</p>",
            rows,
        )

    def save_model(self, request: HttpRequest, obj: Source, form, change: bool) -> None:
        if change:
            if obj.is_browser:
                obj.identity_verification = True
            super().save_model(request, obj, form, change)
            source_cache_clear()
            return
        source, key = source_create(name=obj.name, allowed_origins=obj.allowed_origins)
        Source.objects.filter(pk=source.pk).update(
            timezone=obj.timezone,
            handoff_text=obj.handoff_text,
            sms_stop_text=obj.sms_stop_text,
            identity_verification=obj.identity_verification or source.is_browser,
        )
        obj.pk, obj.key_prefix, obj.key_hash = source.pk, source.key_prefix, source.key_hash
        messages.warning(
            request,
            f"Write key for {source.name}: {key} — copy it now, it will not be shown again.",
        )

    @admin.action(description="Revoke the write keys of the selected sources")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            source_revoke(source=source, by=request.user)
        self.message_user(request, f"Revoked {queryset.count()} write key(s).")

    @admin.action(description="Rotate identity secrets (the old one keeps working)")
    def rotate_identity_secret(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            identity_secret_rotate(source=source, by=request.user)
        self.message_user(
            request,
            f"New identity secret for {queryset.count()} source(s). Put it on your servers, "
            "then retire the old one.",
        )

    @admin.action(description="Retire old identity secrets (keep only the newest)")
    def retire_old_identity_secrets(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        retired = sum(
            identity_secret_retire_old(source=source, by=request.user) for source in queryset
        )
        self.message_user(request, f"Retired {retired} old identity secret(s).")


@admin.register(SecretKey)
class SecretKeyAdmin(admin.ModelAdmin):
    """Secret server keys read, export and erase contacts: shown once, revocable."""

    list_display = ["name", "key_prefix", "created_by", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["key_prefix", "created_by", "created_at", "revoked_at"]
    fields = ["name", "key_prefix", "created_by", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: the audit log keeps pointing at the key

    def save_model(self, request: HttpRequest, obj: SecretKey, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        record, key = secret_key_create(name=obj.name, by=request.user)
        obj.pk, obj.key_prefix, obj.key_hash = record.pk, record.key_prefix, record.key_hash
        messages.warning(
            request,
            f"Secret key for {record.name}: {key} — copy it now, it will not be shown again. "
            "Use it only from servers (Authorization: Bearer <key>).",
        )

    @admin.action(description="Revoke the selected secret keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[SecretKey]) -> None:
        for key in queryset:
            secret_key_revoke(key=key, by=request.user)
        self.message_user(request, f"Revoked {queryset.count()} secret key(s).")


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
    deletable = True
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
    actions = ["export_selected", "erase_selected"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A plain delete would drop the person's opt-outs and the report counts: erase.
        return False

    @admin.action(description="Export the selected contacts' data (privacy request)")
    def export_selected(self, request: HttpRequest, queryset: QuerySet[Contact]) -> HttpResponse:
        documents = [
            contact_export(user_id=contact.user_id or "", by=request.user)
            for contact in queryset.filter(user_id__isnull=False, erased_at__isnull=True)
        ]
        response = HttpResponse(
            json.dumps(documents, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
            content_type="application/json",
        )
        response["Content-Disposition"] = 'attachment; filename="contacts-export.json"'
        return response

    @admin.action(
        description="Erase the selected contacts (privacy request: keeps only anonymous "
        "counts and opt-outs)"
    )
    def erase_selected(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        erased = [contact_erase(contact=contact, by=request.user) for contact in queryset]
        self.message_user(request, f"Erased {sum(1 for removed in erased if removed)} contact(s).")

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


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    deletable = True
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
    deletable = True
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
