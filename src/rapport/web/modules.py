"""What each module of the product map will do, shown as its empty state until the
module is built. Kept as data so the overview page and the empty states agree."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModuleInfo:
    title: str
    tagline: str
    points: tuple[str, ...]


MODULE_INFO: dict[str, ModuleInfo] = {
    "listen": ModuleInfo(
        "Listen",
        "Hear what people say about your brand, your market and your competitors.",
        (
            "Topics written as boolean queries, with hashtags, handles, language and source",
            "Bluesky, Mastodon, Reddit, RSS, X and webhooks as sources",
            "Sentiment and intent in English, Polish, Russian, Dutch and German",
            "Share of voice, influencers and crisis alerts before a complaint spreads",
        ),
    ),
    "inbox": ModuleInfo(
        "Inbox",
        "Answer every mention, comment, DM and email from one queue.",
        (
            "Routing by team, language, topic and channel, with business hours",
            "SLAs on first response and resolution, escalation on breach",
            "A priority that explains itself: influence, sentiment, value, SLA risk",
            "Replies through the original channel, canned replies, notes, CSAT",
        ),
    ),
    "contacts": ModuleInfo(
        "Contacts",
        "Know every customer as one person across email, web and social networks.",
        (
            "Identities on every network, merged (and un-merged) automatically",
            "Lifecycle from prospect to advocate, computed from behaviour",
            "One timeline, enrichment with its sources, notes and tasks",
            "CSV import and export, consent, data export and real erasure",
        ),
    ),
    "segments": ModuleInfo(
        "Segments",
        "Group customers by what they are and what they do, updated in near real time.",
        (
            "Rules over attributes, behaviour in time windows, orders and RFM",
            "Social metrics, lifecycle stage and consent as conditions",
            "Enter and exit events that start journeys",
            "Remarketing audiences exported as hashed lists",
        ),
    ),
    "journeys": ModuleInfo(
        "Journeys",
        "Act one to one at the moment a customer does something.",
        (
            "Triggers: an event, a segment entry, a date or the weather",
            "Waits, branches, A/B splits, goals, frequency caps and quiet hours",
            "Email, social and messenger steps in the channel the customer answers",
            "Recipes: abandoned cart, welcome, win-back, weather offer",
        ),
    ),
    "community": ModuleInfo(
        "Community",
        "Grow advocates, ideas and votes around your brand.",
        (
            "An ideas portal with votes, statuses and shipped notifications",
            "Contests where the community picks the winners",
            "Advocates, referral codes, tiers, points and leaderboards",
            "Advocates recruited from positive mentions",
        ),
    ),
    "analytics": ModuleInfo(
        "Analytics",
        "Measure all of it in money and minutes.",
        (
            "Listening volume, sentiment, share of voice and influencers",
            "Response and resolution times and SLA compliance per agent and team",
            "Lifecycle funnel, retention cohorts and churn-risk alerts",
            "Journey and campaign revenue against spend",
        ),
    ),
}
