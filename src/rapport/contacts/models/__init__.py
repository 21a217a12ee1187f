from .activity import Note, Task, TimelineEntry
from .identities import Identity, IdentityKind
from .merges import DuplicateSuggestion, MergeRecord, Observation, SuggestionStatus
from .people import PROFILE_FIELDS, Company, Contact, ContactStatus, Lifecycle

__all__ = [
    "PROFILE_FIELDS",
    "Company",
    "Contact",
    "ContactStatus",
    "DuplicateSuggestion",
    "Identity",
    "IdentityKind",
    "Lifecycle",
    "MergeRecord",
    "Note",
    "Observation",
    "SuggestionStatus",
    "Task",
    "TimelineEntry",
]
