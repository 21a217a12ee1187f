"""The generic JSON webhook: the documented shape and a sender's own shape through a
mapping become posts; anything wrong is refused whole, each problem naming its field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.channels.connectors.webhook import (
    FieldMapping,
    WebhookError,
    parse_webhook,
)
from rapport.channels.connectors.webhook.shape import FIELDS
from rapport.channels.connectors.webhook.signature import sign, verify
from rapport.channels.posts import RawPost
from rapport.channels.registry import provider

FIXTURES = Path(__file__).parent / "fixtures" / "webhook"
DOCUMENTED = (FIXTURES / "documented.json").read_bytes()
CUSTOM = (FIXTURES / "custom_shape.json").read_bytes()
CUSTOM_MAPPING = {
    "posts": "data.items",
    "fields": {
        "id": "mention_id",
        "text": "body",
        "created_at": "meta.time",
        "lang": "meta.language",
        "author.handle": "user.screen_name",
        "author.name": "user.display",
        "author.followers": "user.audience",
        "url": "permalink",
    },
}


def body(*posts: dict[str, Any]) -> bytes:
    return orjson.dumps({"posts": list(posts)})


def good(**changes: Any) -> dict[str, Any]:
    post: dict[str, Any] = {
        "id": "p1",
        "text": "Nordlicht Coffee is great",
        "created_at": "2026-12-01T09:00:00Z",
        "author": {"handle": "@ann"},
    }
    post.update(changes)
    return post


def test_the_documented_shape_becomes_posts() -> None:
    first, second = parse_webhook(DOCUMENTED)
    assert first.network == "webhook"
    assert first.external_id == "crm-form-8812"
    assert first.created_at == datetime(2026, 12, 1, 8, 12, 44, tzinfo=UTC)
    assert first.author.name == "Ann Nowak"
    assert first.author.followers == 120
    assert first.hashtags == ("coffee", "NordlichtCoffee")
    assert first.mentions == ("@nordlichtcoffee",)
    assert first.links == ("https://nordlicht.example/starter",)
    assert (first.likes, first.replies, first.reposts) == (3, 1, 0)
    assert first.raw["title"] == "Starter kit shipping"
    assert second.external_id == "8813"
    assert second.created_at == datetime.fromtimestamp(1764580000, UTC)
    assert second.reply_to == "crm-form-8812"


def test_script_payloads_come_out_as_inert_text() -> None:
    _, hostile = parse_webhook(DOCUMENTED)
    assert hostile.text == "Kaffeewerk ist zu teuer geworden.\nmehr"
    assert "<" not in hostile.text
    assert hostile.links == ()


def test_a_sender_keeps_its_own_shape_through_a_mapping() -> None:
    (post,) = parse_webhook(CUSTOM, CUSTOM_MAPPING)
    assert post.external_id == "m_01JE0Q7"
    assert post.text.startswith("Bean & Barrel's new store in Warsaw")
    assert post.created_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert post.lang == "en"
    assert post.author.handle == "warsaw_eats"
    assert post.author.followers == 15200
    assert post.url == "https://social.example/warsaw_eats/status/991"


def test_a_relayed_post_says_which_network_it_is_from() -> None:
    relayed, own = parse_webhook(body(good(network="mastodon"), good(id="p2")))
    assert relayed.network == "mastodon"
    assert own.network == "webhook"


def test_a_body_that_is_the_list_or_one_post() -> None:
    mapping = {"posts": ""}
    assert len(parse_webhook(orjson.dumps([good(), good(id="p2")]), mapping)) == 2
    assert parse_webhook(orjson.dumps(good()), mapping)[0].external_id == "p1"


@pytest.mark.parametrize(
    ("post", "problem"),
    [
        ({k: v for k, v in good().items() if k != "id"}, "posts[0].id: is required"),
        (good(id=""), "posts[0].id: is empty"),
        (good(id=True), "posts[0].id: expected text, got true/false"),
        (good(text=None), "posts[0].text: is required"),
        (good(text=["a"]), "posts[0].text: expected text, got a list"),
        (good(text="<script>alert(1)</script>"), "posts[0].text: has no words"),
        (good(created_at="yesterday"), "posts[0].created_at: expected an ISO 8601 date"),
        (good(created_at="2026-12-01T09:00:00"), "has no UTC offset; add Z"),
        (good(created_at=1764580000000), "milliseconds"),
        (good(created_at={"t": 1}), "expected an ISO 8601 date, got an object"),
        (good(author="ann"), "posts[0].author.handle: is required"),
        (good(author={"handle": "  "}), "posts[0].author.handle: is empty"),
        (good(author={"handle": "a", "followers": -1}), "author.followers: expected a whole"),
        (good(author={"handle": "a", "verified": "yes"}), "author.verified: expected true"),
        (good(author={"handle": "a", "url": "javascript:alert(1)"}), "author.url: must be an"),
        (good(url="ftp://x"), "posts[0].url: must be an http(s) URL"),
        (good(links=["javascript:alert(1)"]), "posts[0].links: item 0 must be an http(s)"),
        (good(hashtags="coffee"), "posts[0].hashtags: expected a list of text, got text"),
        (good(hashtags=["x"] * 101), "has 101 items; at most 100"),
        (good(likes=1.5), "posts[0].likes: expected a whole number"),
        (good(lang="x" * 40), "posts[0].lang: is 40 characters long; at most 35"),
        (good(network="Mastodon!"), "posts[0].network: must be a network name like"),
        ("just text", "posts[0]: expected a JSON object, got text"),
    ],
)
def test_each_problem_names_the_post_and_the_field(post: Any, problem: str) -> None:
    with pytest.raises(WebhookError) as refused:
        parse_webhook(body(good(id="ok"), post))
    assert problem.replace("posts[0]", "posts[1]") in str(refused.value)


def test_a_mapped_field_names_the_path_it_came_from() -> None:
    wrong = orjson.loads(CUSTOM)
    wrong["data"]["items"][0]["meta"]["time"] = "soon"
    with pytest.raises(WebhookError, match=r"data\.items\[0\]\.created_at \(from 'meta\.time'\)"):
        parse_webhook(orjson.dumps(wrong), CUSTOM_MAPPING)


def test_every_problem_is_listed_and_nothing_is_taken() -> None:
    with pytest.raises(WebhookError) as refused:
        parse_webhook(body(good(), good(id=None), good(created_at="x"), good()))
    assert len(refused.value.problems) == 2
    assert refused.value.problems[0].startswith("posts[1].id")
    assert refused.value.problems[1].startswith("posts[2].created_at")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"{not json", "body: not JSON"),
        (b'{"items": []}', 'posts: missing or not a list; the body must be {"posts": [...]}'),
        (b'{"posts": {"id": 1}}', "posts: missing or not a list"),
        (b"x" * (1024 * 1024 + 1), "body: 1,048,577 bytes; at most 1,048,576"),
    ],
)
def test_bodies_that_are_not_the_shape(raw: bytes, problem: str) -> None:
    with pytest.raises(WebhookError) as refused:
        parse_webhook(raw)
    assert problem in str(refused.value)


def test_the_number_of_posts_a_request_is_bounded() -> None:
    with pytest.raises(WebhookError, match="501 posts; at most 500"):
        parse_webhook(body(*[good(id=str(i)) for i in range(501)]))


@pytest.mark.parametrize(
    ("mapping", "problem"),
    [
        ({"fields": {"body": "text"}}, "'body' is not a post field"),
        ({"fields": {"text": ""}}, "mapping.fields.text must be a dotted path"),
        ({"posts": 3}, "mapping.posts must be a dotted path"),
        ({"post": "items"}, "unknown keys ['post']"),
    ],
)
def test_a_bad_mapping_is_refused_with_its_key(mapping: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        FieldMapping.from_config(mapping)
    with pytest.raises(WebhookError):
        parse_webhook(body(good()), mapping)


def test_signatures() -> None:
    secret = "s3cret-s3cret-s3cret"
    signature = sign(DOCUMENTED, secret)
    assert signature.startswith("sha256=")
    assert verify(DOCUMENTED, secret, signature)
    assert not verify(DOCUMENTED + b" ", secret, signature)
    assert not verify(DOCUMENTED, "other-secret-other", signature)
    assert not verify(DOCUMENTED, "", sign(DOCUMENTED, ""))


def test_the_webhook_source_validates_its_settings() -> None:
    webhook = provider("webhook")
    cleaned = webhook.validate({"mapping": CUSTOM_MAPPING})
    assert len(cleaned["secret"]) >= 32
    assert cleaned["mapping"]["posts"] == "data.items"
    with pytest.raises(ValueError, match="secret must be text of at least 16"):
        webhook.validate({"secret": "short"})


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=300)
@given(st.sampled_from([*FIELDS, "author"]), _JSON)
def test_any_value_in_any_field_is_a_post_or_a_webhook_error(name: str, value: Any) -> None:
    post = good(author={"handle": "@ann"})
    if name.startswith("author."):
        post["author"][name.split(".", 1)[1]] = value
    else:
        post[name] = value
    outcome: list[RawPost] | WebhookError
    try:
        outcome = parse_webhook(body(post))
    except WebhookError as refused:
        outcome = refused
    if isinstance(outcome, WebhookError):
        assert outcome.problems  # each one names its field
    else:
        (parsed,) = outcome
        assert parsed.created_at.tzinfo is not None
        assert parsed.text.strip()
