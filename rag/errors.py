"""The errors this package raises on purpose.

Every one of them is a user-facing condition with a next step in its message;
the CLI and the UI turn them into one line instead of a traceback.

They form a small tree, so a caller catches as much or as little as it means to::

    RagError
    ├── StoreError              the index cannot be read or written
    │   ├── IndexMissingError
    │   ├── IndexMismatchError
    │   ├── IndexCorruptError
    │   ├── IndexBusyError
    │   ├── IndexPermissionError
    │   ├── DiskFullError
    │   ├── ReadOnlyIndexError
    │   ├── StoreUnavailableError
    │   └── StoreServerError
    ├── CorpusError             the corpus folder or a file in it
    ├── LLMError                the language model server
    ├── ConfigError             a setting
    ├── QuestionError           the question itself
    └── EvaluationError         the gold set or the thresholds file
"""


class RagError(Exception):
    """Base class: something the user can fix, explained in one line."""


class StoreError(RagError):
    """The index (the Chroma store on disk or on a server) cannot be read or written as it is."""


class CorpusError(RagError):
    """The corpus folder or a file in it cannot be used."""


class LLMError(RagError):
    """The language model server could not give an answer (down, refused, timed out, malformed reply)."""


class ConfigError(RagError):
    """A setting (environment variable or argument) has an invalid value."""


class QuestionError(RagError):
    """The question itself is unusable (empty, too long)."""


class EvaluationError(RagError):
    """The gold question set or the thresholds file cannot be used."""


class IndexMissingError(StoreError):
    """There is no index where the settings point."""


class IndexMismatchError(StoreError):
    """The index was built with other settings than the current ones."""


class IndexCorruptError(StoreError):
    """The index on disk is damaged (a file or collection gone, garbage bytes); rebuilding fixes it."""


class IndexBusyError(StoreError):
    """Another process is writing to the same index."""


class IndexPermissionError(StoreError):
    """The index folder or a file in it may not be read or written by this user."""


class DiskFullError(StoreError):
    """The disk holding the index has no room left."""


class ReadOnlyIndexError(StoreError):
    """The index folder is on a read-only file system."""


class StoreUnavailableError(StoreError):
    """The Chroma server named by the settings does not answer."""


class StoreServerError(StoreError):
    """The Chroma server answered, but with an error of its own."""
