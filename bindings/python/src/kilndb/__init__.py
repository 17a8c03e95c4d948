"""kilndb: an embedded JSON document database.

Example::

    import kilndb
    with kilndb.open("app-data", mode="sync") as db:
        users = db.collection("users")
        users.set({"u1": {"name": "Ada", "age": 36}})
        users.get("u1")                                   # dict, or None
        users.find(where={"age": {"$gt": 30}}, sort=["age"], count=10)
"""

from __future__ import annotations

from . import _native
from ._database import Batch, BatchCollection, ChangeEvent, Collection, Database, Subscription, open, verify
from ._errors import (
    ClosedError,
    ConflictError,
    CorruptionError,
    InternalError,
    InvalidArgumentError,
    KilnError,
    LockedError,
    NotFoundError,
    ReadOnlyError,
    StorageError,
)

#: The version of this package, which is the engine's KILN_VERSION_STRING.
__version__: str = _native.HEADER_VERSION

if _native.library_version() != _native.HEADER_VERSION or _native.library_abi_version() != _native.ABI_VERSION:
    raise ImportError(
        f"kilndb: the linked engine is {_native.library_version()} (ABI {_native.library_abi_version()}) "
        f"but the binding was built for {_native.HEADER_VERSION} (ABI {_native.ABI_VERSION})"
    )
if _native.library_encoding_version() > _native.DECODER_ENCODING_VERSION:
    raise ImportError(
        f"kilndb: the linked engine writes document encoding version {_native.library_encoding_version()} "
        f"but the binding decodes only up to version {_native.DECODER_ENCODING_VERSION} "
        "(docs/document_format.md): update the binding's decoder"
    )


def engine_version() -> str:
    """kiln_version() of the engine in use."""
    return _native.library_version()


__all__ = [
    "open",
    "Database",
    "Collection",
    "Batch",
    "BatchCollection",
    "Subscription",
    "ChangeEvent",
    "verify",
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
    "engine_version",
    "__version__",
]
