"""Admin for journeys, versions, enrollments and the decision trace.

Registered from journeys/admin/contacts.py (which imports this module). The Contact admin shows a
contact's journeys with `CONTACT_JOURNEY_INLINES` (enrollments with their step visits, and
the decision trace: "why did, or didn't, Ada get this message?")."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join

from journeys.admin.base import ReadOnlyAdmin
from journeys.admin.times import row_time
from journeys.builder.names import draft_names, step_name
from journeys.core.problems import SpecError
from journeys.models import (
    AuditEntry,
    DecisionTrace,
    Enrollment,
    Journey,
    JourneyVersion,
    StepVisit,
)
from journeys.run.journeys import (
    JourneyStateError,
    journey_archive,
    journey_export,
    journey_import,
    journey_pause,
    journey_publish,
    journey_resume,
)
from journeys.run.selectors import enrollment_counts


class JourneyVersionInline(admin.TabularInline):
    model = JourneyVersion
    fields = ("number", "published_at", "published_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditEntryInline(admin.TabularInline):
    model = AuditEntry
    fields = ("at", "actor_label", "action", "summary")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-at", "-id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class JourneyImportForm(forms.Form):
    file = forms.FileField(help_text='A "stepwise.journey/1" JSON document.')
    publish = forms.BooleanField(required=False, help_text="Publish it as a new version now.")


def _status_action(
    service: Callable[..., Any], label: str, **options: Any
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet[Journey]], None]:
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        for journey in queryset:
            try:
                service(journey=journey, by=request.user, **options)
            except (JourneyStateError, SpecError) as exc:
                modeladmin.message_user(request, f"{journey.key}: {exc}", messages.ERROR)
            else:
                modeladmin.message_user(request, f"{journey.key}: {label.lower()} done.")

    action.short_description = label  # type: ignore[attr-defined]
    action.allowed_permissions = ("publish",)  # type: ignore[attr-defined]
    action.audited = True  # type: ignore[attr-defined]  # the services audit each change
    action.__name__ = f"action_{label.lower().replace(' ', '_').replace(',', '')}"
    return action


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "status", "version", "open_enrollments", "all_enrollments")
    list_filter = ("status",)
    search_fields = ("key", "name")
    # Read-only: drafts change through import (or the builder), status through the actions.
    fields = ("key", "name", "status", "current_version", "enrollments_by_state", "draft_spec")
    readonly_fields = fields
    inlines = [JourneyVersionInline, AuditEntryInline]
    change_list_template = "admin/journeys/journey/change_list.html"
    change_form_template = "admin/journeys/journey/change_form.html"
    actions = [
        _status_action(journey_publish, "Publish draft, old versions drain", migrate="drain"),
        _status_action(journey_publish, "Publish draft, move contacts by step id", migrate="move"),
        _status_action(journey_pause, "Pause"),
        _status_action(journey_resume, "Resume"),
        _status_action(journey_archive, "Archive"),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Journey]:
        open_states = Q(enrollments__state__in=Enrollment.OPEN_STATES)
        return (
            super()
            .get_queryset(request)
            .select_related("current_version")
            .annotate(open_count=Count("enrollments", filter=open_states))
            .annotate(total_count=Count("enrollments"))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # journeys come in through import (or the builder)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # archive instead: deleting would drop its history and report counts

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("journeys.publish_journey")

    @admin.display(description="version")
    def version(self, obj: Journey) -> str:
        return f"v{obj.current_version.number}" if obj.current_version else "—"

    @admin.display(description="open enrollments", ordering="open_count")
    def open_enrollments(self, obj: Journey) -> int:
        return obj.open_count  # type: ignore[attr-defined]

    @admin.display(description="all enrollments", ordering="total_count")
    def all_enrollments(self, obj: Journey) -> int:
        return obj.total_count  # type: ignore[attr-defined]

    @admin.display(description="enrollments")
    def enrollments_by_state(self, obj: Journey) -> str:
        counts = enrollment_counts(journey=obj)
        return ", ".join(f"{state}: {count}" for state, count in counts.items())

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="journeys_journey_import"),
            path("<int:pk>/export/", wrap(self.export_view), name="journeys_journey_export"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = JourneyImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                data = json.loads(form.cleaned_data["file"].read())
                journey = journey_import(
                    data=data, publish=form.cleaned_data["publish"], by=request.user
                )
            except json.JSONDecodeError as exc:
                problems = [f"The file is not JSON: {exc}"]
            except SpecError as exc:
                problems = [str(problem) for problem in exc.problems]
            except JourneyStateError as exc:
                problems = [str(exc)]
            else:
                self.message_user(request, f'Imported "{journey.key}".')
                return HttpResponseRedirect(
                    reverse("admin:journeys_journey_change", args=[journey.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import a journey",
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/journeys/journey/import.html", context)

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        journey = get_object_or_404(Journey, pk=pk)
        document = journey_export(key=journey.key)
        response = HttpResponse(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n",
            content_type="application/json",
        )
        response["Content-Disposition"] = f'attachment; filename="{journey.key}.journey.json"'
        return response


class StepVisitInline(admin.TabularInline):
    model = StepVisit
    fields = ("seq", "step", "variant", "entered_at", "left_at", "outcome")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EnrollmentTraceInline(admin.TabularInline):
    model = DecisionTrace
    fk_name = "enrollment"
    fields = ("at", "code", "explanation")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "id")

    @admin.display(description="why")
    def explanation(self, obj: DecisionTrace) -> str:
        return linebreaksbr(obj.message)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ("contact", "journey", "version", "state", "at_step", "wake_at", "entered_at")
    list_filter = ("state", "journey")
    search_fields = ("contact__user_id", "contact__email", "journey__key")
    list_select_related = ("contact", "journey", "version")
    inlines = [StepVisitInline, EnrollmentTraceInline]
    exclude = ("last_event",)

    @admin.display(description="step", ordering="step_key")
    def at_step(self, obj: Enrollment) -> str:
        return _step_words(obj, obj.step_key)


def _step_words(enrollment: Enrollment, step_id: str | None) -> str:
    """A step as the builder names it in the enrollment's version, never its id; "—" for
    none (not at a step)."""
    return step_name(step_id, _version_names(enrollment)) if step_id else "—"


def _version_names(enrollment: Enrollment) -> dict[str, str]:
    """The names the enrollment's version gave its steps, by step id."""
    spec = enrollment.version.spec if enrollment.version_id else {}
    return draft_names(spec if isinstance(spec, dict) else {})


