/*
 * Test support for the C tests of libaether: a tiny test runner, the emulator's coordinates
 * (from the environment, set by scripts/test.d/40-c.sh, which starts aether-mock on port 0),
 * a minimal HTTP/1.1 client over loopback for the emulator's admin API and its hosted
 * connect page, and a webhook receiver (a minimal HTTP/1.1 server on 127.0.0.1, port 0) for
 * the emulator's signed deliveries. Not part of the library.
 */
#ifndef AETHER_TEST_SUPPORT_H
#define AETHER_TEST_SUPPORT_H

#include <stddef.h>
#include <stdio.h>

#include "aether.h"

/* ---- runner ---------------------------------------------------------------------------- */

/** Records a failed check of the current test (prints where and what). */
void test_fail(const char *file, int line, const char *what, const char *detail);

/** Whether the current test has failed. */
int test_failed(void);

/** Starts a new test: clears the failed flag. */
void test_reset_failed(void);

/** Fails and returns from the test when `cond` is false. */
#define CHECK(cond)                                                                              \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      test_fail(__FILE__, __LINE__, #cond, NULL);                                                \
      return;                                                                                    \
    }                                                                                            \
  } while (0)

/** Compares two C strings (either may be NULL). */
int str_eq(const char *a, const char *b);

/** Whether `haystack` contains `needle` (NULL-safe). */
int str_has(const char *haystack, const char *needle);

#define CHECK_STR(actual, expected)                                                              \
  do {                                                                                           \
    const char *actual_ = (actual);                                                              \
    if (!str_eq(actual_, (expected))) {                                                          \
      test_fail(__FILE__, __LINE__, #actual " == " #expected, actual_ ? actual_ : "(NULL)");     \
      return;                                                                                    \
    }                                                                                            \
  } while (0)

/**
 * Runs `call` (whose last argument is `&err`) and fails the test, printing the error, when it
 * does not return `expected`. `err` must be an `aether_error *` variable that is NULL before.
 * On a status other than AETHER_OK the error stays in `err` for the test to inspect and free.
 */
#define CHECK_STATUS(call, err, expected)                                                        \
  do {                                                                                           \
    aether_status status_ = (call);                                                              \
    if (status_ != (expected)) {                                                                 \
      char detail_[512];                                                                         \
      snprintf(detail_, sizeof detail_, "status %s, expected %s: %s",                            \
               aether_error_code_str((int)status_), aether_error_code_str((int)(expected)),      \
               (err) ? aether_error_message(err) : "(no error object)");                         \
      test_fail(__FILE__, __LINE__, #call, detail_);                                             \
      aether_error_free(err);                                                                    \
      (err) = NULL;                                                                              \
      return;                                                                                    \
    }                                                                                            \
  } while (0)

#define CHECK_OK(call, err) CHECK_STATUS(call, err, AETHER_OK)

/* ---- the emulator ---------------------------------------------------------------------- */

/** The emulator's base URL, admin token and API key (AETHER_MOCK_URL, ..._ADMIN_TOKEN, ...). */
const char *mock_url(void);
const char *mock_admin_token(void);
const char *mock_api_key(void);

/** Loads the three from the environment; 0 on success. */
int mock_load(void);

/**
 * Sends one HTTP/1.1 request to an http://127.0.0.1:PORT URL. `bearer` and `body` may be NULL.
 * On success (0) writes the status and, when not NULL, the body (malloc'd, NUL-terminated) and
 * the Location header (malloc'd, or NULL).
 */
int http_request(const char *method, const char *url, const char *bearer, const char *body,
                 int *status, char **out_body, char **out_location);

/** http_request() with a body of `body_len` bytes that may hold NULs (a file). */
int http_send(const char *method, const char *url, const char *bearer, const char *body,
              size_t body_len, int *status, char **out_body, char **out_location);

/**
 * An admin call: `path` under the emulator's URL with the admin token; returns the body
 * (malloc'd; free it) or NULL when the status is not 2xx (the failure is printed).
 */
char *mock_admin(const char *method, const char *path, const char *body);

/** Resets the emulator and applies a settings patch (JSON object or NULL); 0 on success. */
int mock_reset(const char *settings_json);

/** Connects a profile through the admin API (no OAuth) and returns its id (malloc'd). */
char *mock_profile(const char *platform, const char *tier);

/**
 * The inbox, simulated through the admin API: a comment on the profile's post
 * (POST /_mock/profiles/{id}/comments, raises comment.created), a direct message
 * (POST /_mock/profiles/{id}/messages, message.created) and a change to a message
 * (PATCH /_mock/messages/{id}, e.g. {"readAt": "..."}: message.updated). The bodies are JSON
 * objects; each returns the answer's body (malloc'd) or NULL like mock_admin().
 */
char *mock_simulate_comment(const char *profile_id, const char *body_json);
char *mock_simulate_message(const char *profile_id, const char *body_json);
char *mock_update_message(const char *message_id, const char *patch_json);

/** The string value of the first `"name":"..."` in `json` (malloc'd), or NULL. Naive. */
char *json_string(const char *json, const char *name);

/** The integer value of the first `"name":123` in `json`, or `fallback`. Naive. */
long json_long(const char *json, const char *name, long fallback);

/** A client for the emulator with its API key and a fast retry backoff. */
aether_client *mock_client(void);

/** Path of a media fixture (tests/fixtures/media/NAME), in a static buffer. */
const char *fixture(const char *name);

/** Sleeps for `ms` milliseconds. */
void sleep_ms(long ms);

/* ---- the webhook receiver --------------------------------------------------------------- */

/**
 * A webhook receiver: an HTTP/1.1 server on 127.0.0.1 (a port the system picks) whose thread
 * accepts one connection at a time, reads one request (with Content-Length), keeps its head
 * and raw body, and answers 200 with "Connection: close". Any path and method are accepted.
 */
typedef struct receiver receiver;

/** One request the receiver got. Free its strings with receiver_delivery_free(). */
typedef struct {
  /** The request line and headers, CRLF-separated, without the blank line (malloc'd). */
  char *head;
  /** The raw body (malloc'd, NUL-terminated for convenience; may hold NULs: see body_len). */
  char *body;
  /** Bytes in `body`. */
  size_t body_len;
  /** The x-aether-signature header (malloc'd), or NULL when the request had none. */
  char *signature;
} receiver_delivery;

/** Starts a receiver; NULL (and a message on stderr) when it cannot. */
receiver *receiver_start(void);

/** Its URL, "http://127.0.0.1:PORT/hooks"; valid until receiver_stop(). */
const char *receiver_url(const receiver *r);

/** How many requests it has received so far. */
size_t receiver_count(receiver *r);

/**
 * Takes the oldest delivery not taken yet for which `match(delivery, user_data)` is non-zero
 * (`match` NULL: any), waiting for one up to `timeout_ms`. 0 with `*out` filled (the caller
 * owns it), or -1 on timeout.
 */
int receiver_next(receiver *r, int (*match)(const receiver_delivery *delivery, void *user_data),
                  void *user_data, long timeout_ms, receiver_delivery *out);

/** What the receiver answers every request from now on (200 at the start); it keeps every
 * request whatever it answers. */
void receiver_set_status(receiver *r, int status);

/** Frees the strings of a delivery from receiver_next() (not the struct itself). */
void receiver_delivery_free(receiver_delivery *delivery);

/** Stops the receiver (closes its socket, joins its thread) and frees it. NULL is ignored. */
void receiver_stop(receiver *r);

#endif
