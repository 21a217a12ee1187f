from .activity import Note, Task, TimelineEntry
from .identities import Identity, IdentityKind
from .merges import DuplicateSuggestion, MergeRecord, Observation, SuggestionStatus
from .people import PROFILE_FIELDS, Company, Contact, ContactStatus, Lifecycle
from .transfer import ConflictPolicy, ContactImport, ImportStatus

__all__ = [
    "PROFILE_FIELDS",
    "Company",
    "ConflictPolicy",
    "Contact",
    "ContactImport",
    "ContactStatus",
    "DuplicateSuggestion",
    "Identity",
    "IdentityKind",
    "ImportStatus",
    "Lifecycle",
    "MergeRecord",
    "Note",
    "Observation",
    "SuggestionStatus",
    "Task",
    "TimelineEntry",
]
