/* Compiles kiln.h as C99 and calls every function of the C API, the way an
 * outside C program linked with libkiln.so would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln.h"

static int passed = 0, failed = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (cond) {                                                       \
      ++passed;                                                       \
    } else {                                                          \
      ++failed;                                                       \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                 \
  } while (0)

/* Runs a request; returns its status, copies body or message into out. */
static int32_t exec(kiln_db *db, const char *request, char *out, size_t out_size) {
  char *json = NULL;
  size_t len = 0;
  kiln_error *err = NULL;
  int32_t status = kiln_execute(db, request, strlen(request), &json, &len, &err);
  const char *text = status == KILN_OK ? json : kiln_error_message(err);
  snprintf(out, out_size, "%s", text ? text : "");
  if (status == KILN_OK) CHECK(json != NULL && strlen(json) == len);
  if (status != KILN_OK) CHECK(json == NULL && len == 0 && kiln_error_code(err) == status);
  kiln_free(json);
  kiln_error_free(err);
  return status;
}

static void test_versions_and_statuses(void) {
  CHECK(strcmp(kiln_version(), KILN_VERSION_STRING) == 0);
  CHECK(kiln_version_number() == KILN_VERSION_NUMBER);
  CHECK(kiln_abi_version() == KILN_ABI_VERSION);
  CHECK(kiln_encoding_version() == KILN_ENCODING_VERSION);
  CHECK(strcmp(kiln_status_name(KILN_CONFLICT), "KILN_CONFLICT") == 0);
  CHECK(strcmp(kiln_status_name(12345), "KILN_UNKNOWN") == 0);
  CHECK(strcmp(kiln_status_str(KILN_OK), "ok") == 0);
  CHECK(strcmp(kiln_status_str(-7), "unknown status") == 0);
  CHECK(kiln_status_http(KILN_NOT_FOUND) == 404);
  CHECK(kiln_status_http(KILN_INVALID_ARGUMENT) == 400);
  CHECK(kiln_status_http(KILN_CONFLICT) == 409);
  CHECK(kiln_error_code(NULL) == KILN_OK);
  CHECK(strcmp(kiln_error_message(NULL), "") == 0);
  kiln_error_free(NULL);
  kiln_free(NULL);
  CHECK(kiln_close(NULL) == KILN_OK);
}

static void test_open_errors(void) {
  kiln_db *db = (kiln_db *)1;
  kiln_error *err = NULL;
  CHECK(kiln_open(NULL, "{\"mode\":\"fast\"}", &db, &err) == KILN_INVALID_ARGUMENT);
  CHECK(db == NULL);
  CHECK(strstr(kiln_error_message(err), "mode") != NULL);
  kiln_error_free(err);
  CHECK(kiln_open(NULL, "{\"colour\":1}", &db, NULL) == KILN_INVALID_ARGUMENT);
  CHECK(kiln_open(NULL, "not json", &db, NULL) == KILN_INVALID_ARGUMENT);
  CHECK(kiln_open(NULL, NULL, NULL, NULL) == KILN_INVALID_ARGUMENT);
}

