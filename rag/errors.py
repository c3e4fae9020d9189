"""The errors this package raises on purpose.

Every one of them is a user-facing condition with a next step in its message;
the CLI and the UI turn them into one line instead of a traceback.
"""


class RagError(Exception):
    """Base class: something the user can fix, explained in one line."""


class ConfigError(RagError):
    """A setting (environment variable or argument) has an invalid value."""


class CorpusError(RagError):
    """The corpus folder or a file in it cannot be used."""


class QuestionError(RagError):
    """The question itself is unusable (empty, too long)."""


class IndexMissingError(RagError):
    """There is no index where the settings point."""


class IndexMismatchError(RagError):
    """The index was built with other settings than the current ones."""


class IndexCorruptError(RagError):
    """The index on disk is damaged (a file or collection gone, garbage bytes); rebuilding fixes it."""


class IndexBusyError(RagError):
    """Another process is writing to the same index."""


class EvaluationError(RagError):
    """The gold question set or the thresholds file cannot be used."""


class LLMError(RagError):
    """The language model server could not give an answer (down, refused, timed out, malformed reply)."""


class StoreUnavailableError(RagError):
    """The Chroma server named by the settings does not answer."""


class IndexPermissionError(RagError):
    """The index folder or a file in it may not be read or written by this user."""


class DiskFullError(RagError):
    """The disk holding the index has no room left."""


class ReadOnlyIndexError(RagError):
    """The index folder is on a read-only file system."""


class StoreServerError(RagError):
    """The Chroma server answered, but with an error of its own."""
