"""Database, Collection and Batch: thin Python layers over kilndb._native.

Hot paths (``Collection.get``/``put``, ``Database.execute``) are methods of
the native base classes, so they run without a Python frame. Everything
else builds a request of the kilndb request language (QUERY.md) and sends
it through ``execute``.
"""

from __future__ import annotations

import atexit
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Union

from . import _native

JSON = Any
Where = Mapping[str, Any]


def _as_dict(mapping: Mapping[str, Any]) -> Dict[str, Any]:
    return mapping if isinstance(mapping, dict) else dict(mapping)


def _keys_arg(key_or_keys: Union[str, Iterable[str]]) -> Union[str, List[str]]:
    if isinstance(key_or_keys, str):
        return key_or_keys
    return list(key_or_keys)


def _query(
    collection: str,
    where: Optional[Where],
    fields: Optional[Sequence[str]],
    excluded_fields: Optional[Sequence[str]],
    joins: Optional[Sequence[Mapping[str, Any]]],
    sort: Optional[Sequence[Union[str, Mapping[str, Any]]]],
    count: Optional[int],
    offset: Optional[int],
) -> Dict[str, Any]:
    request: Dict[str, Any] = {"op": "get", "collection": collection}
    if where is not None:
        request["where"] = where
    if fields is not None:
        request["fields"] = list(fields)
    if excluded_fields is not None:
        request["excludedFields"] = list(excluded_fields)
    if joins is not None:
        request["joins"] = list(joins)
    if sort is not None:
        request["sort"] = list(sort)
    if count is not None:
        request["count"] = count
    if offset is not None:
        request["offset"] = offset
    return request


def _unwrap(result: Any, member: str) -> Any:
    """``result[member]`` when the engine wrapped a list in an object."""
    if isinstance(result, dict) and member in result:
        return result[member]
    return result


