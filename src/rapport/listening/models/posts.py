"""Posts as listening stores them, their authors, and which topics they mention.

Every post a source delivers is stored (compactly), so a new topic can be backfilled
over the last 30 days; only posts that match a topic get language, sentiment and
intent (the costly part) and become mentions."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned

from .sources import ListeningSource
from .topics import Topic


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"


class Intent(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    QUESTION = "question", "Question"
    PRAISE = "praise", "Praise"
    PURCHASE_INTENT = "purchase_intent", "Purchase intent"
    LEAD = "lead", "Lead"
    OTHER = "other", "Other"


class Author(WorkspaceOwned):
    """An account on a network, as its posts show it; linked to a contact when one
    holds the same network identity."""

    network = models.CharField(max_length=20)
    handle = models.CharField(max_length=200)
    name = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    followers = models.PositiveBigIntegerField(null=True, blank=True)
    verified = models.BooleanField(default=False)
    posts = models.PositiveIntegerField(default=0)
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta(WorkspaceOwned.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "network", "handle"],
                                    name="uniq_listening_author"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.handle


class Post(WorkspaceOwned):
    source = models.ForeignKey(ListeningSource, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", db_index=False)  # fmt: skip
    network = models.CharField(max_length=20)
    external_id = models.CharField(max_length=300)
    url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+")
    posted_at = models.DateTimeField()
    received_at = models.DateTimeField()
    reply_to = models.CharField(max_length=300, blank=True)
    hashtags = models.JSONField(default=list, blank=True)
    mentions = models.JSONField(default=list, blank=True)
    likes = models.PositiveIntegerField(default=0)
    reposts = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    # A hash of the folded text's shingles: the same text posted again (copies,
    # retweet chains, spam waves) is stored but not counted as a new mention.
    fingerprint = models.CharField(max_length=16, db_index=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_index=False)  # fmt: skip
    # Set only for posts that matched a topic (language, sentiment and intent cost).
    lang = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    intent = models.CharField(max_length=16, choices=Intent.choices, blank=True)
    intent_score = models.FloatField(null=True, blank=True)
    # An agent's correction wins over the model and is kept for retraining.
    corrected = models.BooleanField(default=False)
    handled = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    suggested_contact = models.ForeignKey("contacts.Contact", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")  # fmt: skip
    suggestion_confidence = models.FloatField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "network", "external_id"],
                                    name="uniq_listening_post"),
        ]  # fmt: skip
        indexes: ClassVar = [models.Index(fields=["workspace", "-posted_at"])]

    def __str__(self) -> str:
        return f"{self.network}:{self.external_id}"


class Mention(WorkspaceOwned):
    """A post that matched a topic. Denormalised (time, sentiment, intent, language)
    so a topic's charts are one index range scan."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    posted_at = models.DateTimeField()
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices, blank=True)
    intent = models.CharField(max_length=16, choices=Intent.choices, blank=True)
    lang = models.CharField(max_length=8, blank=True)
    network = models.CharField(max_length=20)

    class Meta(WorkspaceOwned.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["topic", "post"], name="uniq_mention"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "topic", "-posted_at"]),
            models.Index(fields=["workspace", "-posted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.post_id}"


class Correction(WorkspaceOwned):
    """An agent's verdict on a post: the training data of the workspace's model."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=10)  # "sentiment" or "intent"
    before = models.CharField(max_length=16, blank=True)
    after = models.CharField(max_length=16)
    text = models.TextField()  # as corrected, kept if the post is later erased
    by = models.ForeignKey("core.Membership", null=True, on_delete=models.SET_NULL,
                           related_name="+")  # fmt: skip
    at = models.DateTimeField(auto_now_add=True)
    used_in_model = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.field}: {self.before} → {self.after}"
