/*
 * kiln.h — the public C API of kilndb, an embedded JSON document database.
 *
 * This header is the whole contract between the engine and every program or
 * language binding that uses it. It is pure C (C99), and it only ever grows:
 * functions and constants are added, never changed or removed, within one
 * KILN_ABI_VERSION.
 *
 * Read these caveats before the first function:
 *
 *  - Threads. One kiln_db may be used from any number of threads at once.
 *    Reads run in parallel; writes are serialized inside the engine.
 *    kiln_close() waits for calls still running on other threads, then frees
 *    the handle: no call may START on a handle once kiln_close() was called.
 *
 *  - Memory. Every buffer the library returns through a `char **out_*`
 *    parameter is owned by the caller and must be released with kiln_free().
 *    Every kiln_error is owned by the caller and released with
 *    kiln_error_free(). Strings returned as `const char *` (status names,
 *    version) are static and must not be freed.
 *
 *  - Text. Requests, documents and results are UTF-8 JSON passed as pointer +
 *    length; they need not be NUL-terminated. Returned JSON is NUL-terminated
 *    as a convenience (the terminator is not counted in *out_len).
 *
 *  - Errors. Every function that can fail returns a kiln_status (0 = KILN_OK).
 *    Details come through an optional `kiln_error **out_err`: pass NULL when
 *    you only want the code. On failure nothing of the request was applied.
 *    KILN_NOT_FOUND is an outcome, not a failure.
 *
 *  - Requests follow MoltenDB's JSON bodies plus an "op" member; see
 *    QUERY.md in the source tree for the full language.
 */
#ifndef KILN_H
#define KILN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Build and link macros ------------------------------------------- */

#if defined(_WIN32) && defined(KILN_SHARED)
#  ifdef KILN_BUILDING
#    define KILN_EXPORT __declspec(dllexport)
#  else
#    define KILN_EXPORT __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define KILN_EXPORT __attribute__((visibility("default")))
#else
#  define KILN_EXPORT
#endif

/* Marks results a caller should not ignore (the status code). */
#if defined(__GNUC__) || defined(__clang__)
#  define KILN_NODISCARD __attribute__((warn_unused_result))
#else
#  define KILN_NODISCARD
#endif

/* Nullability hints for Swift and clang; empty elsewhere. */
#if defined(__clang__) && defined(__has_feature)
#  if __has_feature(nullability)
#    define KILN_NULLABLE _Nullable
#    define KILN_NONNULL _Nonnull
#  endif
#endif
#ifndef KILN_NULLABLE
#  define KILN_NULLABLE
#  define KILN_NONNULL
#endif

/* ---- Versions --------------------------------------------------------- */

#define KILN_VERSION_MAJOR 0
#define KILN_VERSION_MINOR 1
#define KILN_VERSION_PATCH 0
#define KILN_VERSION_STRING "0.1.0"
/* major * 1000000 + minor * 1000 + patch */
#define KILN_VERSION_NUMBER 1000
/* Bumped only if an existing declaration ever had to change (never, we hope).
 * Equals the SOVERSION of libkiln.so. */
#define KILN_ABI_VERSION 1

/* The version of the library actually linked, e.g. "0.1.0". Bindings compare
 * it with the header they were built against. */
KILN_EXPORT const char *KILN_NONNULL kiln_version(void);
KILN_EXPORT int32_t kiln_version_number(void);
KILN_EXPORT int32_t kiln_abi_version(void);

/* The version of the binary document encoding kiln_get_encoded() hands out
 * (docs/document_format.md). It goes up by one whenever a tag is added; tags
 * are never changed or removed, so a decoder written for version N reads
 * everything a library of version <= N produces. The macro is the version
 * this header documents, the function the one of the library linked. */
#define KILN_ENCODING_VERSION 1
KILN_EXPORT int32_t kiln_encoding_version(void);

/* ---- Status codes ------------------------------------------------------ */
/* int32_t, grouped in bands:
 *     0       success
 *     1 ..  9 outcomes that are not failures
 *    10 .. 19 the caller's request is wrong (nothing was applied)
 *    20 .. 29 the database is in a state that refuses the call
 *    30 .. 39 storage failures
 *    40 .. 49 engine failures
 * The MoltenDB HTTP equivalent is given in brackets. */
