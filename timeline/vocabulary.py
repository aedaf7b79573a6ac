"""The controlled words of the data model: actor and event kinds, roles, statute relations.

The seed loader refuses anything outside these lists, so a typo in an annotation file is an error
rather than a new category in every report.
"""

ACTOR_KINDS = frozenset({"person", "organization", "government", "office", "group"})

EVENT_KINDS = frozenset(
    {
        "enactment",
        "forced labor",
        "testimony",
        "finding",
        "ban",
        "lifting",
        "denial",
        "meeting",
        "message",
        "memorandum",
        "letter",
        "recommendation",
        "estimate",
        "assessment",
        "assistance",
        "distribution",
        "release",
        "document",
    }
)

EVENT_ROLES = frozenset(
    {
        "advising",
        "agency",
        "author",
        "cc",
        "concurring",
        "denying",
        "distribution",
        "employer",
        "informed",
        "laborers",
        "occupying",
        "participant",
        "provider",
        "recipient",
        "requester",
        "subject",
        "witnesses",
    }
)

DOCUMENT_ROLES = frozenset(
    {"author", "recipient", "cc", "signer", "distribution", "mentioned", "participant"}
)

STATUTE_RELATIONS = frozenset({"enacted", "invoked", "applied", "cited", "subject"})
