"""Admin pages for messages: read only, in plain words, the email rendered (not its source)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin

from channels import conf
from channels.conf import delivery_defaults
from channels.delivery.history import STATUS_WORDS, message_html, message_view
from channels.delivery.messages import contact_zone
from channels.models import (
    DeliverySettings,
    Message,
    SubscriptionChange,
    SuppressedAddress,
)
from journeys.admin.base import ReadOnlyAdmin
from journeys.admin.times import row_time
from journeys.admin.why_words import detail_words

# The email runs in a sandboxed frame under its own policy: no scripts, no requests but
# images, nothing of the admin around it.
EMAIL_FRAME_POLICY = (
    "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; sandbox"
)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["subject_or_text", "channel", "contact", "status_words", "when", "is_test"]
    list_filter = ["channel", "status", "is_test", "deferred_reason"]
    search_fields = ["to_address", "subject", "contact__user_id", "contact__email"]
    list_select_related = ["contact"]
    date_hierarchy = "created_at"

    @admin.display(description="message")
    def subject_or_text(self, obj: Message) -> str:
        text = obj.subject or obj.body or (obj.content or {}).get("subject") or ""
        text = text or (obj.content or {}).get("body") or ""
        return " ".join(str(text).split())[:80] or "(empty)"

    @admin.display(description="status", ordering="status")
    def status_words(self, obj: Message) -> str:
        """The one word per status the contact and message pages use ("Not sent")."""
        return STATUS_WORDS.get(obj.status, obj.status)

    @admin.display(description="when", ordering="scheduled_for")
    def when(self, obj: Message) -> str | None:
        return row_time(obj.sent_at or obj.scheduled_for, obj)

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/rendered/",
                wrap(self.rendered_view),
                name="channels_message_rendered",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST" or not self.has_view_permission(request):
            raise PermissionDenied  # read only: nothing on this page is saved
        try:
            view = message_view(message_id=int(object_id))
        except (Message.DoesNotExist, ValueError):
            raise Http404("No such message.") from None
        title = view.line.title or f"{view.line.channel_words} message"
        contact = Message.objects.select_related("contact__source").get(pk=view.line.id).contact
        zone = contact_zone(contact)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "subtitle": f"{view.line.channel_words} message",
            "view": dataclasses.replace(
                view,
                history=tuple(
                    dataclasses.replace(step, detail=detail_words(step.detail, zone))
                    for step in view.history
                ),
            ),
            "contact": contact,
            "zone": zone,  # the page's times are in the contact's zone
        }
        return TemplateResponse(request, "admin/channels/message/page.html", context)

    @xframe_options_sameorigin
    def rendered_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The email's HTML alone, for the sandboxed frame on the message page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            html = message_html(message_id=pk)
        except Message.DoesNotExist:
            raise Http404("No such message.") from None
        response = HttpResponse(html or "<p>This message has no HTML part.</p>")
        response["Content-Security-Policy"] = EMAIL_FRAME_POLICY
        response["Referrer-Policy"] = "no-referrer"
        return response


@admin.register(SubscriptionChange)
class SubscriptionChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "contact", "channel", "from_state", "to_state", "reason"]
    list_filter = ["channel", "to_state"]
    list_select_related = ["contact"]


@admin.register(DeliverySettings)
class DeliverySettingsAdmin(admin.ModelAdmin):
    """One page: quiet hours, the frequency cap and the senders, over the deployment's
    defaults (blank = default, shown beside each field)."""

    fieldsets = (
        ("Quiet hours", {"fields": ("sms_quiet_hours", "email_quiet_hours", "quiet_hours_off")}),
        ("How often", {"fields": ("frequency_cap",)}),
        ("Senders", {"fields": ("email_from", "email_reply_to", "sms_from")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not DeliverySettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row, _ = DeliverySettings.objects.get_or_create(pk=1)
        return HttpResponseRedirect(
            reverse("admin:channels_deliverysettings_change", args=[row.pk])
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        defaults = delivery_defaults()
        for name, default in defaults.items():
            if name in form.base_fields:
                field = form.base_fields[name]
                field.help_text = f"{field.help_text} Blank: {default}.".strip()
        return form

    def save_model(
        self, request: HttpRequest, obj: DeliverySettings, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        conf.staff_settings_changed()


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(admin.ModelAdmin):
    """Addresses that hard-bounced or complained. Deleting one lets Stepwise send to it
    again (only do so once the person has fixed their mailbox)."""

    list_display = ("address", "channel", "reason", "created_at", "detail")
    list_filter = ("reason", "channel")
    search_fields = ("address",)
    readonly_fields = ("channel", "address", "reason", "detail", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
