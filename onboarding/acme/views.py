"""Acme Notes pages. Each thing a user does is also sent to Stepwise, from the server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onboarding.acme import stepwise
from onboarding.acme.models import Invite, Note, Profile, Upload


class ContentSecurityPolicy:
    """Acme's own CSP: its scripts, plus Stepwise's widget and API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        there = settings.STEPWISE_URL
        response["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'self' {there}; connect-src 'self' {there}; "
            f"img-src 'self' data: {there}; style-src 'self'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
        )
        return response


def widget_context(request: HttpRequest) -> dict[str, Any]:
    """What base.html needs to embed the widget for the signed-in user."""
    if not request.user.is_authenticated:
        return {}
    user_id = stepwise.user_id_for(request.user)
    return {
        "stepwise_url": settings.STEPWISE_URL,
        "stepwise_key": settings.STEPWISE_WRITE_KEY,
        "stepwise_user_id": user_id,
        "stepwise_user_hash": stepwise.user_hash(user_id),
    }


class SignupForm(forms.Form):
    email = forms.EmailField(label="Work email")
    password = forms.CharField(label="Password", widget=forms.PasswordInput, min_length=8)
    phone = forms.CharField(
        label="Mobile number (optional, for text reminders)", required=False, max_length=20
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(username=email).exists():
            raise forms.ValidationError("There is already an account with this email: log in.")
        return email


class NoteForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label="File")


class InviteForm(forms.Form):
    email = forms.EmailField(label="Teammate's email")


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("acme-notes")
    return render(request, "acme/home.html")


def _browser_locale(request: HttpRequest) -> str:
    """The browser's first language ("fr-FR" of "fr-FR,fr;q=0.9"), "" when none is readable."""
    first = request.headers.get("Accept-Language", "").split(",")[0].split(";")[0].strip()
    return first if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", first) else ""


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = get_user_model().objects.create_user(
            username=data["email"], email=data["email"], password=data["password"]
        )
        Profile.objects.create(user=user, phone=data["phone"])
        login(request, user)
        traits = {"email": data["email"], "plan": "starter"}
        if data["phone"]:
            traits["phone"] = data["phone"]
        if locale := _browser_locale(request):
            traits["locale"] = locale  # as a product would: its user's language
        stepwise.identify(user, traits)
        stepwise.track(user, "Signed Up", {"plan": "starter", "product": "Acme Notes"})
        for sent in Invite.objects.filter(email__iexact=user.email).select_related("owner"):
            stepwise.track(sent.owner, "Teammate Joined", {"email": user.email})
        return redirect("acme-notes")
    return render(request, "acme/signup.html", {"form": form})


def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        user = authenticate(
            request,
            username=request.POST.get("email", "").lower(),
            password=request.POST.get("password", ""),
        )
        if user is not None:
            login(request, user)
            return redirect("acme-notes")
        error = "That email and password do not match an account."
    return render(request, "acme/login.html", {"error": error})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("acme-home")


@login_required
def notes(request: HttpRequest) -> HttpResponse:
    context = {
        "notes": Note.objects.filter(owner=request.user),
        "uploads": Upload.objects.filter(owner=request.user),
        "invites": Invite.objects.filter(owner=request.user),
    }
    return render(request, "acme/notes.html", context)


@login_required
def note_new(request: HttpRequest) -> HttpResponse:
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = Note.objects.create(owner=request.user, **form.cleaned_data)
        stepwise.track(request.user, "Created Note", {"title": note.title})
        messages.success(request, f"Saved “{note.title}”.")
        return redirect("acme-notes")
    return render(
        request, "acme/form.html", {"form": form, "title": "New note", "button": "Save note"}
    )


@login_required
def files(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        given = form.cleaned_data["file"]
        upload = Upload.objects.create(owner=request.user, file=given, name=given.name[:255])
        stepwise.track(
            request.user, "Uploaded File", {"filename": upload.name, "bytes": given.size}
        )
        messages.success(request, f"Uploaded {upload.name}.")
        return redirect("acme-notes")
    context = {"form": form, "title": "Upload a file", "button": "Upload", "multipart": True}
    return render(request, "acme/form.html", context)


@login_required
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = Invite.objects.create(owner=request.user, email=form.cleaned_data["email"])
        stepwise.track(request.user, "Invited Teammate", {"email": sent.email})
        messages.success(request, f"Invitation sent to {sent.email}.")
        return redirect("acme-notes")
    context = {"form": form, "title": "Invite a teammate", "button": "Send invitation"}
    return render(request, "acme/form.html", context)


def service_worker(request: HttpRequest) -> HttpResponse:
    """The one line a product hosts for Stepwise's push notifications (docs/channels.md);
    the chat widget registers it when the person says yes to notifications."""
    line = f'importScripts("{settings.STEPWISE_URL}/static/stepwise/push-sw.js");\n'
    return HttpResponse(line, content_type="text/javascript")
