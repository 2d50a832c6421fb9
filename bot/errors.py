"""The one exception family of the bot. Messages say what to do about it.

    BotError
    ├── ConfigError        a setting is malformed, or unsafe without another (listening widely without a password)
    ├── CorpusError        the corpus folder is missing or yields no text
    ├── IndexError_        base of index problems
    │   ├── IndexMissing   no index built yet
    │   ├── IndexCorrupt   a file is missing, truncated or altered
    │   └── IndexMismatch  built with another model, dimension or format
    ├── QuestionError      the question cannot be answered as typed (empty, too long)
    └── FeedbackError      the feedback file cannot be written or read

The library raises these; only the CLI and the UI turn them into words for a person.
"""


class BotError(Exception):
    """Base class: every error the bot expects to meet."""


class ConfigError(BotError):
    """A setting is malformed, or unsafe without another one."""


class CorpusError(BotError):
    """The corpus folder cannot give any documents."""


class IndexError_(BotError):
    """Something is wrong with the index on disk."""


class IndexMissing(IndexError_):
    """No index has been built yet."""


class IndexCorrupt(IndexError_):
    """An index file is missing, truncated or altered."""


class IndexMismatch(IndexError_):
    """The index was built with another model, dimension or format version."""


class QuestionError(BotError):
    """The question is empty or too long."""


class FeedbackError(BotError):
    """The feedback file cannot be written or read."""