class Collection(_native.Collection):
    """One collection of a :class:`Database`: a map from string keys to JSON documents.

    Get one with ``db.collection("users")`` or ``db["users"]``. Documents are
    plain Python values (dict, list, str, int, float, bool, None); stored
    objects carry the metadata members ``_v``, ``createdAt`` and ``modifiedAt``.
    """

    def __init__(self, database: "Database", name: str) -> None:
        super().__init__()
        self.database = database
        self._bind(database, name)

    def __repr__(self) -> str:
        return f"<kilndb.Collection {self.name!r}>"

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    # get(key) and put(key, doc) are inherited from the native class.

    def _execute(self, request: Dict[str, Any], missing_ok: bool = False) -> Any:
        return self.database.execute(request, missing_ok)

    def set(self, documents: Mapping[str, Any]) -> int:
        """Inserts or replaces whole documents: ``{key: doc, ...}``. Returns how many were stored.

        An existing document is replaced; its ``_v`` goes up by one and
        ``createdAt`` is kept. A document carrying a ``_v`` not newer than the
        stored one raises :class:`ConflictError`, and then nothing is stored.
        """
        result = self._execute({"op": "set", "collection": self.name, "data": _as_dict(documents)})
        return int(result.get("count", 0))

    def insert(self, documents: Iterable[Any]) -> List[str]:
        """Inserts documents under generated (UUIDv7) keys; returns the keys in order."""
        result = self._execute({"op": "set", "collection": self.name, "data": list(documents)})
        return list(result.get("ids", []))

    def get_many(self, keys: Iterable[str]) -> List[Dict[str, Any]]:
        """The documents stored under ``keys`` (each with ``_key``); missing keys are left out."""
        result = self._execute({"op": "get", "collection": self.name, "keys": list(keys)}, True)
        if result is None:
            return []
        return result if isinstance(result, list) else [result]

    def update(self, patches: Mapping[str, Mapping[str, Any]]) -> int:
        """Merges ``{key: patch}`` into existing documents (shallow); returns how many were updated.

        Missing keys are skipped. A ``_v`` in a patch is a guard: it must equal
        the stored version, else :class:`ConflictError` and nothing changes.
        ``"$unset": ["a", "b.c"]`` in a patch removes those paths.
        """
        result = self._execute({"op": "update", "collection": self.name, "data": _as_dict(patches)})
        return int(result.get("updated", 0))

    def delete(self, key_or_keys: Union[str, Iterable[str]]) -> int:
        """Deletes one key or several; returns how many documents were actually deleted."""
        result = self._execute({"op": "delete", "collection": self.name, "keys": _keys_arg(key_or_keys)})
        return int(result.get("deleted", 0))

    def delete_where(self, where: Where) -> int:
        """Deletes the documents matching ``where``; returns how many were deleted."""
        result = self._execute({"op": "delete", "collection": self.name, "where": where}, True)
        return 0 if result is None else int(result.get("deleted", 0))

    def drop(self) -> None:
        """Deletes the whole collection."""
        self._execute({"op": "delete", "collection": self.name, "drop": True})

    def find(
        self,
        where: Optional[Where] = None,
        *,
        fields: Optional[Sequence[str]] = None,
        excluded_fields: Optional[Sequence[str]] = None,
        joins: Optional[Sequence[Mapping[str, Any]]] = None,
        sort: Optional[Sequence[Union[str, Mapping[str, Any]]]] = None,
        count: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> List[Dict[str, Any]]:
        """Queries the collection; returns the matching documents (each with ``_key``), ``[]`` if none.

        Args:
            where: conditions, e.g. ``{"age": {"$gt": 30}, "city": "Paris"}``.
            fields: only these dot-paths (``_key`` and ``_v`` are always kept).
            excluded_fields: every path but these (not together with ``fields``).
            joins: ``[{alias: {"from": coll, "on": path, "fields": [...]}}]``.
            sort: ``[{"field": path, "order": "asc" | "desc"}]`` or bare paths.
            count: at most this many results (after ``offset``).
            offset: skip this many results first.
        """
        request = _query(self.name, where, fields, excluded_fields, joins, sort, count, offset)
        result = self._execute(request, True)
        if result is None:
            return []
        return result if isinstance(result, list) else [result]

    def find_one(self, where: Optional[Where] = None, **kwargs: Any) -> Optional[Dict[str, Any]]:
        """The first document :meth:`find` would return, or None."""
        kwargs["count"] = 1
        found = self.find(where, **kwargs)
        return found[0] if found else None

    def count(self, where: Optional[Where] = None) -> int:
        """How many documents match ``where`` (all of them when None)."""
        return len(self.find(where, fields=["_v"]))

    def aggregate(
        self,
        metrics: Mapping[str, Mapping[str, str]],
        *,
        where: Optional[Where] = None,
        group_by: Optional[str] = None,
    ) -> Any:
        """Computes metrics, e.g. ``{"n": {"$count": "_key"}, "avg_age": {"$avg": "age"}}``.

        ``group_by`` is a dot-path; the result is the engine's aggregate
        response (one row per group).
        """
        request: Dict[str, Any] = {"op": "aggregate", "collection": self.name, "metrics": _as_dict(metrics)}
        if where is not None:
            request["where"] = where
        if group_by is not None:
            request["groupBy"] = group_by
        result = self._execute(request, True)
        return [] if result is None else result

    def create_index(self, field: str, unique: bool = False) -> None:
        """Creates a secondary index on the dot-path ``field`` (``unique`` rejects duplicates)."""
        self._execute({"op": "index", "collection": self.name, "field": field, "unique": bool(unique)})

    def drop_index(self, field: str) -> None:
        """Removes the index on ``field``."""
        self._execute({"op": "drop_index", "collection": self.name, "field": field})

    def indexes(self) -> List[Any]:
        """The index definitions of this collection."""
        result = self._execute({"op": "indexes", "collection": self.name}, True)
        if result is None:
            return []
        indexes: List[Any] = _unwrap(result, "indexes")
        return indexes

    def set_schema(self, schema: Optional[Mapping[str, Any]]) -> None:
        """Sets the JSON Schema every later write to this collection must satisfy."""
        self._execute({"op": "schema", "collection": self.name, "schema": schema})


class BatchCollection:
    """The write methods of a collection, recorded into a :class:`Batch` instead of run."""

    def __init__(self, batch: "Batch", name: str) -> None:
        self._batch = batch
        self.name = name

    def __repr__(self) -> str:
        return f"<kilndb.BatchCollection {self.name!r}>"

    def set(self, documents: Mapping[str, Any]) -> None:
        """Records a set (insert or replace whole documents)."""
        self._batch.add({"op": "set", "collection": self.name, "data": _as_dict(documents)})

    def insert(self, documents: Iterable[Any]) -> None:
        """Generated keys are in ``batch.result`` after the commit."""
        self._batch.add({"op": "set", "collection": self.name, "data": list(documents)})

    def update(self, patches: Mapping[str, Mapping[str, Any]]) -> None:
        """Records an update (shallow merge, with optional _v guards)."""
        self._batch.add({"op": "update", "collection": self.name, "data": _as_dict(patches)})

    def delete(self, key_or_keys: Union[str, Iterable[str]]) -> None:
        """Records a delete of one key or several."""
        self._batch.add({"op": "delete", "collection": self.name, "keys": _keys_arg(key_or_keys)})

    def delete_where(self, where: Where) -> None:
        """Records a delete of the documents matching where."""
        self._batch.add({"op": "delete", "collection": self.name, "where": where})

    def drop(self) -> None:
        """Records dropping the whole collection."""
        self._batch.add({"op": "delete", "collection": self.name, "drop": True})


class Batch:
    """Writes collected and committed atomically as one ``{"op": "batch"}`` request.

    Use it as a context manager::

        with db.batch() as b:
            b["users"].set({"u1": {"name": "Ada"}})
            b["users"].update({"u2": {"_v": 3, "age": 40}})   # a _v guard: OCC
        # committed here; if the block raised, nothing was sent

    Either every write applies or none does (a failing write, e.g. a
    ``_v`` conflict, raises from the commit and nothing changes). Reads
    inside the block see the database as it is, not the pending writes.
    """

    def __init__(self, database: "Database") -> None:
        self.database = database
        self.ops: List[Dict[str, Any]] = []
        self.result: Any = None
        self._finished = False

    def __repr__(self) -> str:
        return f"<kilndb.Batch {len(self.ops)} ops>"

    def __len__(self) -> int:
        return len(self.ops)

    def add(self, request: Mapping[str, Any]) -> None:
        """Records any write request (``set``, ``update``, ``delete``)."""
        if self._finished:
            raise RuntimeError("this batch was already committed or discarded")
        self.ops.append(_as_dict(request))

    def collection(self, name: str) -> BatchCollection:
        """The write methods of collection ``name``, recording into this batch (also ``batch[name]``)."""
        return BatchCollection(self, name)

    __getitem__ = collection

    def commit(self) -> Any:
        """Sends the recorded writes as one atomic request; returns the engine's response."""
        if self._finished:
            raise RuntimeError("this batch was already committed or discarded")
        self._finished = True
        if self.ops:
            self.result = self.database.execute({"op": "batch", "ops": self.ops})
        return self.result

    def discard(self) -> None:
        """Forgets the recorded writes; nothing is sent."""
        self._finished = True
        self.ops = []

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._finished:
            return
        if exc_type is None:
            self.commit()
        else:
            self.discard()


class ChangeEvent(NamedTuple):
    """One committed change, as a subscription callback receives it.

    The same members as the entries of :meth:`Database.changes`.
    """

    #: The collection written to.
    collection: str
    #: The document's key; ``"*"`` when the whole collection was dropped.
    key: str
    #: The document's new ``_v`` (0 for a non-object document), or None for a delete or a drop.
    new_v: Optional[int]
    #: The log sequence number of the write (the writes of one batch share it).
    lsn: int

    @property
    def deleted(self) -> bool:
        """True for a delete or a drop."""
        return self.new_v is None

    @property
    def dropped(self) -> bool:
        """True when the whole collection was dropped."""
        return self.new_v is None and self.key == "*"


_native._set_event_type(ChangeEvent)
# Ends every subscription before the interpreter finalizes: after that, the
# engine's delivery thread could no longer take the GIL.
atexit.register(_native._shutdown)


class Subscription(_native.Subscription):
    """A live subscription to committed changes; see :meth:`Database.subscribe`.

    It ends with :meth:`cancel`, at the end of a ``with`` block, or when the
    database closes. Dropping the object does not end it.
    """

    def __init__(
        self,
        database: "Database",
        callback: Callable[[ChangeEvent], Any],
        collection: Optional[str] = None,
    ) -> None:
        super().__init__()
        self.database = database
        self.callback = callback
        self.collection = collection
        self._start(database, callback, collection)

    def __repr__(self) -> str:
        state = "active" if self.active else "cancelled"
        what = "all collections" if self.collection is None else repr(self.collection)
        return f"<kilndb.Subscription {what} {state}>"

    # cancel() and the `active` property are inherited from the native class.

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.cancel()


class Database(_native.Database):
    """An open kilndb database. Create it with :func:`kilndb.open`.

    Safe to share between threads; every engine call runs without the GIL.
    Use it as a context manager, or call :meth:`close`. After ``close()``
    every call raises :class:`ClosedError`.
    """

    def __init__(self, path: Optional[str] = None, options: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__()
        self.path = path
        self._open(path, None if options is None else _as_dict(options))

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        where = "memory" if self.path is None else repr(self.path)
        return f"<kilndb.Database {where} {state}>"

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.close()

    def collection(self, name: str) -> Collection:
        """The collection called ``name`` (created by its first write).

        Collection objects are cheap views; the database keeps no reference
        to them, so dropping the last reference to an unclosed database
        closes it.
        """
        return Collection(self, name)

    __getitem__ = collection

    def batch(self) -> Batch:
        """A :class:`Batch`: writes recorded in the ``with`` block commit atomically at its end."""
        return Batch(self)

    def subscribe(
        self,
        callback: Callable[[ChangeEvent], Any],
        collection: Union[str, "Collection", None] = None,
    ) -> Subscription:
        """Calls ``callback(event)`` for every change committed from now on.

        ``event`` is a :class:`ChangeEvent` ``(collection, key, new_v, lsn)``;
        ``new_v`` is None for deletes, and a dropped collection gives one
        event with key ``"*"``. ``collection`` (a name or a :class:`Collection`)
        limits the events to that collection.

        Callbacks run on the engine's delivery thread (one per database), with
        the GIL held, one at a time, in LSN order, after the write committed
        (in sync mode: is on disk). A callback should be quick; it may read
        and write the database. An exception in a callback is reported
        through :func:`sys.unraisablehook` and delivery goes on.

        Use the result as a context manager, or call its ``cancel()``; closing
        the database ends its subscriptions after delivering what was
        committed. Changes made before the call are not delivered (read them
        with :meth:`changes`).
        """
        if isinstance(collection, _native.Collection):
            collection = collection.name
        return Subscription(self, callback, collection)

    def changes(self, since: int = 0) -> Any:
        """Committed changes with an LSN greater than ``since`` (``{collection, key, new_v, lsn}`` each)."""
        result = self.execute({"op": "changes", "since": since}, True)
        if result is None:
            return []
        return _unwrap(result, "changes")

    def snapshot(self) -> Any:
        """Writes a snapshot of the whole database now; returns the engine's response."""
        return self.execute({"op": "snapshot"})

    def stats(self) -> Dict[str, Any]:
        """Engine statistics (collections, documents, WAL, ...)."""
        stats: Dict[str, Any] = self.execute({"op": "stats"})
        return stats


def verify(path: Union[str, "os.PathLike[str]"]) -> Dict[str, Any]:
    """Checks every checksum of every file of the database directory at ``path``.

    Reads only (works while another process has the database open). Returns
    the report ``{"ok": bool, "files": [{"file", "kind", "ok", "detail"}, ...],
    "problems": [...], "warnings": [...]}``; ``ok`` is False when anything is
    damaged (a torn tail left by a crash is only a warning).

    Raises:
        KilnError: the check could not run (e.g. no such directory).
    """
    report: Dict[str, Any] = _native.verify(os.fsdecode(os.fspath(path)))
    return report


def open(path: Union[str, "os.PathLike[str]", None] = None, *, mode: Optional[str] = None, **options: Any) -> Database:
    """Opens (creating if missing) a database and returns a :class:`Database`.

    Args:
        path: a directory, or None for an in-memory database.
        mode: ``"sync"`` (every commit is on disk when it returns; the
            default with a path), ``"async"`` (flushed in the background) or
            ``"memory"`` (no files; the default without a path).
        **options: further engine options, e.g. ``max_depth``,
            ``max_request_bytes``, ``max_keys``. Unknown names raise
            :class:`InvalidArgumentError`.

    Raises:
        LockedError: another process has the database open.
        CorruptionError, StorageError: the files cannot be read.
    """
    if mode is not None:
        options["mode"] = mode
    fs_path = None if path is None else os.fsdecode(os.fspath(path))
    return Database(fs_path, options or None)
