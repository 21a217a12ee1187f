from .alerts import Alert, AlertKind, AlertRule
from .learning import WorkspaceModel
from .posts import Author, Correction, Intent, Mention, Post, Sentiment
from .sources import ListeningSource, SourceState
from .topics import Topic, TopicKind

__all__ = ["Alert", "AlertKind", "AlertRule", "Author", "Correction", "Intent",
           "ListeningSource", "Mention", "Post", "Sentiment", "SourceState", "Topic",
           "TopicKind", "WorkspaceModel"]  # fmt: skip
