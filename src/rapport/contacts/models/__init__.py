from .activity import Note, Task, TimelineEntry
from .fields import CustomField, FieldType
from .identities import Identity, IdentityKind
from .merges import DuplicateSuggestion, MergeRecord, Observation, SuggestionStatus
from .people import (
    PROFILE_FIELDS,
    Company,
    Contact,
    ContactStatus,
    Lifecycle,
    LifecyclePolicy,
)
from .privacy import Channel, Consent, ErasedIdentity, Purpose, RetentionPolicy
from .transfer import ConflictPolicy, ContactImport, ImportStatus

__all__ = [
    "PROFILE_FIELDS",
    "Channel",
    "Company",
    "ConflictPolicy",
    "Consent",
    "Contact",
    "ContactImport",
    "ContactStatus",
    "CustomField",
    "DuplicateSuggestion",
    "ErasedIdentity",
    "FieldType",
    "Identity",
    "IdentityKind",
    "ImportStatus",
    "Lifecycle",
    "LifecyclePolicy",
    "MergeRecord",
    "Note",
    "Observation",
    "Purpose",
    "RetentionPolicy",
    "SuggestionStatus",
    "Task",
    "TimelineEntry",
]
