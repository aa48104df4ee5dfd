"""The admin's log-in form with optional TOTP two-factor (django-otp): a staff member who
has a confirmed authenticator device must also give its current code; others log in with
their password alone. Lock-outs after repeated failures are django-axes' job."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django_otp import devices_for_user, user_has_device

CODE_NEEDED = "Enter the 6-digit code from your authenticator app as well."
CODE_WRONG = "That code is not right (or has expired). Enter the current one."


class StaffLoginForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label="Authenticator code",
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Only if you set up two-factor log-in.",
    )

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user_has_device(user):
            return
        token = (self.cleaned_data.get("otp_token") or "").strip().replace(" ", "")
        if not token:
            raise ValidationError(CODE_NEEDED, code="otp_required")
        for device in devices_for_user(user, confirmed=True):
            if device.verify_token(token):
                user.otp_device = device  # django-otp stores it in the session at login
                return
        raise ValidationError(CODE_WRONG, code="otp_invalid")