static void test_requests(void) {
  kiln_db *db = NULL;
  char out[4096];
  CHECK(kiln_open(NULL, "{\"mode\":\"memory\"}", &db, NULL) == KILN_OK);
  CHECK(db != NULL);

  CHECK(exec(db, "{\"op\":\"set\",\"collection\":\"users\",\"data\":{\"u1\":{\"name\":\"Ada\",\"age\":36}}}", out,
             sizeof out) == KILN_OK);
  CHECK(strcmp(out, "{\"count\":1,\"status\":\"ok\"}") == 0);
  CHECK(exec(db, "{\"op\":\"get\",\"collection\":\"users\",\"keys\":\"u1\"}", out, sizeof out) == KILN_OK);
  CHECK(strstr(out, "\"name\":\"Ada\"") != NULL && strstr(out, "\"_v\":1") != NULL);
  CHECK(exec(db, "{\"op\":\"update\",\"collection\":\"users\",\"data\":{\"u1\":{\"_v\":7,\"age\":1}}}", out,
             sizeof out) == KILN_CONFLICT);
  CHECK(strcmp(out, "Conflict: Document version is outdated") == 0);
  CHECK(exec(db, "{\"op\":\"get\",\"collection\":\"users\",\"keys\":\"nobody\"}", out, sizeof out) ==
        KILN_NOT_FOUND);
  CHECK(strcmp(out, "No documents found") == 0);
  CHECK(exec(db, "{\"op\":\"set\",\"collection\":\"admin\",\"data\":{}}", out, sizeof out) ==
        KILN_INVALID_ARGUMENT);
  CHECK(exec(db, "{\"op\":", out, sizeof out) == KILN_INVALID_ARGUMENT);
  CHECK(exec(db, "{\"op\":\"delete\",\"collection\":\"users\",\"keys\":[\"u1\"]}", out, sizeof out) == KILN_OK);
  CHECK(strcmp(out, "{\"deleted\":1,\"status\":\"ok\"}") == 0);

  /* out_err may be NULL; out_len may be NULL. */
  char *json = (char *)1;
  CHECK(kiln_execute(db, "{\"op\":\"get\"}", 12, &json, NULL, NULL) == KILN_NOT_FOUND);
  CHECK(json == NULL);
  /* Not NUL-terminated input: only request_len bytes are read. */
  const char padded[] = "{\"op\":\"get\",\"collection\":\"users\"}GARBAGE";
  CHECK(kiln_execute(db, padded, sizeof padded - 8, &json, NULL, NULL) == KILN_NOT_FOUND);

  /* Hot paths. */
  uint64_t version = 99;
  kiln_error *err = NULL;
  CHECK(kiln_put(db, "users", 5, "u2", 2, "{\"name\":\"Bob\"}", 14, &version, &err) == KILN_OK);
  CHECK(version == 1);
  CHECK(kiln_put(db, "users", 5, "u2", 2, "{\"name\":\"Bob\"}", 14, &version, NULL) == KILN_OK);
  CHECK(version == 2);
  CHECK(kiln_put(db, "users", 5, "u2", 2, "{\"_v\":1}", 8, &version, &err) == KILN_CONFLICT);
  kiln_error_free(err);
  CHECK(kiln_put(db, "users", 5, "bad key", 7, "{}", 2, NULL, NULL) == KILN_INVALID_ARGUMENT);
  size_t len = 0;
  CHECK(kiln_get(db, "users", 5, "u2", 2, &json, &len, NULL) == KILN_OK);
  CHECK(json != NULL && strstr(json, "\"_v\":2") != NULL && len == strlen(json));
  kiln_free(json);
  err = (kiln_error *)1;
  CHECK(kiln_get(db, "users", 5, "zz", 2, &json, &len, &err) == KILN_NOT_FOUND);
  CHECK(json == NULL && err == NULL);
  CHECK(kiln_get(db, "users", 5, NULL, 0, &json, &len, NULL) == KILN_INVALID_ARGUMENT);

  /* The same document in the binary encoding: a small object (tag 0x0a, u8 offsets). */
  CHECK(kiln_get_encoded(db, "users", 5, "u2", 2, &json, &len, &err) == KILN_OK);
  CHECK(json != NULL && len > 0 && (unsigned char)json[0] == 0x0a && err == NULL);
  kiln_free(json);
  err = (kiln_error *)1;
  CHECK(kiln_get_encoded(db, "users", 5, "zz", 2, &json, &len, &err) == KILN_NOT_FOUND);
  CHECK(json == NULL && len == 0 && err == NULL);
  CHECK(kiln_get_encoded(db, "users", 5, "bad key", 7, &json, &len, &err) == KILN_INVALID_ARGUMENT);
  CHECK(json == NULL && strstr(kiln_error_message(err), "key") != NULL);
  kiln_error_free(err);

  CHECK(kiln_close(db) == KILN_OK);
}

int main(void) {
  test_versions_and_statuses();
  test_open_errors();
  test_requests();
  printf("capi_test: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