typedef int32_t kiln_status;

#define KILN_OK                0  /* [200] */
#define KILN_NOT_FOUND         1  /* [404] no such document / no match */
#define KILN_INVALID_ARGUMENT 10  /* [400] malformed JSON, bad name, limit, bad query */
#define KILN_CONFLICT         11  /* [409] version (_v) or unique conflict */
#define KILN_LOCKED           20  /* [423] another process holds the database */
#define KILN_CLOSED           21  /* [503] the database was closed */
#define KILN_READ_ONLY        22  /* [403] write to a read-only database */
#define KILN_IO_ERROR         30  /* [500] a file operation failed */
#define KILN_CORRUPTION       31  /* [500] a checksum or format check failed */
#define KILN_NO_SPACE         32  /* [507] the disk is full */
#define KILN_INTERNAL         40  /* [500] a bug; please report it */
#define KILN_NO_MEMORY        41  /* [500] allocation failed */

/* A short English description, e.g. "conflict". Never NULL. */
KILN_EXPORT const char *KILN_NONNULL kiln_status_str(int32_t status);
/* The constant's name, e.g. "KILN_CONFLICT" ("KILN_UNKNOWN" if not a status).
 * Bindings use it as their error code string. */
KILN_EXPORT const char *KILN_NONNULL kiln_status_name(int32_t status);
/* The MoltenDB HTTP status for a kiln status (200, 400, 404, 409, ...). */
KILN_EXPORT int32_t kiln_status_http(int32_t status);

/* ---- Errors ------------------------------------------------------------- */

typedef struct kiln_error kiln_error;

/* The status this error carries. kiln_error_code(NULL) is KILN_OK. */
KILN_EXPORT int32_t kiln_error_code(const kiln_error *KILN_NULLABLE err);
/* The message, naming what is wrong (MoltenDB wording where one exists).
 * Valid until kiln_error_free(). kiln_error_message(NULL) is "". */
KILN_EXPORT const char *KILN_NONNULL kiln_error_message(const kiln_error *KILN_NULLABLE err);
/* Frees the error. NULL is a no-op. */
KILN_EXPORT void kiln_error_free(kiln_error *KILN_NULLABLE err);

/* ---- Memory ------------------------------------------------------------- */

/* Releases a buffer returned by this library. NULL is a no-op. */
KILN_EXPORT void kiln_free(void *KILN_NULLABLE ptr);

/* ---- Opening and closing ------------------------------------------------ */

typedef struct kiln_db kiln_db;

/*
 * Opens (creating if missing) the database at `path`.
 *
 * options_json: NULL or a JSON object (NUL-terminated). Members:
 *   "mode": "memory" | "sync" | "async"
 *           default: "sync" when path is given, "memory" when path is NULL.
 *           path may be NULL only in memory mode.
 *   "max_depth": JSON nesting limit (root = 0), default 32.
 *   "max_request_bytes": request size limit, default 10 MiB.
 *   "max_keys": keys per request, default 1000.
 *   Durability (see docs/durability.md for what each mode guarantees):
 *   "read_only": true opens an existing database without writing anything
 *           (shared lock; writes return KILN_READ_ONLY), default false.
 *   "flush_interval_ms": async mode's background fsync period, default 50.
 *   "async_max_pending_bytes": async mode: unsynced log bytes after which
 *           writers wait for a flush (backpressure), default 16 MiB.
 *   "segment_bytes": log segment size, default 64 MiB.
 *   "wal_preallocate_bytes": how far ahead of its last record the current
 *           log segment is preallocated, so that a commit's fdatasync has no
 *           file size to update (0 = never), default 1 MiB.
 *   "compaction_ratio": snapshot automatically when the log outgrows this
 *           multiple of the documents' size in RAM (0 = never), default 2.
 *   "compaction_min_bytes": ... but not before the log has this many
 *           bytes, default 4 MiB.
 *   "backups_kept": previous snapshots kept in backup/, default 2.
 *   "wal_retention": "delete" | "archive" (move covered log segments to
 *           archive/), default "delete".
 *   "change_retention": change events kept for {"op":"changes"}, default 10000.
 * Unknown members are INVALID_ARGUMENT (a typo must not be silently ignored).
 * Options are copied; the string may be freed after the call.
 *
 * A database directory is used by one process at a time: a second process
 * gets KILN_LOCKED, and so does a second kiln_open of the same directory in
 * the same process (share the first handle instead). A damaged file gives
 * KILN_CORRUPTION naming the file and offset; nothing is repaired or skipped
 * silently.
 *
 * On success *out_db receives the handle; on failure it is set to NULL.
 */
