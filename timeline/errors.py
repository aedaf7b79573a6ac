"""Domain errors. The library raises these; the CLI turns each into a one-line message."""


class TimelineError(Exception):
    """Base class for every error this package reports to a user."""


class DateError(TimelineError, ValueError):
    """A date string that is not valid EDTF, or a date filter that makes no sense."""


class QuoteNotFoundError(TimelineError, LookupError):
    """A quote that does not occur in the text it is said to come from."""


class SourceFormatError(TimelineError, ValueError):
    """A primary-source text whose structure the parser does not recognise."""


class SeedError(TimelineError):
    """Annotations that do not agree with their texts, or that break the data model."""


class DatabaseError(TimelineError):
    """A database that cannot be opened, reached, or is not a timeline database."""


class NotFoundError(TimelineError, LookupError):
    """A key that names no record."""


class QueryError(TimelineError):
    """An analyst's SQL that the database refused, that tried to write, or that ran too long."""


class ExportError(TimelineError):
    """An export that cannot be written: an unknown format, a path that exists or cannot be made."""


class ImportFileError(TimelineError, ValueError):
    """An import file that is malformed, truncated, of another schema, or that breaks the data."""


class SearchError(TimelineError, ValueError):
    """A search with nothing to search for, or an option search does not know."""


class LoadError(TimelineError):
    """A load that cannot be written as planned: a missing document, a quote a new text lacks."""


def too_many_digits(exc: BaseException) -> bool:
    """Whether ``exc`` is int()'s refusal of a number of more digits than
    ``sys.get_int_max_str_digits()`` (a ValueError that parsers let through), or a SystemError
    it caused: ijson's C backend (3.x) can leave that ValueError set while it returns an event,
    so that the next call into C raises a SystemError whose context it is."""
    cause = exc.__context__ if isinstance(exc, SystemError) else exc
    return isinstance(cause, ValueError) and "integer string conversion" in str(cause)