@admin.register(DecisionTrace)
class DecisionTraceAdmin(ReadOnlyAdmin):
    deletable = True
    list_display = ("at", "contact", "journey", "code", "message")
    list_filter = ("code", "journey")
    search_fields = ("contact__user_id", "contact__email", "message")
    list_select_related = ("contact", "journey")
    date_hierarchy = "at"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "journey", "summary")
    list_filter = ("action", "journey")
    readonly_fields = ("at", "actor", "actor_label", "action", "journey", "summary", "diff")


# --- On the Contact admin page (wired by journeys/admin/contacts.py) ------------------------------


class ContactEnrollmentInline(admin.TabularInline):
    """A contact's enrollments, each with the steps it visited (and their outcomes)."""

    model = Enrollment
    fk_name = "contact"
    verbose_name_plural = "journeys (enrollments and step visits)"
    fields = ("journey", "version", "state", "at_step", "wake_at", "entered_at", "steps")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-entered_at", "-id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enrollment]:
        return (
            super()
            .get_queryset(request)
            .select_related("journey", "version")
            .prefetch_related("visits__step")
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="step")
    def at_step(self, obj: Enrollment) -> str:
        return _step_words(obj, obj.step_key)

    @admin.display(description="step visits")
    def steps(self, obj: Enrollment) -> str:
        visits = sorted(obj.visits.all(), key=lambda visit: visit.seq)
        names = _version_names(obj)  # once, not once per visit
        return (
            format_html_join(
                " → ",
                "{} <small>({} {})</small>",
                (
                    (
                        step_name(visit.step.key, names),
                        row_time(visit.entered_at, obj),
                        visit.outcome or "open",
                    )
                    for visit in visits
                ),
            )
            or "—"
        )


class ContactTraceInline(admin.TabularInline):
    """Every decision the engine made about the contact, newest first, in plain words."""

    model = DecisionTrace
    fk_name = "contact"
    verbose_name_plural = "decision trace (why did or didn't this contact get a message?)"
    fields = ("at", "journey", "code", "explanation")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-at", "-id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DecisionTrace]:
        return super().get_queryset(request).select_related("journey")

    @admin.display(description="why")
    def explanation(self, obj: DecisionTrace) -> str:
        return linebreaksbr(obj.message)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


CONTACT_JOURNEY_INLINES = [ContactEnrollmentInline, ContactTraceInline]
