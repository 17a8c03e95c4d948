"""The kilndb exception hierarchy.

Every error the engine reports is raised as a subclass of :class:`KilnError`
whose ``code`` is the C status name (``kiln_status_name``), e.g.
``"KILN_CONFLICT"``, and whose ``status`` is the numeric ``kiln_status``.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

from . import _native

__all__ = [
    "KilnError",
    "NotFoundError",
    "InvalidArgumentError",
    "ConflictError",
    "LockedError",
    "ClosedError",
    "ReadOnlyError",
    "StorageError",
    "CorruptionError",
    "InternalError",
]


class KilnError(Exception):
    """Base class of every error raised by kilndb.

    Attributes:
        message: the engine's message, naming what is wrong.
        code: the C status name, e.g. ``"KILN_CONFLICT"``.
        status: the numeric C status, e.g. ``11``.
    """

    default_status: int = _native.status.INTERNAL

    def __init__(self, message: str = "", code: Optional[str] = None, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = self.default_status if status is None else status
        self.code = code if code is not None else _native.status_name(self.status)

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]" if self.message else self.code


class NotFoundError(KilnError):
    """No such document, or a query matched nothing (``KILN_NOT_FOUND``)."""

    default_status = _native.status.NOT_FOUND


class InvalidArgumentError(KilnError, ValueError):
    """The request is malformed: bad JSON, name, limit or query (``KILN_INVALID_ARGUMENT``)."""

    default_status = _native.status.INVALID_ARGUMENT


class ConflictError(KilnError):
    """A ``_v`` version guard or a unique index was violated (``KILN_CONFLICT``)."""

    default_status = _native.status.CONFLICT


class LockedError(KilnError):
    """Another process holds the database (``KILN_LOCKED``)."""

    default_status = _native.status.LOCKED


class ClosedError(KilnError):
    """The database was closed (``KILN_CLOSED``)."""

    default_status = _native.status.CLOSED


class ReadOnlyError(KilnError):
    """A write to a read-only database (``KILN_READ_ONLY``)."""

    default_status = _native.status.READ_ONLY


class StorageError(KilnError):
    """A file operation failed or the disk is full (``KILN_IO_ERROR``, ``KILN_NO_SPACE``)."""

    default_status = _native.status.IO_ERROR


class CorruptionError(KilnError):
    """A checksum or format check failed (``KILN_CORRUPTION``)."""

    default_status = _native.status.CORRUPTION


class InternalError(KilnError):
    """An engine failure: a bug or an allocation failure (``KILN_INTERNAL``, ``KILN_NO_MEMORY``)."""

    default_status = _native.status.INTERNAL


ERROR_CLASSES: Dict[int, Type[KilnError]] = {
    _native.status.NOT_FOUND: NotFoundError,
    _native.status.INVALID_ARGUMENT: InvalidArgumentError,
    _native.status.CONFLICT: ConflictError,
    _native.status.LOCKED: LockedError,
    _native.status.CLOSED: ClosedError,
    _native.status.READ_ONLY: ReadOnlyError,
    _native.status.IO_ERROR: StorageError,
    _native.status.NO_SPACE: StorageError,
    _native.status.CORRUPTION: CorruptionError,
    _native.status.INTERNAL: InternalError,
    _native.status.NO_MEMORY: InternalError,
}

_native._register_errors(dict(ERROR_CLASSES), KilnError)
