"""What the bot says outside journeys: a source's keyword replies (Slackbot's custom
responses). Staff edit them in the admin."""

from __future__ import annotations

from django.db import models


class KeywordReply(models.Model):
    """When a contact types `phrase` (whole words, any case) with no question open, the bot
    answers `answer`."""

    source = models.ForeignKey(
        "journeys.Source", on_delete=models.CASCADE, related_name="keyword_replies"
    )
    phrase = models.CharField(
        max_length=100, help_text='Words to listen for, e.g. "pricing" or "talk to a human".'
    )
    answer = models.TextField(max_length=1000, help_text="What the bot answers, as plain text.")
    url = models.CharField(
        max_length=2000, blank=True, help_text="Optional link shown as a button under the answer."
    )
    link_label = models.CharField(max_length=40, blank=True, help_text='e.g. "See pricing".')

    class Meta:
        ordering = ["source", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["source", "phrase"], name="keyword_reply_once")
        ]
        verbose_name_plural = "keyword replies"

    def __str__(self) -> str:
        return f"“{self.phrase}” → {self.answer[:40]}"
