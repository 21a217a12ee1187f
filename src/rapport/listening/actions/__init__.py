"""Every write of listening: topics, sources, alert rules, and what agents do to
mentions. Each checks its permission, runs in one transaction, is audited and
publishes its domain events on commit."""

from .alerts import do_save_alert_rule
from .mentions import do_correct_post, do_link_post, do_mark_handled, do_tag_post
from .sources import do_create_listening_source, do_set_listening_source_enabled
from .topics import QueryError, do_create_topic, do_delete_topic, do_update_topic, validate_query

__all__ = [
    "QueryError", "do_correct_post", "do_create_listening_source", "do_create_topic",
    "do_delete_topic", "do_link_post", "do_mark_handled", "do_save_alert_rule",
    "do_set_listening_source_enabled", "do_tag_post", "do_update_topic", "validate_query",
]  # fmt: skip
