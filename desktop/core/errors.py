"""The one error hierarchy of the app.

Every error carries ``user_message``: plain words saying what happened and what to do next.
``str(exc)`` keeps the technical detail (shown only behind a "Details" button). Neither may ever
contain an API key: build messages from status codes, ids and server text, never from headers
or client settings.
"""

from __future__ import annotations

from dataclasses import dataclass


class FinetuneError(Exception):
    """Base of every error the app expects and explains to the user."""

    default_user_message = "Something went wrong."

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        super().__init__(detail or (user_message or self.default_user_message))
        self.user_message = user_message or self.default_user_message

    @property
    def detail(self) -> str:
        return str(self)


class DatasetError(FinetuneError):
    """A problem with a training file, located by file, line and field."""

    default_user_message = "The training file has a problem. Open it in the Datasets tab to fix it."

    def __init__(
        self,
        detail: str = "",
        *,
        user_message: str | None = None,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(detail, user_message=user_message)
        self.file = file
        self.line = line
        self.field = field


class ApiError(FinetuneError):
    """The connection answered with an error, or could not be reached."""

    default_user_message = "The service reported an error. Try again in a moment."

    def __init__(
        self,
        detail: str = "",
        *,
        user_message: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail, user_message=user_message)
        self.status_code = status_code
        self.request_id = request_id
        self.code = code


class AuthError(ApiError):
    default_user_message = (
        "The API key was rejected. Open Settings, check the key for this connection "
        "and save it again."
    )


class PermissionDeniedError(ApiError):
    default_user_message = (
        "This key is not allowed to do that. Ask the account owner to grant the permission, "
        "or use a key of another project."
    )


class FineTuningUnavailableError(PermissionDeniedError):
    """The organization may no longer create fine-tuning jobs (OpenAI's wind-down)."""

    default_user_message = (
        "This account can no longer start fine-tuning jobs: OpenAI is winding down self-serve "
        "fine-tuning. Your datasets stay yours. Add an Azure OpenAI connection in Settings "
        "to keep training models from them."
    )


class QuotaExceededError(ApiError):
    default_user_message = (
        "The account has run out of credit or reached its spending limit. "
        "Add credit or raise the limit in the provider's billing page, then try again."
    )


class RateLimitedError(ApiError):
    default_user_message = "The service is busy (too many requests). Wait a moment and try again."

    def __init__(
        self,
        detail: str = "",
        *,
        user_message: str | None = None,
        status_code: int | None = 429,
        request_id: str | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            detail,
            user_message=user_message,
            status_code=status_code,
            request_id=request_id,
            code=code,
        )
        self.retry_after = retry_after


class NotFoundError(ApiError):
    default_user_message = "The item no longer exists on this connection. Refresh the list."


class BadRequestError(ApiError):
    default_user_message = "The service did not accept the request. See Details for what it said."


class ServerError(ApiError):
    default_user_message = "The service had an internal problem. Try again in a few minutes."


class ConnectionFailedError(ApiError):
    default_user_message = (
        "Could not reach the service. Check your internet connection and the address in Settings."
    )


class TimeoutFailedError(ConnectionFailedError):
    default_user_message = (
        "The service did not answer in time. Check your connection and try again."
    )


class StreamInterruptedError(ApiError):
    default_user_message = (
        "The reply was cut off before it finished. The part received so far has been kept."
    )


class StorageError(FinetuneError):
    default_user_message = "Could not read or write the app's local data."


class KeychainUnavailableError(StorageError):
    default_user_message = (
        "This computer has no keychain the app can use to store the key safely. "
        "You can keep the key for this session only; it will be forgotten when the app closes."
    )


class DatabaseError(StorageError):
    default_user_message = (
        "The app's local database could not be read or written. Check that the disk is not full."
    )


class ValidationFailedError(FinetuneError):
    """A value the user typed is not acceptable (shown next to the field)."""

    default_user_message = "Please check the highlighted field."


class OperationCancelledError(FinetuneError):
    """Long work (checking, converting, saving) stopped because the user cancelled it.

    Raised only after everything half-done has been cleaned up, so callers may simply drop it.
    """

    default_user_message = "Cancelled. Nothing was changed."


class DatasetFileError(DatasetError):
    """A dataset file as a whole cannot be used (unreadable, binary, empty, changed on disk)."""

    default_user_message = "The file cannot be opened as a dataset."


class DatasetUnreadableError(DatasetFileError):
    default_user_message = (
        "The file cannot be read. Check that it still exists and that you may read it."
    )


class NotTextFileError(DatasetFileError):
    default_user_message = (
        "The file is not a text file. Choose a JSONL, CSV, TSV or Excel (.xlsx) file."
    )


class EmptyDatasetError(DatasetFileError):
    default_user_message = "The file is empty. Add examples to it or choose another file."


class UnsupportedEncodingError(DatasetFileError):
    default_user_message = (
        "The file is not saved as UTF-8 text. Save it again as UTF-8 and open it once more."
    )


class FileChangedOnDiskError(DatasetFileError):
    default_user_message = (
        "The file changed on disk while it was open. Reload it to see the current contents."
    )


class MissingColumnsError(DatasetFileError):
    """Columns chosen in a mapping do not exist in the table (``missing``, ``available``)."""

    default_user_message = "The table does not have the chosen columns. Choose other columns."

    def __init__(
        self,
        detail: str = "",
        *,
        user_message: str | None = None,
        file: str | None = None,
        missing: tuple[str, ...] = (),
        available: tuple[str, ...] = (),
    ) -> None:
        super().__init__(detail, user_message=user_message, file=file)
        self.missing = missing
        self.available = available


class FileSaveError(StorageError):
    """A file could not be written; the previous version (if any) is unchanged."""

    default_user_message = (
        "The file could not be saved. Your previous version is unchanged. Try another folder."
    )

    def __init__(
        self, detail: str = "", *, user_message: str | None = None, file: str | None = None
    ) -> None:
        super().__init__(detail, user_message=user_message)
        self.file = file


class DiskFullError(FileSaveError):
    default_user_message = (
        "The disk is full: free some space and save again; your previous version is unchanged."
    )


class WritePermissionError(FileSaveError):
    default_user_message = (
        "You may not write to this folder. Save to another folder; "
        "your previous version is unchanged."
    )


_MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ResumableUpload:
    """What the app needs to continue an interrupted multi-part upload.

    ``part_ids`` has one entry per part of ``part_size`` bytes, in file order: the id the service
    gave the part, or None while the part is not on the service. ``mtime_ns`` and ``size``
    identify the file version that was being sent; ``created_at``/``expires_at`` are the
    service's times (Unix seconds; an upload expires an hour after it was created).
    """

    upload_id: str
    path: str
    size: int
    mtime_ns: int
    part_size: int
    part_ids: tuple[str | None, ...]
    created_at: int
    expires_at: int
    purpose: str = "fine-tune"

    @property
    def bytes_on_server(self) -> int:
        """Bytes of the parts the service already holds."""
        return sum(self.part_length(i) for i, p in enumerate(self.part_ids) if p is not None)

    @property
    def missing_parts(self) -> tuple[int, ...]:
        """Indexes of the parts still to send, in file order."""
        return tuple(i for i, p in enumerate(self.part_ids) if p is None)

    def part_length(self, index: int) -> int:
        """Length in bytes of part ``index`` (the last one may be shorter)."""
        start = index * self.part_size
        return max(0, min(self.part_size, self.size - start))


def _megabytes(count: int, total: int) -> str:
    digits = 1 if total < 10 * _MB else 0
    return f"{count / _MB:.{digits}f}"


class UploadInterruptedError(ConnectionFailedError):
    """A multi-part upload lost its connection; ``state`` lets it continue where it stopped.

    The upload is still open on the service (until it expires); pass ``state`` back to the
    provider's ``upload_file(..., resume=state)``.
    """

    default_user_message = (
        "The upload was interrupted. Click Upload again to continue where it stopped."
    )

    def __init__(
        self,
        detail: str = "",
        *,
        state: ResumableUpload,
        user_message: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
    ) -> None:
        if user_message is None:
            sent = _megabytes(state.bytes_on_server, state.size)
            total = _megabytes(state.size, state.size)
            user_message = (
                f"The upload was interrupted: {sent} of {total} MB are on the server. "
                "Click Upload again to continue where it stopped; the part already sent "
                "will not be sent again."
            )
        super().__init__(
            detail,
            user_message=user_message,
            status_code=status_code,
            request_id=request_id,
            code=code,
        )
        self.state = state