KILN_EXPORT KILN_NODISCARD int32_t kiln_open(const char *KILN_NULLABLE path,
                                             const char *KILN_NULLABLE options_json,
                                             kiln_db *KILN_NULLABLE *KILN_NONNULL out_db,
                                             kiln_error *KILN_NULLABLE *KILN_NULLABLE out_err);

/* Closes the database and frees the handle after calls running on other
 * threads finish. NULL is a no-op. Returns KILN_OK, or the first error met
 * while flushing (the handle is freed either way). */
KILN_EXPORT int32_t kiln_close(kiln_db *KILN_NULLABLE db);

/* ---- Requests ----------------------------------------------------------- */

/*
 * Runs one request: a JSON object with "op" ("set", "update", "delete",
 * "get", "batch", ...) and the MoltenDB body, e.g.
 *   {"op":"set","collection":"users","data":{"u1":{"name":"Ada"}}}
 * On KILN_OK, *out_json / *out_len receive the response body (e.g.
 * {"status":"ok","count":1}); free it with kiln_free(). On any other status
 * they are set to NULL / 0, and *out_err (if out_err is not NULL) receives
 * the error, including for KILN_NOT_FOUND ("No documents found").
 * out_len may be NULL.
 */
KILN_EXPORT KILN_NODISCARD int32_t kiln_execute(kiln_db *KILN_NONNULL db,
                                                const char *KILN_NONNULL request, size_t request_len,
                                                char *KILN_NULLABLE *KILN_NONNULL out_json,
                                                size_t *KILN_NULLABLE out_len,
                                                kiln_error *KILN_NULLABLE *KILN_NULLABLE out_err);

/*
 * Hot path: the document stored at (collection, key) as JSON, exactly as
 * {"op":"get","collection":c,"keys":k} returns it (no "_key").
 * Returns KILN_NOT_FOUND without allocating an error when the key is absent.
 */
KILN_EXPORT KILN_NODISCARD int32_t kiln_get(kiln_db *KILN_NONNULL db,
                                            const char *KILN_NONNULL collection, size_t collection_len,
                                            const char *KILN_NONNULL key, size_t key_len,
                                            char *KILN_NULLABLE *KILN_NONNULL out_json,
                                            size_t *KILN_NULLABLE out_len,
                                            kiln_error *KILN_NULLABLE *KILN_NULLABLE out_err);

/*
 * Hot path for bindings: the same document as kiln_get, handed out in
 * kilndb's binary document encoding instead of JSON text, so a binding can
 * build its own objects from it without the engine writing JSON and the
 * binding parsing it. The format is public and versioned:
 * docs/document_format.md describes every tag of each encoding version.
 * *out_doc / *out_len receive one encoded value (the bytes the engine
 * stores; free with kiln_free()); a decoder must reject a tag it does not
 * know, and should compare kiln_encoding_version() with the version it was
 * written for when it loads. Statuses, NOT_FOUND and out_len as kiln_get.
 */
KILN_EXPORT KILN_NODISCARD int32_t kiln_get_encoded(kiln_db *KILN_NONNULL db,
                                                    const char *KILN_NONNULL collection, size_t collection_len,
                                                    const char *KILN_NONNULL key, size_t key_len,
                                                    char *KILN_NULLABLE *KILN_NONNULL out_doc,
                                                    size_t *KILN_NULLABLE out_len,
                                                    kiln_error *KILN_NULLABLE *KILN_NULLABLE out_err);

/*
 * Hot path: stores one document, with the rules of "set" (metadata, _v
 * check, schema). *out_version (may be NULL) receives the stored _v,
 * or 0 when the document is not an object (stored without metadata).
 */
