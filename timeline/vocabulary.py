"""The controlled words of the data model: actor and event kinds, roles, statute relations.

The seed loader refuses anything outside these lists, so a typo in an annotation file is an error
rather than a new category in every report.
"""

ACTOR_KINDS = frozenset({"person", "organization", "government", "office", "group"})

EVENT_KINDS = frozenset(
    {
        "enactment",
        "entry into force",
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

# How an event's date was reached, after the FRUS editors' own date taxonomy: the text states it;
# the document's own date; inferred from the document's date ("February 21" in a 1961 memo);
# bounded by other dated events or the document's date ("before the 1951 finding"); from an
# outside source, which the event then names.
DATE_BASES = frozenset({"stated", "document", "inferred", "bounded", "external"})

# Who links an event to an actor or statute: the text's own words name it, or the editor
# identifies it (Casey's letter describes Section 307 without naming it).
IDENTIFIED_BY = frozenset({"text", "editor"})
