"""Admin for what the bot says outside journeys: each source's keyword replies."""

from __future__ import annotations

from django.contrib import admin

from journeys.models import KeywordReply


@admin.register(KeywordReply)
class KeywordReplyAdmin(admin.ModelAdmin):
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
                    "responses). Otherwise it says it is only a bot and points to the next step."
                ),
            },
        )
    ]