KILN_EXPORT KILN_NODISCARD int32_t kiln_put(kiln_db *KILN_NONNULL db,
                                            const char *KILN_NONNULL collection, size_t collection_len,
                                            const char *KILN_NONNULL key, size_t key_len,
                                            const char *KILN_NONNULL doc_json, size_t doc_len,
                                            uint64_t *KILN_NULLABLE out_version,
                                            kiln_error *KILN_NULLABLE *KILN_NULLABLE out_err);

/* ---- Durability --------------------------------------------------------- */

/*
 * Makes every write acknowledged so far durable (fdatasync of the log).
 * Needed only in "async" mode, where writes return before their record is
 * on disk; in "sync" mode it returns at once, in "memory" mode it does
 * nothing. Returns KILN_IO_ERROR / KILN_NO_SPACE if the log has failed (the
 * database then refuses every further write).
 */
KILN_EXPORT KILN_NODISCARD int32_t kiln_flush(kiln_db *KILN_NONNULL db,
                                              kiln_error *KILN_NULLABLE *KILN_NULLABLE out_err);

/*
 * Checks every checksum of every file of the database directory at `path`
 * (snapshot, backups, log segments, archived segments) without opening it
 * for writing. On KILN_OK, *out_json receives the report (free with
 * kiln_free()):
 *   {"files":[{"detail":..,"file":..,"kind":..,"ok":bool},...],"ok":bool,
 *    "problems":["..."],"warnings":["..."]}
 * "ok" is false when anything is damaged; a torn tail (the unfinished last
 * write of a crash, which the next open cuts) is only a warning. Returns an
 * error status only when the check could not run (e.g. no such directory).
 */
KILN_EXPORT KILN_NODISCARD int32_t kiln_verify(const char *KILN_NONNULL path,
                                               char *KILN_NULLABLE *KILN_NONNULL out_json,
                                               size_t *KILN_NULLABLE out_len,
                                               kiln_error *KILN_NULLABLE *KILN_NULLABLE out_err);

/* ---- Change feed -------------------------------------------------------- */

typedef struct kiln_subscription kiln_subscription;

/* new_v passed for a delete or a collection drop. */
#define KILN_CHANGE_DELETED (-1)

/*
 * Called once per committed change: `collection` and `key` (key "*" when the
 * collection was dropped; both NUL-terminated, valid only during the call),
 * the document's new _v (0 for non-object documents, KILN_CHANGE_DELETED for
 * deletes and drops) and the LSN of the write. Calls come on one
 * engine-owned thread, in LSN order, after the write is committed (in sync
 * mode: durable), never while an engine lock is held. A callback should be
 * quick; it may read the database, but must not call kiln_close().
 */
typedef void (*kiln_change_fn)(void *KILN_NULLABLE user_data, const char *KILN_NONNULL collection,
                               size_t collection_len, const char *KILN_NONNULL key, size_t key_len,
                               int64_t new_v, uint64_t lsn);
/* Releases user_data once no callback can run any more. */
typedef void (*kiln_destroy_fn)(void *KILN_NULLABLE user_data);

/*
 * Subscribes to the changes of one collection (collection = NULL: every
 * collection). On KILN_OK *out_sub receives the token; pass it to
 * kiln_unsubscribe() exactly once, before or after kiln_close() of the
 * database. On failure destroy is not called and *out_sub is NULL.
 * Changes committed before the call are not delivered (pull them with
 * {"op":"changes","since":lsn}).
 */
KILN_EXPORT KILN_NODISCARD int32_t kiln_subscribe(kiln_db *KILN_NONNULL db,
                                                  const char *KILN_NULLABLE collection, size_t collection_len,
                                                  kiln_change_fn KILN_NONNULL callback,
                                                  void *KILN_NULLABLE user_data,
                                                  kiln_destroy_fn KILN_NULLABLE destroy,
                                                  kiln_subscription *KILN_NULLABLE *KILN_NONNULL out_sub,
                                                  kiln_error *KILN_NULLABLE *KILN_NULLABLE out_err);

/*
 * Ends a subscription: no callback starts after it returns, a callback in
 * flight on the delivery thread has finished, and destroy(user_data) has
 * run. Safe from inside the subscription's own callback (destroy then runs
 * when that callback returns). NULL is a no-op.
 */
KILN_EXPORT void kiln_unsubscribe(kiln_subscription *KILN_NULLABLE sub);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_H */
