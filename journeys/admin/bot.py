"""Admin for what the bot says outside journeys: each source's keyword replies."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from channels.in_app import BAD_LINK, is_link
from journeys.models import KeywordReply


class KeywordReplyForm(forms.ModelForm):
    """The link becomes a button in the customer's page: only a web address or a path."""

    class Meta:
        model = KeywordReply
        fields = ["source", "phrase", "answer", "url", "link_label"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if url and not is_link(url):
            raise forms.ValidationError(BAD_LINK)
        return url


@admin.register(KeywordReply)
class KeywordReplyAdmin(admin.ModelAdmin):
    form = KeywordReplyForm
    list_display = ["phrase", "answer", "source"]
    list_filter = ["source"]
    search_fields = ["phrase", "answer"]
    fieldsets = [
        (
            None,
            {
                "fields": ["source", "phrase", "answer", "url", "link_label"],
                "description": (
                    "When someone writes one of these words to the bot and no question is "
                    "waiting for an answer, the bot answers this (like Slackbot's custom "
                    "responses). Otherwise it says it is just a bot, passes the message to the "
                    "team's inbox and points to the next step."
                ),
            },
        )
    ]
