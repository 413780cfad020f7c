"""Domain errors. The edges (CLI, HTTP API) turn these into exit codes and status codes."""


class BotError(Exception):
    """Base class for every error PolicyBot raises on purpose."""


class CorpusError(BotError):
    """A corpus file is missing, unreadable or not UTF-8."""


class IndexMissingError(BotError):
    """No index has been built yet."""


class IndexStaleError(BotError):
    """The index was built from another corpus, model or chunking than the one configured."""


class IndexCorruptError(BotError):
    """The index files are damaged or do not agree with each other."""


class ModelUnavailableError(BotError):
    """A model could not be found locally (and downloading is not possible)."""


class InvalidQuestionError(BotError):
    """The question (or its history) cannot be processed."""


class NotReadyError(BotError):
    """The bot is still loading its models and index; try again shortly."""


class UnknownQuestionError(BotError):
    """Feedback names a question id that was never logged (or was purged)."""


class LLMError(BotError):
    """The language model failed or refused the request; the answer falls back to the quotes alone."""


class LLMTimeoutError(LLMError):
    """The language model did not answer within ``BOT_LLM_TIMEOUT`` seconds."""


class LLMRateLimitError(LLMError):
    """The language model's provider said too many requests (HTTP 429)."""


class BankError(BotError):
    """An example bank file is unreadable or holds a malformed line."""


class UnknownCorrectionError(BotError):
    """A review or export names a correction id that was never stored."""


class InvalidCorrectionError(BotError):
    """A correction names a section not in the policy, a quote not verbatim in that section, or a review that is
    no longer possible (an exported correction); nothing is stored or changed."""


class BusyError(BotError):
    """More questions are waiting for the models than the server queues; the client should come back shortly."""


class UnknownDocumentError(BotError):
    """A question names a document the corpus does not hold; the message lists the known ones."""
