/*
 * Tests of libaether through its C API (include/aether.h), against aether-mock.
 *
 * Built with -std=c99 -Wall -Wextra -Wpedantic -Werror and run (also under valgrind) by
 * scripts/test.d/40-c.sh, which starts the emulator on port 0 and passes its URL and keys in
 * AETHER_MOCK_URL, AETHER_MOCK_ADMIN_TOKEN and AETHER_MOCK_API_KEY.
 *
 *   test_aether [FILTER]   runs the tests whose name contains FILTER (all without one)
 *
 * Prints "N passed, N failed" last; exits non-zero when a test failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aether.h"
#include "support.h"

/* A pointer that is never a real handle: out-parameters must keep it after a failure. */
static char sentinel_byte;
#define SENTINEL ((void *)&sentinel_byte)

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Text of a given length made of one repeated UTF-8 unit (malloc'd). */
static char *repeat(const char *unit, size_t count) {
  size_t len = strlen(unit);
  char *text = (char *)malloc(len * count + 1);
  size_t i;
  if (text == NULL) return NULL;
  for (i = 0; i < count; i++) memcpy(text + i * len, unit, len);
  text[len * count] = '\0';
  return text;
}

/* How many journal entries mention `needle` (e.g. "\"/v1/profiles\""). */
static int journal_mentions(const char *needle) {
  char *journal = mock_admin("GET", "/_mock/journal", NULL);
  int count = 0;
  const char *at = journal;
  while (at != NULL && (at = strstr(at, needle)) != NULL) {
    count++;
    at += strlen(needle);
  }
  free(journal);
  return count;
}

/* ======================================================================================== */
/* Without the emulator                                                                      */
/* ======================================================================================== */

static void test_version(void) {
  char numbers[64];
  CHECK_STR(aether_version(), AETHER_VERSION_STRING);
  snprintf(numbers, sizeof numbers, "%d.%d.%d", AETHER_VERSION_MAJOR, AETHER_VERSION_MINOR,
           AETHER_VERSION_PATCH);
  CHECK_STR(numbers, AETHER_VERSION_STRING);
}

static void test_error_code_strings(void) {
  static const struct {
    aether_status code;
    const char *text;
  } codes[] = {
      {AETHER_OK, "OK"},
      {AETHER_ERROR_UNAUTHORIZED, "UNAUTHORIZED"},
      {AETHER_ERROR_FORBIDDEN, "FORBIDDEN"},
      {AETHER_ERROR_NOT_FOUND, "NOT_FOUND"},
      {AETHER_ERROR_INVALID_REQUEST, "INVALID_REQUEST"},
      {AETHER_ERROR_RATE_LIMITED, "RATE_LIMITED"},
      {AETHER_ERROR_IDEMPOTENCY_KEY_REUSED, "IDEMPOTENCY_KEY_REUSED"},
      {AETHER_ERROR_IDEMPOTENCY_KEY_IN_USE, "IDEMPOTENCY_KEY_IN_USE"},
      {AETHER_ERROR_POST_NOT_EDITABLE, "POST_NOT_EDITABLE"},
      {AETHER_ERROR_PROFILE_DISCONNECTED, "PROFILE_DISCONNECTED"},
      {AETHER_ERROR_CAPTION_TOO_LONG, "CAPTION_TOO_LONG"},
      {AETHER_ERROR_TITLE_REQUIRED, "TITLE_REQUIRED"},
      {AETHER_ERROR_TITLE_TOO_LONG, "TITLE_TOO_LONG"},
      {AETHER_ERROR_TOO_MANY_HASHTAGS, "TOO_MANY_HASHTAGS"},
      {AETHER_ERROR_TOO_MANY_MENTIONS, "TOO_MANY_MENTIONS"},
      {AETHER_ERROR_MEDIA_REQUIRED, "MEDIA_REQUIRED"},
      {AETHER_ERROR_UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE"},
      {AETHER_ERROR_TOO_MANY_MEDIA, "TOO_MANY_MEDIA"},
      {AETHER_ERROR_VIDEO_TOO_SHORT, "VIDEO_TOO_SHORT"},
      {AETHER_ERROR_VIDEO_TOO_LONG, "VIDEO_TOO_LONG"},
      {AETHER_ERROR_FILE_TOO_LARGE, "FILE_TOO_LARGE"},
      {AETHER_ERROR_SUBREDDIT_REQUIRED, "SUBREDDIT_REQUIRED"},
      {AETHER_ERROR_INVALID_PLATFORM_OPTION, "INVALID_PLATFORM_OPTION"},
      {AETHER_ERROR_SCHEDULE_IN_PAST, "SCHEDULE_IN_PAST"},
      {AETHER_ERROR_SCHEDULE_TOO_FAR, "SCHEDULE_TOO_FAR"},
      {AETHER_ERROR_INVALID_TIMEZONE, "INVALID_TIMEZONE"},
      {AETHER_ERROR_POST_LIMIT_REACHED, "POST_LIMIT_REACHED"},
      {AETHER_ERROR_CHECKSUM_MISMATCH, "CHECKSUM_MISMATCH"},
      {AETHER_ERROR_UPLOAD_INCOMPLETE, "UPLOAD_INCOMPLETE"},
      {AETHER_ERROR_UPLOAD_EXPIRED, "UPLOAD_EXPIRED"},
      {AETHER_ERROR_MEDIA_FETCH_FAILED, "MEDIA_FETCH_FAILED"},
      {AETHER_ERROR_PLATFORM_ERROR, "PLATFORM_ERROR"},
      {AETHER_ERROR_INTERNAL_ERROR, "INTERNAL_ERROR"},
      {AETHER_ERROR_SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE"},
      {AETHER_ERROR_BULK_INVALID, "BULK_INVALID"},
      {AETHER_ERROR_POST_NOT_RETRYABLE, "POST_NOT_RETRYABLE"},
      {AETHER_ERROR_NETWORK_ERROR, "NETWORK_ERROR"},
      {AETHER_ERROR_TIMEOUT, "TIMEOUT"},
      {AETHER_ERROR_CANCELLED, "CANCELLED"},
      {AETHER_ERROR_INVALID_ARGUMENT, "INVALID_ARGUMENT"},
      {AETHER_ERROR_IO_ERROR, "IO_ERROR"},
      {AETHER_ERROR_PROTOCOL_ERROR, "PROTOCOL_ERROR"},
      {AETHER_ERROR_TLS_ERROR, "TLS_ERROR"},
      {AETHER_ERROR_PROXY_ERROR, "PROXY_ERROR"},
      {AETHER_ERROR_UNKNOWN, "UNKNOWN"},
      {AETHER_ERROR_PANIC, "PANIC"},
  };
  size_t i;
  int past_last = 0;
  for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    CHECK_STR(aether_error_code_str((int)codes[i].code), codes[i].text);
    if ((int)codes[i].code >= past_last) past_last = (int)codes[i].code + 1;
  }
  CHECK_STR(aether_error_code_str(-1), "UNKNOWN");
  /* One past the highest code: a value a newer header might define. */
  CHECK_STR(aether_error_code_str(past_last), "UNKNOWN");
  CHECK_STR(aether_error_code_str(123456), "UNKNOWN");
}

/* A client that never sends: every call below fails on its arguments first. */
static aether_client *offline_client(void) {
  aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
  aether_client *client = NULL;
  options.api_key = "sk_test_offline";
  options.base_url = "http://127.0.0.1:9";
  if (aether_client_new(&options, &client, NULL) != AETHER_OK) return NULL;
  return client;
}

static void test_client_options_are_checked(void) {
  aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
  aether_client *client = (aether_client *)SENTINEL;
  aether_error *err = NULL;

  /* No out-parameter. */
  CHECK_STATUS(aether_client_new(&options, NULL, &err), err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(str_has(aether_error_message(err), "out_client"));
  CHECK(aether_error_http_status(err) == 0);
  CHECK(aether_error_request_id(err) == NULL);
  CHECK(aether_error_client_request_id(err) == NULL); /* nothing was sent */
  CHECK(aether_error_idempotency_key(err) == NULL);
  CHECK(aether_error_client_request_id(NULL) == NULL && aether_error_idempotency_key(NULL) == NULL);
  CHECK(aether_error_retry_after_ms(err) == -1);
  CHECK(!aether_error_is_retryable(err));
  aether_error_free(err);
  err = NULL;

  /* Invalid UTF-8 in a string option; the out-parameter is left alone. */
  options.api_key = "sk_\xff\xfe";
  CHECK_STATUS(aether_client_new(&options, &client, &err), err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(client == (aether_client *)SENTINEL);
  CHECK(str_has(aether_error_message(err), "options->api_key"));
  CHECK(str_has(aether_error_message(err), "UTF-8"));
  CHECK_STR(aether_error_raw_code(err), "INVALID_ARGUMENT");
  aether_error_free(err);
  err = NULL;

  /* Not an http(s) URL; no error object asked for. */
  options.api_key = "sk_test";
  options.base_url = "ftp://example.com";
  CHECK(aether_client_new(&options, &client, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(client == (aether_client *)SENTINEL);

  /* No API key anywhere. */
  unsetenv("AETHER_API_KEY");
  options.api_key = NULL;
  options.base_url = "http://127.0.0.1:9";
  CHECK_STATUS(aether_client_new(&options, &client, &err), err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(str_has(aether_error_message(err), "AETHER_API_KEY"));
  /* Named as C spells it, not as the Rust builder does. */
  CHECK(str_has(aether_error_message(err), "pass one with options.api_key or set"));
  CHECK(!str_has(aether_error_message(err), "Client::builder"));
  aether_error_free(err);
  err = NULL;

  /* A negative attempt timeout is refused, named as C spells it. */
  options.api_key = "sk_test";
  options.attempt_timeout_ms = -5;
  CHECK_STATUS(aether_client_new(&options, &client, &err), err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(str_has(aether_error_message(err), "options.attempt_timeout_ms must be"));
  aether_error_free(err);
  err = NULL;
  options.attempt_timeout_ms = 0;
  options.api_key = NULL;

  /* NULL options: everything from the environment. */
  setenv("AETHER_API_KEY", "sk_test_env", 1);
  setenv("AETHER_BASE_URL", "http://127.0.0.1:9/", 1);
  CHECK_OK(aether_client_new(NULL, &client, &err), err);
  CHECK_STR(aether_client_base_url(client), "http://127.0.0.1:9");
  aether_client_free(client);
  unsetenv("AETHER_API_KEY");
  unsetenv("AETHER_BASE_URL");
}

/* The whole text of a file (the proxy's log), or an empty string; free it. */
static char *slurp(const char *path) {
  FILE *file = fopen(path, "rb");
  char *text = NULL;
  size_t size = 0, read = 0;
  if (file != NULL) {
    fseek(file, 0, SEEK_END);
    size = (size_t)ftell(file);
    fseek(file, 0, SEEK_SET);
  }
  text = malloc(size + 1);
  if (text == NULL) abort();
  if (file != NULL) {
    read = fread(text, 1, size, file);
    fclose(file);
  }
  text[read] = '\0';
  return text;
}

/* A client built from `options` asks for an unknown profile; the answer must be `expected`.
 * Leaves the call's error in `*err` for the caller to inspect and free (NULL after a failed
 * check). */
static void unknown_profile_error(const aether_client_options *options, aether_status expected,
                                  aether_error **err) {
  aether_client *client = NULL;
  aether_profile *profile = NULL;
  *err = NULL;
  CHECK_OK(aether_client_new(options, &client, err), *err);
  CHECK_STATUS(aether_profile_get(client, "prof_nope", &profile, err), *err, expected);
  aether_client_free(client);
}

/* Through a real forward proxy (tinyproxy, started by 40-c.sh with scripts/proxy): the HTTPS
 * emulator in a CONNECT tunnel with options.proxy (its log shows the CONNECT), "" going
 * direct, and a proxy demanding credentials: accepted in the URL, AETHER_ERROR_PROXY_ERROR
 * (not retried, the password in no message) without them. */
static void test_proxy_connect_tunnel_and_credentials(void) {
  const char *url = getenv("AETHER_MOCK_TLS_URL");
  const char *proxy = getenv("AETHER_TEST_PROXY_URL");
  const char *log = getenv("AETHER_TEST_PROXY_LOG");
  const char *auth_port = getenv("AETHER_TEST_AUTH_PROXY_PORT");
  const char *ci = getenv("CI");
  aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
  aether_client *client = NULL;
  aether_connect_link *link = NULL;
  aether_profile *profile = NULL;
  aether_error *err = NULL;
  char connect_line[64], with_auth[128], *text;
  size_t seen;
  if (url == NULL || proxy == NULL || log == NULL || auth_port == NULL) {
    fprintf(stderr, "skipped: no proxy (40-c.sh starts tinyproxy with scripts/proxy)\n");
    CHECK(ci == NULL || strcmp(ci, "true") != 0);
    return;
  }
  snprintf(connect_line, sizeof connect_line, "CONNECT 127.0.0.1:%s", strrchr(url, ':') + 1);
  options.api_key = mock_api_key();
  options.base_url = url;
  options.ca_bundle = getenv("AETHER_MOCK_TLS_CA");
  options.client_cert = getenv("AETHER_MOCK_TLS_CLIENT_CERT");
  options.client_key = getenv("AETHER_MOCK_TLS_CLIENT_KEY");

  /* "" first: direct, so the proxy's log gets no CONNECT to the emulator (only what follows
   * `seen` counts: the tests run twice, the second time under valgrind). */
  text = slurp(log);
  seen = strlen(text);
  free(text);
  options.proxy = "";
  unknown_profile_error(&options, AETHER_ERROR_NOT_FOUND, &err);
  if (err == NULL) return;
  aether_error_free(err);
  err = NULL;
  text = slurp(log);
  CHECK(!str_has(text + seen, connect_line));
  free(text);

  /* Through the proxy: a connect link, then an unknown profile, both answered. */
  options.proxy = proxy;
  CHECK_OK(aether_client_new(&options, &client, &err), err);
  CHECK_OK(aether_connect_link_create(client, "linkedin", "https://yourapp.example/cb", NULL,
                                      &link, &err),
           err);
  CHECK(strncmp(aether_connect_link_id(link), "link_", 5) == 0);
  aether_connect_link_free(link);
  CHECK_STATUS(aether_profile_get(client, "prof_nope", &profile, &err), err,
               AETHER_ERROR_NOT_FOUND);
  aether_error_free(err);
  err = NULL;
  aether_client_free(client);
  text = slurp(log);
  CHECK(str_has(text + seen, connect_line));
  free(text);

  /* A proxy demanding credentials: the right ones in the URL work... */
  snprintf(with_auth, sizeof with_auth, "http://c:pr0xy-Secret@127.0.0.1:%s", auth_port);
  options.proxy = with_auth;
  unknown_profile_error(&options, AETHER_ERROR_NOT_FOUND, &err);
  if (err == NULL) return;
  aether_error_free(err);
  err = NULL;
  /* ...wrong ones are AETHER_ERROR_PROXY_ERROR naming options.proxy, never the password. */
  snprintf(with_auth, sizeof with_auth, "http://c:wrong-pr0xy-Secret@127.0.0.1:%s", auth_port);
  options.max_retries = 3;
  unknown_profile_error(&options, AETHER_ERROR_PROXY_ERROR, &err);
  if (err == NULL) return;
  CHECK(str_has(aether_error_message(err), "options.proxy"));
  CHECK(str_has(aether_error_message(err), "c:[redacted]@127.0.0.1"));
  CHECK(!str_has(aether_error_message(err), "pr0xy-Secret"));
  CHECK(!aether_error_is_retryable(err));
  CHECK_STR(aether_error_code_str(aether_error_code(err)), "PROXY_ERROR");
  aether_error_free(err);
  err = NULL;

  /* Not a URL a proxy can have: refused when the client is built. */
  options.proxy = "socks5://127.0.0.1:1080";
  client = NULL;
  CHECK_STATUS(aether_client_new(&options, &client, &err), err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(client == NULL);
  CHECK(str_has(aether_error_message(err), "options.proxy"));
  aether_error_free(err);
}

/* HTTPS: an emulator started by scripts/test.d/40-c.sh with --tls --tls-client-auth (its URL,
 * CA and client certificate in AETHER_MOCK_TLS_*). Trusted and identified, a call reaches the
 * server; without the CA or without the client certificate it is AETHER_ERROR_TLS_ERROR (not
 * NETWORK_ERROR, not retried, at once: issue 16 asks for under 2 s) naming what to set. */
static void test_tls_trust_and_client_certificate(void) {
  const char *url = getenv("AETHER_MOCK_TLS_URL");
  const char *ca = getenv("AETHER_MOCK_TLS_CA");
  const char *cert = getenv("AETHER_MOCK_TLS_CLIENT_CERT");
  const char *key = getenv("AETHER_MOCK_TLS_CLIENT_KEY");
  aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
  aether_client *client = NULL;
  aether_error *err = NULL;
  if (url == NULL || ca == NULL || cert == NULL || key == NULL) {
    fprintf(stderr, "set AETHER_MOCK_TLS_URL/_CA/_CLIENT_CERT/_CLIENT_KEY (40-c.sh does)\n");
    CHECK(0);
    return;
  }
  options.api_key = mock_api_key();
  options.base_url = url;
  options.max_retries = 3;

  /* Trusted and identified: the server answers (an unknown id). */
  options.ca_bundle = ca;
  options.client_cert = cert;
  options.client_key = key;
  unknown_profile_error(&options, AETHER_ERROR_NOT_FOUND, &err);
  if (err == NULL) return;
  aether_error_free(err);
  err = NULL;

  /* No client certificate: refused by the server. */
  options.client_cert = NULL;
  options.client_key = NULL;
  unknown_profile_error(&options, AETHER_ERROR_TLS_ERROR, &err);
  if (err == NULL) return;
  CHECK(str_has(aether_error_message(err), "options.client_cert"));
  CHECK(!aether_error_is_retryable(err));
  aether_error_free(err);
  err = NULL;

  /* The emulator's CA not trusted (the system's roots only). */
  options.ca_bundle = NULL;
  unknown_profile_error(&options, AETHER_ERROR_TLS_ERROR, &err);
  if (err == NULL) return;
  CHECK(str_has(aether_error_message(err), "options.ca_bundle"));
  CHECK(str_has(aether_error_message(err), "AETHER_CA_BUNDLE"));
  aether_error_free(err);
  err = NULL;

  /* A bundle that cannot be read: refused when the client is built, naming the field. */
  options.ca_bundle = "/nonexistent/ca.pem";
  client = NULL;
  CHECK_STATUS(aether_client_new(&options, &client, &err), err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(client == NULL);
  CHECK(str_has(aether_error_message(err), "options.ca_bundle"));
  aether_error_free(err);
}

/* The number after "name": in a JSON text, or -1 when absent. */
static double json_number(const char *json, const char *name) {
  char key[64];
  const char *at;
  snprintf(key, sizeof key, "\"%s\":", name);
  at = json == NULL ? NULL : strstr(json, key);
  return at == NULL ? -1 : strtod(at + strlen(key), NULL);
}

/* A client given no settings runs on the library's defaults (not on copies in the binding). */
static void test_client_defaults_come_from_the_library(void) {
  aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
  aether_client *client = NULL;
  aether_error *err = NULL;
  char *effective = NULL, *defaults = NULL;
  const char *names[] = {"timeoutMs", "connectTimeoutMs", "attemptTimeoutMs", "maxRetries",
                         "retryBackoffBaseMs", "retryBackoffCapMs"};
  size_t i;

  options.api_key = "sk_test";
  options.base_url = "http://127.0.0.1:9";
  CHECK_OK(aether_client_new(&options, &client, &err), err);
  CHECK_OK(aether_client_effective_options_to_json(client, &effective, &err), err);
  CHECK_OK(aether_defaults_to_json(&defaults, &err), err);
  for (i = 0; i < sizeof names / sizeof names[0]; i++) {
    CHECK(json_number(effective, names[i]) >= 0);
    CHECK(json_number(effective, names[i]) == json_number(defaults, names[i]));
  }
  CHECK(!str_has(effective, "sk_test"));
  aether_string_free(effective);
  aether_string_free(defaults);
  aether_client_free(client);
}

static void test_null_and_invalid_arguments(void) {
  aether_client *client = offline_client();
  aether_post *post = (aether_post *)SENTINEL;
  aether_media *media = (aether_media *)SENTINEL;
  aether_watch *watch = (aether_watch *)SENTINEL;
  aether_error *err = NULL;
  aether_upload_options upload = AETHER_UPLOAD_OPTIONS_INIT;
  char *json = (char *)SENTINEL;
  CHECK(client != NULL);

  CHECK_STATUS(aether_post_get(NULL, "post_1", &post, &err), err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(str_has(aether_error_message(err), "client is NULL"));
  aether_error_free(err);
  err = NULL;
  CHECK_STATUS(aether_post_get(client, NULL, &post, &err), err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(str_has(aether_error_message(err), "post_id is NULL"));
  aether_error_free(err);
  err = NULL;
  CHECK(aether_post_get(client, "post_\xc3\x28", &post, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_get(client, "", &post, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_get(client, "post_1", NULL, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_wait(client, NULL, NULL, &post, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_cancel(client, "\x80", &post, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_create(client, NULL, &post, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(post == (aether_post *)SENTINEL);

  CHECK(aether_connect_link_create(client, NULL, "https://x", NULL, NULL, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_connect_link_get(client, "\xff", NULL, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_profile_get(client, NULL, NULL, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_profile_list_all(NULL, NULL, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_profile_disconnect(client, "", NULL, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_list_all(client, "\xff", NULL, 0, NULL, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_list_count(NULL) == 0 && aether_post_list_at(NULL, 0) == NULL);
  aether_post_list_free(NULL);
  CHECK(aether_media_resume(client, NULL, "x.mp4", NULL, &media, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);

  CHECK(aether_media_upload(client, NULL, NULL, &media, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  upload.platform_count = 2; /* but no array */
  CHECK_STATUS(aether_media_upload(client, "x.mp4", &upload, &media, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(str_has(aether_error_message(err), "options->platforms"));
  aether_error_free(err);
  err = NULL;
  upload.platform_count = 0;
  upload.tier = "gold";
  CHECK_STATUS(aether_media_upload(client, "x.mp4", &upload, &media, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(str_has(aether_error_message(err), "options.tier is \"gold\""));
  aether_error_free(err);
  err = NULL;
  CHECK(aether_media_get(client, "", &media, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_media_wait_ready(client, NULL, NULL, &media, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(media == (aether_media *)SENTINEL);

  CHECK_STATUS(aether_post_watch(client, "post_1", NULL, NULL, NULL, &watch, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(str_has(aether_error_message(err), "callback is NULL"));
  CHECK(watch == (aether_watch *)SENTINEL);
  aether_error_free(err);
  err = NULL;
  CHECK(aether_watch_join(NULL, 0, NULL) == AETHER_ERROR_INVALID_ARGUMENT);

  CHECK(aether_post_to_json(NULL, &json, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_media_to_json(NULL, &json, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_error_to_json(NULL, &json, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(json == (char *)SENTINEL);
  CHECK(aether_cancel_token_new(NULL, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_builder_new(NULL, NULL) == AETHER_ERROR_INVALID_ARGUMENT);

  CHECK(aether_webhook_verify(NULL, 5, "t=1,v1=00", NULL, 0, 0, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_webhook_verify((const uint8_t *)"{}", 2, NULL, NULL, 0, 0, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_webhook_verify((const uint8_t *)"{}", 2, "t=1", NULL, 1, 0, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);

  /* Accessors given NULL. */
  CHECK(aether_post_id(NULL) == NULL);
  CHECK(aether_post_status(NULL) == NULL);
  CHECK(!aether_post_is_terminal(NULL));
  CHECK(aether_post_result_count(NULL) == 0);
  CHECK(aether_post_result(NULL, 0) == NULL);
  CHECK(aether_post_profile_id(NULL, 0) == NULL);
  CHECK(aether_target_result_status(NULL) == NULL);
  CHECK(aether_target_result_attempts(NULL) == 0);
  CHECK(aether_target_result_next_attempt_at(NULL) == NULL);
  CHECK(aether_media_duration_ms(NULL) == -1);
  CHECK(aether_media_size(NULL) == 0);
  CHECK(aether_media_key(NULL) == NULL);
  CHECK(aether_media_crc32c(NULL) == NULL && aether_media_sha256(NULL) == NULL);
  CHECK(aether_profile_id(NULL) == NULL);
  CHECK(aether_profile_list_count(NULL) == 0);
  CHECK(aether_profile_list_at(NULL, 0) == NULL);
  CHECK(aether_connect_link_url(NULL) == NULL);
  CHECK(aether_error_code(NULL) == AETHER_OK);
  CHECK(aether_error_message(NULL) == NULL);
  CHECK(aether_error_http_status(NULL) == 0);
  CHECK(aether_error_retry_after_ms(NULL) == -1);
  CHECK(aether_client_base_url(NULL) == NULL);
  CHECK(!aether_cancel_token_is_cancelled(NULL));
  CHECK(!aether_watch_is_finished(NULL));

  /* Every free function accepts NULL. */
  aether_client_free(NULL);
  aether_post_free(NULL);
  aether_media_free(NULL);
  aether_profile_free(NULL);
  aether_profile_list_free(NULL);
  aether_connect_link_free(NULL);
  aether_error_free(NULL);
  aether_string_free(NULL);
  aether_cancel_token_free(NULL);
  aether_post_builder_free(NULL);
  aether_watch_free(NULL);
  aether_watch_stop(NULL);
  aether_cancel_token_cancel(NULL);

  aether_client_free(client);
}

static void test_platform_options_json_is_checked(void) {
  aether_post_builder *builder = NULL;
  aether_error *err = NULL;
  static const char *bad[] = {"{", "[]", "\"tiktok\"", "{\"disableDuet\":\"yes\"}", "nul\xff"};
  size_t i;
  CHECK_OK(aether_post_builder_new(&builder, &err), err);

  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK_STATUS(aether_post_builder_set_platform(builder, "tiktok", bad[i], &err), err,
                 AETHER_ERROR_INVALID_ARGUMENT);
    aether_error_free(err);
    err = NULL;
  }
  CHECK_STATUS(aether_post_builder_set_platform(builder, "tiktok", "{\"disableDuet\":1}", &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK_STR(aether_error_field(err), "platforms.tiktok");
  CHECK_STR(aether_error_platform(err), "tiktok");
  aether_error_free(err);
  err = NULL;
  CHECK(aether_post_builder_set_platform(builder, "", "{}", NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_builder_set_platform(builder, NULL, "{}", NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_builder_set_platforms_json(builder, "not json", NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_builder_set_platforms_json(builder, "{\"tiktok\":5}", NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_builder_set_platforms_json(builder, NULL, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_builder_set_text(builder, NULL, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_builder_set_text(NULL, "x", NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_builder_add_media_key(builder, "\xe2\x82", NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_builder_set_profile_id(builder, "", NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_builder_add_profile_id(builder, NULL, NULL) == AETHER_ERROR_INVALID_ARGUMENT);

  /* Good ones. */
  CHECK_OK(aether_post_builder_set_platform(builder, "tiktok", NULL, &err), err);
  CHECK_OK(aether_post_builder_set_platform(builder, "youtube", "{\"title\":\"Launch\"}", &err),
           err);
  CHECK_OK(aether_post_builder_set_platforms_json(builder, "{\"linkedin\":{}}", &err), err);
  CHECK_OK(aether_post_builder_set_title(builder, NULL, &err), err);
  aether_post_builder_free(builder);
}

static void test_webhook_signatures(void) {
  const char *payload = "{\"id\":\"evt_1\",\"type\":\"post.published\"}";
  const char *secrets[] = {"whsec_old", "whsec_current"};
  char *header = NULL;
  char *json = NULL;
  aether_error *err = NULL;
  size_t len = strlen(payload);
  long now = (long)time(NULL);

  CHECK_OK(aether_webhook_sign_test_payload((const uint8_t *)payload, len, "whsec_current", now,
                                            &header, &err),
           err);
  CHECK(strncmp(header, "t=", 2) == 0 && str_has(header, ",v1="));
  CHECK_OK(aether_webhook_verify((const uint8_t *)payload, len, header, secrets, 2, 0, &err), err);

  /* A tampered body. */
  CHECK_STATUS(aether_webhook_verify((const uint8_t *)payload, len - 1, header, secrets, 2, 0,
                                     &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "\"reason\":\"signature_mismatch\""));
  aether_string_free(json);
  aether_error_free(err);
  err = NULL;

  /* No secret. */
  CHECK_STATUS(aether_webhook_verify((const uint8_t *)payload, len, header, NULL, 0, 0, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "no_secret"));
  aether_string_free(json);
  aether_error_free(err);
  err = NULL;
  aether_string_free(header);

  /* Signed 20 minutes ago: a replay, unless the tolerance allows it. */
  CHECK_OK(aether_webhook_sign_test_payload((const uint8_t *)payload, len, "whsec_current",
                                            now - 1200, &header, &err),
           err);
  CHECK_STATUS(aether_webhook_verify((const uint8_t *)payload, len, header, secrets, 2, 0, &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "timestamp_outside_tolerance"));
  aether_string_free(json);
  aether_error_free(err);
  err = NULL;
  CHECK_OK(aether_webhook_verify((const uint8_t *)payload, len, header, secrets, 2, 3600, &err),
           err);
  aether_string_free(header);

  CHECK_STATUS(aether_webhook_verify((const uint8_t *)payload, len, "nope", secrets, 2, 0, &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "malformed_header"));
  aether_string_free(json);
  aether_error_free(err);
}


/* The error's message contains `what`; frees the error. For argument checks. */
static int message_has(aether_error *err, const char *what) {
  int has = str_has(aether_error_message(err), what);
  if (!has) fprintf(stderr, "    message: %s\n", aether_error_message(err));
  aether_error_free(err);
  return has;
}

static void test_webhook_arguments_are_checked(void) {
  aether_client *client = offline_client();
  aether_webhook *hook = (aether_webhook *)SENTINEL;
  aether_webhook_list *list = (aether_webhook_list *)SENTINEL;
  aether_error *err = NULL;
  char *json = (char *)SENTINEL;
  const char *url = "http://127.0.0.1:9/hooks";
  const char *events[] = {"post.published", "post.failed"};
  const char *null_event[] = {"post.published", NULL};
  const char *bad_utf8[] = {"post.\xff"};
  const char *empty[] = {""};
  const char *payload = "{}";
  const char *secrets[] = {"whsec_a"};
  CHECK(client != NULL);

  CHECK_STATUS(aether_webhook_create(NULL, url, events, 2, &hook, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(message_has(err, "client is NULL"));
  err = NULL;
  CHECK_STATUS(aether_webhook_create(client, NULL, events, 2, &hook, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(message_has(err, "url is NULL"));
  err = NULL;
  CHECK_STATUS(aether_webhook_create(client, "http://127.0.0.1:9/\xc3\x28", events, 2, &hook, &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(message_has(err, "url is not valid UTF-8"));
  err = NULL;
  CHECK_STATUS(aether_webhook_create(client, url, NULL, 1, &hook, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(message_has(err, "events is NULL"));
  err = NULL;
  CHECK_STATUS(aether_webhook_create(client, url, null_event, 2, &hook, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(message_has(err, "events[1] is NULL"));
  err = NULL;
  CHECK_STATUS(aether_webhook_create(client, url, bad_utf8, 1, &hook, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(message_has(err, "events[0] is not valid UTF-8"));
  err = NULL;
  CHECK_STATUS(aether_webhook_create(client, url, empty, 1, &hook, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(message_has(err, "events[0] is empty"));
  err = NULL;
  CHECK_STATUS(aether_webhook_create(client, url, events, 2, NULL, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(message_has(err, "out_webhook is NULL"));
  err = NULL;
  CHECK(hook == (aether_webhook *)SENTINEL);

  CHECK_STATUS(aether_client_close_connections(NULL, &err), err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(message_has(err, "client is NULL"));
  err = NULL;
  CHECK(aether_webhook_list_all(NULL, &list, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_webhook_list_all(client, NULL, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(list == (aether_webhook_list *)SENTINEL);
  CHECK(aether_webhook_delete(NULL, "wh_1", NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(aether_webhook_delete(client, NULL, &err), err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(message_has(err, "webhook_id is NULL"));
  err = NULL;
  CHECK(aether_webhook_delete(client, "", NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_webhook_delete(client, "wh_\x80", NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_webhook_to_json(NULL, &json, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(json == (char *)SENTINEL);
  CHECK(aether_webhook_verify_at(NULL, 2, "t=1,v1=00", secrets, 1, 0, 1, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_webhook_verify_at((const uint8_t *)payload, 2, NULL, secrets, 1, 0, 1, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_webhook_verify_at((const uint8_t *)payload, 2, "t=1,v1=00", NULL, 1, 0, 1, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);

  /* Accessors given NULL, and free functions. */
  CHECK(aether_webhook_id(NULL) == NULL);
  CHECK(aether_webhook_url(NULL) == NULL);
  CHECK(aether_webhook_event_count(NULL) == 0);
  CHECK(aether_webhook_event_at(NULL, 0) == NULL);
  CHECK(aether_webhook_secret(NULL) == NULL);
  CHECK(aether_webhook_created_at(NULL) == NULL);
  CHECK(aether_webhook_list_count(NULL) == 0);
  CHECK(aether_webhook_list_at(NULL, 0) == NULL);
  aether_webhook_free(NULL);
  aether_webhook_list_free(NULL);
  aether_client_free(client);
}

/* A delivery's `t=` (unix seconds), or -1. */
static long signature_time(const char *header) {
  return header != NULL && strncmp(header, "t=", 2) == 0 ? strtol(header + 2, NULL, 10) : -1;
}

/* receiver_next() filter: a delivery whose body names the post id in `user_data`. */
static int delivery_for_post(const receiver_delivery *delivery, void *user_data) {
  char needle[128];
  snprintf(needle, sizeof needle, "\"id\":\"%s\"", (const char *)user_data);
  return str_has(delivery->body, needle) && str_has(delivery->body, "\"type\":\"post.published\"");
}

/* ======================================================================================== */
/* Against the emulator                                                                      */
/* ======================================================================================== */

typedef struct {
  pthread_mutex_t lock;
  int calls;
  int monotonic;
  aether_upload_progress last;
} progress_log;

static void on_progress(const aether_upload_progress *progress, void *user_data) {
  progress_log *log = (progress_log *)user_data;
  pthread_mutex_lock(&log->lock);
  if (log->calls > 0 && progress->bytes_sent < log->last.bytes_sent) log->monotonic = 0;
  log->calls++;
  log->last = *progress;
  pthread_mutex_unlock(&log->lock);
}

/* The tutorial: connect link -> approve -> upload -> post -> wait. */
static void test_tutorial_flow(void) {
  aether_client *client;
  aether_connect_link *link = NULL, *done = NULL;
  aether_profile *profile = NULL;
  aether_profile_list *profiles = NULL;
  aether_media *media = NULL, *ready = NULL;
  aether_post_builder *builder = NULL;
  aether_post *post = NULL, *fetched = NULL, *finished = NULL;
  const aether_target_result *result;
  aether_error *err = NULL;
  aether_upload_options upload = AETHER_UPLOAD_OPTIONS_INIT;
  aether_wait_options wait = AETHER_WAIT_OPTIONS_INIT;
  const char *platforms[] = {"tiktok"};
  progress_log progress;
  char approve[1024];
  char *location = NULL;
  char *json = NULL;
  int status = 0;
  const char *profile_id;

  CHECK(mock_reset("{\"processingMs\":200}") == 0);
  client = mock_client();
  CHECK(client != NULL);

  /* Connect a TikTok account. */
  CHECK_OK(aether_connect_link_create(client, "tiktok",
                                      "https://yourapp.example/oauth/tiktok/callback",
                                      "state-123", &link, &err),
           err);
  CHECK(strncmp(aether_connect_link_id(link), "link_", 5) == 0);
  CHECK_STR(aether_connect_link_platform(link), "tiktok");
  CHECK_STR(aether_connect_link_status(link), "pending");
  CHECK_STR(aether_connect_link_state(link), "state-123");
  CHECK_STR(aether_connect_link_redirect_url(link),
            "https://yourapp.example/oauth/tiktok/callback");
  CHECK(aether_connect_link_expires_at(link) != NULL);
  /* Both are RFC 3339 UTC with the same precision, so they compare as strings. */
  CHECK(aether_connect_link_created_at(link) != NULL);
  CHECK(strcmp(aether_connect_link_created_at(link), aether_connect_link_expires_at(link)) < 0);
  CHECK(aether_connect_link_profile_id(link) == NULL);

  /* The end user approves on the hosted page. */
  snprintf(approve, sizeof approve, "%s%sapprove=1", aether_connect_link_url(link),
           strchr(aether_connect_link_url(link), '?') ? "&" : "?");
  CHECK(http_request("GET", approve, NULL, NULL, &status, NULL, &location) == 0);
  CHECK(status == 302);
  CHECK(str_has(location, "profileId=tiktok_"));
  CHECK(str_has(location, "state=state-123"));
  free(location);

  CHECK_OK(aether_connect_link_get(client, aether_connect_link_id(link), &done, &err), err);
  CHECK_STR(aether_connect_link_status(done), "completed");
  profile_id = aether_connect_link_profile_id(done);
  CHECK(profile_id != NULL && strncmp(profile_id, "tiktok_", 7) == 0);
  CHECK_OK(aether_connect_link_to_json(done, &json, &err), err);
  CHECK(str_has(json, "\"status\":\"completed\""));
  aether_string_free(json);

  CHECK_OK(aether_profile_get(client, profile_id, &profile, &err), err);
  CHECK_STR(aether_profile_id(profile), profile_id);
  CHECK_STR(aether_profile_platform(profile), "tiktok");
  CHECK_STR(aether_profile_status(profile), "active");
  CHECK_STR(aether_profile_tier(profile), "standard");
  CHECK(aether_profile_username(profile) != NULL && aether_profile_display_name(profile) != NULL);
  CHECK(aether_profile_connected_at(profile) != NULL);
  CHECK_OK(aether_profile_to_json(profile, &json, &err), err);
  CHECK(str_has(json, profile_id));
  aether_string_free(json);

  CHECK_OK(aether_profile_list_all(client, &profiles, &err), err);
  CHECK(aether_profile_list_count(profiles) == 1);
  CHECK_STR(aether_profile_id(aether_profile_list_at(profiles, 0)), profile_id);
  CHECK(aether_profile_list_at(profiles, 1) == NULL);
  aether_profile_list_free(profiles);

  /* Upload the video, checked against TikTok's rules first, with progress. */
  memset(&progress, 0, sizeof progress);
  pthread_mutex_init(&progress.lock, NULL);
  progress.monotonic = 1;
  upload.mime_type = "video/mp4";
  upload.platforms = platforms;
  upload.platform_count = 1;
  upload.on_progress = on_progress;
  upload.user_data = &progress;
  CHECK_OK(aether_media_upload(client, fixture("h264_15s.mp4"), &upload, &media, &err), err);
  pthread_mutex_destroy(&progress.lock);
  CHECK(progress.calls >= 1);
  CHECK(progress.monotonic);
  CHECK(progress.last.bytes_sent == progress.last.total);
  CHECK(progress.last.total == aether_media_size(media));
  CHECK(progress.last.parts_done == progress.last.parts_total);
  CHECK(aether_media_key(media) != NULL);
  CHECK_STR(aether_media_file_name(media), "h264_15s.mp4");
  CHECK_STR(aether_media_mime_type(media), "video/mp4");
  /* Integrity rests on CRC32Cs: the file's is there, a SHA-256 only when asked for. */
  CHECK(strlen(aether_media_crc32c(media)) == 8);
  CHECK(aether_media_sha256(media) == NULL);
  CHECK(str_eq(aether_media_status(media), "processing") ||
        str_eq(aether_media_status(media), "ready"));
  {
    aether_upload_options hashed = AETHER_UPLOAD_OPTIONS_INIT;
    aether_media *again = NULL;
    hashed.sha256 = 1;
    hashed.single_shot_threshold = 0;
    CHECK_OK(aether_media_upload(client, fixture("h264_15s.mp4"), &hashed, &again, &err), err);
    CHECK(aether_media_sha256(again) != NULL && strlen(aether_media_sha256(again)) == 64);
    CHECK_STR(aether_media_crc32c(again), aether_media_crc32c(media));
    aether_media_free(again);
  }

  wait.poll_interval_ms = 50;
  wait.max_poll_interval_ms = 100;
  wait.timeout_ms = 30000;
  CHECK_OK(aether_media_wait_ready(client, aether_media_key(media), &wait, &ready, &err), err);
  CHECK_STR(aether_media_status(ready), "ready");
  CHECK_STR(aether_media_kind(ready), "video");
  CHECK(aether_media_duration_ms(ready) >= 15000);
  CHECK(aether_media_width(ready) > 0 && aether_media_height(ready) > 0);
  CHECK_STR(aether_media_video_codec(ready), "h264");
  CHECK_STR(aether_media_container(ready), "mp4");
  CHECK(aether_media_error_code(ready) == NULL && aether_media_error_message(ready) == NULL);
  CHECK_OK(aether_media_to_json(ready, &json, &err), err);
  CHECK(str_has(json, "\"status\":\"ready\""));
  aether_string_free(json);

  /* Publish. */
  CHECK_OK(aether_post_builder_new(&builder, &err), err);
  CHECK_OK(aether_post_builder_set_text(builder, "My first TikTok via API! #coding #developer",
                                        &err),
           err);
  CHECK_OK(aether_post_builder_set_profile_id(builder, profile_id, &err), err);
  CHECK_OK(aether_post_builder_add_media_key(builder, aether_media_key(media), &err), err);
  CHECK_OK(aether_post_builder_set_platform(builder, "tiktok", "{\"privacyLevel\":\"SELF_ONLY\"}",
                                            &err),
           err);
  CHECK_OK(aether_post_create(client, builder, &post, &err), err);
  aether_post_builder_free(builder);
  CHECK(strncmp(aether_post_id(post), "post_", 5) == 0);
  CHECK_STR(aether_post_status(post), "publishing");
  CHECK(!aether_post_is_terminal(post));
  CHECK_STR(aether_post_text(post), "My first TikTok via API! #coding #developer");
  CHECK(aether_post_title(post) == NULL);
  CHECK(aether_post_profile_id_count(post) == 1);
  CHECK_STR(aether_post_profile_id(post, 0), profile_id);
  CHECK(aether_post_profile_id(post, 1) == NULL);
  CHECK(aether_post_media_key_count(post) == 1);
  CHECK_STR(aether_post_media_key(post, 0), aether_media_key(media));
  CHECK(aether_post_created_at(post) != NULL && aether_post_updated_at(post) != NULL);
  CHECK(aether_post_scheduled_for(post) == NULL && aether_post_timezone(post) == NULL);
  CHECK(aether_post_error_code(post) == NULL);
  CHECK_OK(aether_post_platforms_json(post, &json, &err), err);
  CHECK(str_has(json, "\"privacyLevel\":\"SELF_ONLY\""));
  aether_string_free(json);

  CHECK_OK(aether_post_get(client, aether_post_id(post), &fetched, &err), err);
  CHECK_STR(aether_post_id(fetched), aether_post_id(post));

  /* Wait until TikTok has processed it. */
  CHECK_OK(aether_post_wait(client, aether_post_id(post), &wait, &finished, &err), err);
  CHECK_STR(aether_post_status(finished), "published");
  CHECK(aether_post_is_terminal(finished));
  CHECK(aether_post_result_count(finished) == 1);
  result = aether_post_result(finished, 0);
  CHECK(result != NULL && aether_post_result(finished, 1) == NULL);
  CHECK_STR(aether_target_result_profile_id(result), profile_id);
  CHECK_STR(aether_target_result_platform(result), "tiktok");
  CHECK_STR(aether_target_result_status(result), "published");
  CHECK(aether_target_result_platform_post_id(result) != NULL);
  CHECK(aether_target_result_url(result) != NULL);
  CHECK(aether_target_result_published_at(result) != NULL);
  CHECK(aether_target_result_error_code(result) == NULL);
  CHECK(aether_target_result_error_message(result) == NULL);
  CHECK(aether_target_result_attempts(result) == 1);
  CHECK(aether_target_result_next_attempt_at(result) == NULL);
  CHECK_OK(aether_target_result_to_json(result, &json, &err), err);
  CHECK(str_has(json, "\"status\":\"published\""));
  aether_string_free(json);
  CHECK_OK(aether_post_to_json(finished, &json, &err), err);
  CHECK(str_has(json, aether_post_id(post)));
  aether_string_free(json);

  aether_post_free(finished);
  aether_post_free(fetched);
  aether_post_free(post);
  aether_media_free(ready);
  aether_media_free(media);
  aether_profile_free(profile);
  aether_connect_link_free(done);
  aether_connect_link_free(link);
  aether_client_free(client);
}

static void test_error_details_from_the_server(void) {
  aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
  aether_client *client = NULL;
  aether_post *post = (aether_post *)SENTINEL;
  aether_error *err = NULL;
  char *json = NULL;
  char *answer;

  CHECK(mock_reset(NULL) == 0);
  options.api_key = mock_api_key();
  options.base_url = mock_url();
  options.max_retries = 0;
  CHECK_OK(aether_client_new(&options, &client, &err), err);

  answer = mock_admin("POST", "/_mock/faults",
                      "{\"method\":\"GET\",\"path\":\"/v1/posts/*\",\"times\":1,"
                      "\"action\":{\"type\":\"status\",\"status\":503,\"retryAfter\":2}}");
  CHECK(answer != NULL);
  free(answer);
  CHECK_STATUS(aether_post_get(client, "post_x", &post, &err), err,
               AETHER_ERROR_SERVICE_UNAVAILABLE);
  CHECK(post == (aether_post *)SENTINEL);
  CHECK(aether_error_code(err) == AETHER_ERROR_SERVICE_UNAVAILABLE);
  CHECK_STR(aether_error_code_str(aether_error_code(err)), "SERVICE_UNAVAILABLE");
  CHECK(aether_error_http_status(err) == 503);
  CHECK(aether_error_retry_after_ms(err) == 2000);
  CHECK(aether_error_is_retryable(err));
  CHECK(aether_error_message(err) != NULL);
  aether_error_free(err);
  err = NULL;

  CHECK_STATUS(aether_post_get(client, "post_nope", &post, &err), err, AETHER_ERROR_NOT_FOUND);
  CHECK(aether_error_http_status(err) == 404);
  CHECK(strncmp(aether_error_request_id(err), "req_", 4) == 0);
  CHECK(strncmp(aether_error_client_request_id(err), "creq_", 5) == 0);
  CHECK(aether_error_idempotency_key(err) == NULL); /* a GET sends none */
  CHECK(aether_error_retry_after_ms(err) == -1);
  CHECK(!aether_error_is_retryable(err));
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "\"code\":\"NOT_FOUND\""));
  CHECK(str_has(json, "\"status\":404"));
  CHECK(str_has(json, aether_error_request_id(err)));
  CHECK(str_has(json, aether_error_client_request_id(err)));
  aether_string_free(json);
  aether_error_free(err);
  aether_client_free(client);
}

/* conformance/002_unauthorized_api_key: 401 with a request id, not retried. */
static void test_conformance_002_unauthorized_api_key(void) {
  aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
  aether_client *client = NULL;
  aether_profile_list *list = (aether_profile_list *)SENTINEL;
  aether_error *err = NULL;

  CHECK(mock_reset(NULL) == 0);
  options.api_key = "sk_test_not_the_right_key";
  options.base_url = mock_url();
  CHECK_OK(aether_client_new(&options, &client, &err), err);
  CHECK_STATUS(aether_profile_list_all(client, &list, &err), err, AETHER_ERROR_UNAUTHORIZED);
  CHECK(list == (aether_profile_list *)SENTINEL);
  CHECK(aether_error_http_status(err) == 401);
  CHECK(strncmp(aether_error_request_id(err), "req_", 4) == 0);
  aether_error_free(err);
  CHECK(journal_mentions("\"/v1/profiles\"") == 1);
  aether_client_free(client);
}

/* Uploads a fixture and waits until it is verified; NULL on failure (printed). */
static aether_media *ready_media(aether_client *client, const char *name) {
  aether_media *media = NULL, *ready = NULL;
  aether_error *err = NULL;
  aether_wait_options wait = AETHER_WAIT_OPTIONS_INIT;
  wait.poll_interval_ms = 50;
  wait.max_poll_interval_ms = 100;
  wait.timeout_ms = 30000;
  if (aether_media_upload(client, fixture(name), NULL, &media, &err) != AETHER_OK ||
      aether_media_wait_ready(client, aether_media_key(media), &wait, &ready, &err) != AETHER_OK) {
    fprintf(stderr, "    ready_media(%s): %s\n", name, aether_error_message(err));
    aether_error_free(err);
  }
  aether_media_free(media);
  return ready;
}

/* A builder for one profile and media on TikTok with this text. */
static aether_post_builder *tiktok_post(const char *profile, const aether_media *media,
                                        const char *text) {
  aether_post_builder *builder = NULL;
  if (aether_post_builder_new(&builder, NULL) != AETHER_OK) return NULL;
  if (aether_post_builder_set_text(builder, text, NULL) != AETHER_OK ||
      aether_post_builder_set_profile_id(builder, profile, NULL) != AETHER_OK ||
      aether_post_builder_add_media_key(builder, aether_media_key(media), NULL) != AETHER_OK ||
      aether_post_builder_set_platform(builder, "tiktok", "{}", NULL) != AETHER_OK) {
    aether_post_builder_free(builder);
    return NULL;
  }
  return builder;
}

/* conformance/009_caption_too_long: 2,201 characters or 1,101 emoji (2,202 UTF-16 units) are
 * too long for TikTok; 2,200 are accepted. */
/* Every documented shape from C: URL media by setter, a vendor body by JSON (a typo named with
 * its nearest name), two media forms refused before sending, and warnings read by getters. */
static void test_post_shapes_and_warnings(void) {
  aether_client *client;
  aether_media *media;
  aether_post_builder *builder;
  aether_post *post = NULL;
  aether_error *err = NULL;
  char *profile;

  CHECK(mock_reset(NULL) == 0);
  profile = mock_profile("tiktok", NULL);
  CHECK(profile != NULL);
  client = mock_client();
  media = ready_media(client, "h264_aac_faststart.mp4");
  CHECK(media != NULL);

  CHECK_OK(aether_post_builder_new(&builder, &err), err);
  CHECK_STATUS(aether_post_builder_add_media_url(builder, "http://127.0.0.1:9/a.gif", "gif", &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  aether_error_free(err);
  err = NULL;
  CHECK_STATUS(aether_post_builder_set_json(builder, "{\"text\":\"hi\",\"platfroms\":{}}", &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(str_has(aether_error_message(err), "did you mean `platforms`?"));
  CHECK_STR(aether_error_field(err), "platfroms");
  aether_error_free(err);
  err = NULL;

  /* A media key and a media URL: two forms of one thing, refused before sending. */
  CHECK_OK(aether_post_builder_set_profile_id(builder, profile, &err), err);
  CHECK_OK(aether_post_builder_add_media_key(builder, aether_media_key(media), &err), err);
  CHECK_OK(aether_post_builder_add_media_url(builder, "http://127.0.0.1:9/a.jpg", "image", &err),
           err);
  CHECK_STATUS(aether_post_create(client, builder, &post, &err), err,
               AETHER_ERROR_INVALID_REQUEST);
  CHECK_STR(aether_error_field(err), "media");
  CHECK(aether_error_http_status(err) == 0);
  aether_error_free(err);
  err = NULL;
  aether_post_builder_free(builder);

  /* Seven hashtags on TikTok: a warning, read with the getters; never an error. */
  builder = tiktok_post(profile, media, "Drop #a #b #c #d #e #f #g");
  CHECK_OK(aether_post_create(client, builder, &post, &err), err);
  CHECK(aether_post_warning_count(post) == 1);
  CHECK_STR(aether_post_warning_code(post, 0), "HASHTAGS_ABOVE_RECOMMENDED");
  CHECK_STR(aether_post_warning_field(post, 0), "content.text");
  CHECK_STR(aether_post_warning_platform(post, 0), "tiktok");
  CHECK(str_has(aether_post_warning_message(post, 0), "7 hashtags"));
  CHECK(aether_post_warning_code(post, 1) == NULL);
  CHECK(aether_post_media_count(post) == 1);
  CHECK_STR(aether_post_media_type(post, 0), "video");
  CHECK(aether_post_media_source_url(post, 0) == NULL);
  CHECK(aether_post_warning_count(NULL) == 0 && aether_post_warning_code(NULL, 0) == NULL);
  aether_post_free(post);
  aether_post_builder_free(builder);
  aether_media_free(media);
  aether_client_free(client);
  free(profile);
}

static void test_conformance_009_caption_too_long(void) {
  aether_client *client;
  aether_media *media;
  aether_post_builder *builder;
  aether_post *post = NULL;
  aether_error *err = NULL;
  char *profile;
  char *text;
  char *json = NULL;

  CHECK(mock_reset(NULL) == 0);
  profile = mock_profile("tiktok", NULL);
  CHECK(profile != NULL);
  client = mock_client();
  media = ready_media(client, "h264_aac_faststart.mp4");
  CHECK(media != NULL);

  text = repeat("a", 2201);
  builder = tiktok_post(profile, media, text);
  free(text);
  CHECK_STATUS(aether_post_create(client, builder, &post, &err), err,
               AETHER_ERROR_CAPTION_TOO_LONG);
  CHECK(aether_error_http_status(err) == 422);
  CHECK_STR(aether_error_field(err), "content.text");
  CHECK_STR(aether_error_platform(err), "tiktok");
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "\"measured\":2201"));
  aether_string_free(json);
  aether_error_free(err);
  err = NULL;
  aether_post_builder_free(builder);

  text = repeat("\xf0\x9f\x98\x80", 1101);
  builder = tiktok_post(profile, media, text);
  free(text);
  CHECK_STATUS(aether_post_create(client, builder, &post, &err), err,
               AETHER_ERROR_CAPTION_TOO_LONG);
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "\"measured\":2202"));
  aether_string_free(json);
  aether_error_free(err);
  err = NULL;
  aether_post_builder_free(builder);

  text = repeat("a", 2200);
  builder = tiktok_post(profile, media, text);
  free(text);
  CHECK_OK(aether_post_create(client, builder, &post, &err), err);
  CHECK_STR(aether_post_status(post), "publishing");
  aether_post_free(post);
  aether_post_builder_free(builder);

  aether_media_free(media);
  free(profile);
  aether_client_free(client);
}

/* conformance/019_video_too_short_preflight: refused before anything is sent. */
static void test_conformance_019_video_too_short_preflight(void) {
  aether_client *client;
  aether_media *media = (aether_media *)SENTINEL;
  aether_error *err = NULL;
  aether_upload_options upload = AETHER_UPLOAD_OPTIONS_INIT;
  const char *platforms[] = {"tiktok"};
  char *json = NULL;

  CHECK(mock_reset(NULL) == 0);
  client = mock_client();
  upload.platforms = platforms;
  upload.platform_count = 1;
  CHECK_STATUS(aether_media_upload(client, fixture("h264_14.9s.mp4"), &upload, &media, &err), err,
               AETHER_ERROR_VIDEO_TOO_SHORT);
  CHECK(media == (aether_media *)SENTINEL);
  CHECK(aether_error_http_status(err) == 0);
  CHECK_STR(aether_error_platform(err), "tiktok");
  CHECK_STR(aether_error_field(err), "file");
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "\"measured\":14900"));
  aether_string_free(json);
  aether_error_free(err);
  CHECK(journal_mentions("/v1/media") == 0);
  aether_client_free(client);
}

/* Capabilities (conformance 100/102): read back as the admin set them through the handle's
 * getters; an upload for a 30 s account of the 60 s fixture fails before a byte is sent. */
static void test_profile_capabilities(void) {
  aether_client *client;
  aether_capabilities *caps = NULL;
  aether_media *media = (aether_media *)SENTINEL;
  aether_error *err = NULL;
  aether_upload_options upload = AETHER_UPLOAD_OPTIONS_INIT;
  const char *profiles[1];
  char path[256];
  char *profile;
  char *answer;
  char *json = NULL;

  CHECK(mock_reset(NULL) == 0);
  client = mock_client();
  profile = mock_profile("tiktok", NULL);
  snprintf(path, sizeof path, "/_mock/profiles/%s/capabilities", profile);
  answer = mock_admin("PUT", path,
                      "{\"maxVideoDurationSec\":30,\"privacyLevelOptions\":[\"SELF_ONLY\"],"
                      "\"commentDisabled\":true}");
  CHECK(answer != NULL);
  free(answer);
  CHECK_OK(aether_profiles_capabilities(client, profile, &caps, &err), err);
  CHECK_STR(aether_capabilities_profile_id(caps), profile);
  CHECK_STR(aether_capabilities_platform(caps), "tiktok");
  CHECK_STR(aether_capabilities_tier(caps), "standard");
  CHECK(aether_capabilities_can_post(caps));
  CHECK(aether_capabilities_posts_remaining_today(caps) == 10);
  CHECK(aether_capabilities_quota_reset_at(caps) != NULL);
  CHECK(aether_capabilities_max_video_duration_sec(caps) == 30);
  CHECK(aether_capabilities_min_video_duration_sec(caps) == 15);
  CHECK(aether_capabilities_privacy_level_option_count(caps) == 1);
  CHECK_STR(aether_capabilities_privacy_level_option_at(caps, 0), "SELF_ONLY");
  CHECK(aether_capabilities_privacy_level_option_at(caps, 1) == NULL);
  CHECK(aether_capabilities_comment_disabled(caps) == 1);
  CHECK(aether_capabilities_duet_disabled(caps) == 0);
  CHECK(aether_capabilities_comment_disabled(NULL) == -1);
  aether_capabilities_free(caps);

  profiles[0] = profile;
  upload.profile_ids = profiles;
  upload.profile_id_count = 1;
  CHECK_STATUS(aether_media_upload(client, fixture("h264_60s.mp4"), &upload, &media, &err), err,
               AETHER_ERROR_VIDEO_TOO_LONG);
  CHECK(media == (aether_media *)SENTINEL);
  CHECK(aether_error_http_status(err) == 0);
  CHECK(str_has(aether_error_message(err), "at most 30 s; the video is 60 s"));
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "\"accountMaxSec\":30"));
  aether_string_free(json);
  aether_error_free(err);
  err = NULL;
  CHECK(journal_mentions("/v1/media") == 0);

  CHECK_STATUS(aether_profiles_capabilities(client, "tiktok_nobody", &caps, &err), err,
               AETHER_ERROR_NOT_FOUND);
  aether_error_free(err);
  err = NULL;

  /* A bad option is named the C way. */
  profiles[0] = "";
  CHECK_STATUS(aether_media_upload(client, fixture("h264_15s.mp4"), &upload, &media, &err), err,
               AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(str_has(aether_error_message(err), "options.profile_ids has an empty id at index 0"));
  aether_error_free(err);
  free(profile);
  aether_client_free(client);
}

/* conformance/022_invalid_platform_option: a bad value or an unknown option is refused by the
 * server, naming the option; a valid one is kept. */
static void test_conformance_022_invalid_platform_option(void) {
  static const struct {
    const char *options;
    const char *field;
  } refused[] = {
      {"{\"privacyLevel\":\"EVERYONE\"}", "platforms.tiktok.privacyLevel"},
      {"{\"autoCaptions\":true}", "platforms.tiktok.autoCaptions"},
  };
  aether_client *client;
  aether_media *media;
  aether_post_builder *builder;
  aether_post *post = NULL;
  aether_error *err = NULL;
  char *profile;
  char *json = NULL;
  size_t i;

  CHECK(mock_reset(NULL) == 0);
  profile = mock_profile("tiktok", NULL);
  client = mock_client();
  media = ready_media(client, "h264_aac_faststart.mp4");
  CHECK(profile != NULL && media != NULL);
  builder = tiktok_post(profile, media, "conformance #test");
  CHECK(builder != NULL);
  for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    CHECK_OK(aether_post_builder_set_platform(builder, "tiktok", refused[i].options, &err), err);
    CHECK_STATUS(aether_post_create(client, builder, &post, &err), err,
                 AETHER_ERROR_INVALID_PLATFORM_OPTION);
    CHECK(aether_error_http_status(err) == 422);
    CHECK_STR(aether_error_field(err), refused[i].field);
    CHECK_STR(aether_error_platform(err), "tiktok");
    aether_error_free(err);
    err = NULL;
  }
  CHECK_OK(aether_post_builder_set_platform(builder, "tiktok",
                                            "{\"privacyLevel\":\"SELF_ONLY\",\"disableDuet\":true}",
                                            &err),
           err);
  CHECK_OK(aether_post_create(client, builder, &post, &err), err);
  CHECK_STR(aether_post_status(post), "publishing");
  CHECK_OK(aether_post_platforms_json(post, &json, &err), err);
  CHECK(str_has(json, "\"privacyLevel\":\"SELF_ONLY\"") && str_has(json, "\"disableDuet\":true"));
  aether_string_free(json);
  aether_post_free(post);
  aether_post_builder_free(builder);
  aether_media_free(media);
  free(profile);
  aether_client_free(client);
}

/* conformance/027_post_limit_reached_and_reset: the 11th post of the day is refused with the
 * time to the reset; a day later posting works again. */
static void test_conformance_027_post_limit_reached_and_reset(void) {
  aether_client *client;
  aether_media *media;
  aether_post_builder *builder;
  aether_post *post = NULL;
  aether_error *err = NULL;
  char *profile;
  char *json = NULL;
  char *answer;
  int i;

  CHECK(mock_reset(NULL) == 0);
  profile = mock_profile("tiktok", NULL);
  client = mock_client();
  media = ready_media(client, "h264_aac_faststart.mp4");
  CHECK(profile != NULL && media != NULL);
  builder = tiktok_post(profile, media, "conformance #test");
  CHECK(builder != NULL);
  for (i = 0; i < 10; i++) {
    CHECK_OK(aether_post_create(client, builder, &post, &err), err);
    CHECK_STR(aether_post_status(post), "publishing");
    aether_post_free(post);
  }
  CHECK_STATUS(aether_post_create(client, builder, &post, &err), err,
               AETHER_ERROR_POST_LIMIT_REACHED);
  CHECK_STR(aether_error_code_str(aether_error_code(err)), "POST_LIMIT_REACHED");
  CHECK(aether_error_http_status(err) == 429);
  CHECK_STR(aether_error_platform(err), "tiktok");
  CHECK(aether_error_retry_after_ms(err) >= 1000);
  CHECK(aether_error_retry_after_ms(err) <= 86400000);
  CHECK(!aether_error_is_retryable(err));
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "\"resetAt\"") && str_has(json, "\"limit\":10"));
  aether_string_free(json);
  aether_error_free(err);
  err = NULL;

  answer = mock_admin("POST", "/_mock/clock/advance", "{\"seconds\":86400}");
  CHECK(answer != NULL);
  free(answer);
  CHECK_OK(aether_post_create(client, builder, &post, &err), err);
  CHECK_STR(aether_post_status(post), "publishing");
  aether_post_free(post);

  aether_post_builder_free(builder);
  aether_media_free(media);
  free(profile);
  aether_client_free(client);
}

/* A LinkedIn text post (LinkedIn needs no media); NULL on failure (printed). */
static aether_post *linkedin_post(aether_client *client, const char *profile, const char *text,
                                  int draft) {
  aether_post_builder *builder = NULL;
  aether_post *post = NULL;
  aether_error *err = NULL;
  if (aether_post_builder_new(&builder, &err) != AETHER_OK ||
      aether_post_builder_set_text(builder, text, &err) != AETHER_OK ||
      aether_post_builder_add_profile_id(builder, profile, &err) != AETHER_OK ||
      aether_post_builder_set_draft(builder, draft != 0, &err) != AETHER_OK ||
      aether_post_create(client, builder, &post, &err) != AETHER_OK) {
    fprintf(stderr, "    linkedin_post: %s\n", aether_error_message(err));
    aether_error_free(err);
  }
  aether_post_builder_free(builder);
  return post;
}

/* Webhook endpoints: create (secret shown once), list (no secrets), a signed delivery to a
 * receiver on 127.0.0.1, delete; the server's refusals come back as its errors. The secrets
 * are checked, never printed. */
static void test_webhook_endpoints(void) {
  const char *events[] = {"post.published", "post.failed"};
  const char *one[] = {"post.failed"};
  const char *unknown[] = {"post.exploded"};
  aether_client *client;
  receiver *hooks;
  aether_webhook *first = NULL, *second = NULL;
  aether_webhook *refused = (aether_webhook *)SENTINEL;
  aether_webhook_list *list = NULL;
  const aether_webhook *listed;
  aether_error *err = NULL;
  aether_post *post;
  receiver_delivery delivery;
  const char *secrets[1];
  char *json = NULL, *profile;
  long t;

  CHECK(mock_reset(NULL) == 0);
  client = mock_client();
  hooks = receiver_start();
  CHECK(client != NULL && hooks != NULL);
  profile = mock_profile("linkedin", NULL);
  CHECK(profile != NULL);

  CHECK_OK(aether_webhook_create(client, receiver_url(hooks), events, 2, &first, &err), err);
  CHECK(strncmp(aether_webhook_id(first), "wh_", 3) == 0);
  CHECK_STR(aether_webhook_url(first), receiver_url(hooks));
  CHECK(aether_webhook_event_count(first) == 2);
  CHECK_STR(aether_webhook_event_at(first, 0), "post.published");
  CHECK_STR(aether_webhook_event_at(first, 1), "post.failed");
  CHECK(aether_webhook_event_at(first, 2) == NULL);
  CHECK(aether_webhook_created_at(first) != NULL);
  CHECK(aether_webhook_secret(first) != NULL &&
        strncmp(aether_webhook_secret(first), "whsec_", 6) == 0);
  CHECK_OK(aether_webhook_to_json(first, &json, &err), err);
  CHECK(str_has(json, aether_webhook_id(first)) && str_has(json, "\"secret\":\"whsec_"));
  CHECK(str_has(json, "\"events\":[\"post.published\",\"post.failed\"]"));
  aether_string_free(json);
  json = NULL;
  CHECK_OK(aether_webhook_create(client, receiver_url(hooks), one, 1, &second, &err), err);
  CHECK(!str_eq(aether_webhook_secret(first), aether_webhook_secret(second)));

  /* Listed newest first, without secrets. */
  CHECK_OK(aether_webhook_list_all(client, &list, &err), err);
  CHECK(aether_webhook_list_count(list) == 2);
  CHECK(aether_webhook_list_at(list, 2) == NULL);
  listed = aether_webhook_list_at(list, 0);
  CHECK_STR(aether_webhook_id(listed), aether_webhook_id(second));
  CHECK(aether_webhook_secret(listed) == NULL);
  CHECK_STR(aether_webhook_id(aether_webhook_list_at(list, 1)), aether_webhook_id(first));
  CHECK_OK(aether_webhook_to_json(listed, &json, &err), err);
  CHECK(!str_has(json, "secret"));
  aether_string_free(json);
  json = NULL;
  aether_webhook_list_free(list);

  /* A real delivery verifies with its webhook's secret, not with the other one. The emulator
   * signs with its virtual clock, which other tests moved: judge it at its own `t`. */
  post = linkedin_post(client, profile, "tell my webhooks", 0);
  CHECK(post != NULL);
  CHECK(receiver_next(hooks, delivery_for_post, (void *)aether_post_id(post), 30000, &delivery) ==
        0);
  aether_post_free(post);
  t = signature_time(delivery.signature);
  secrets[0] = aether_webhook_secret(first);
  CHECK_OK(aether_webhook_verify_at((const uint8_t *)delivery.body, delivery.body_len,
                                    delivery.signature, secrets, 1, 0, t + 1, &err),
           err);
  CHECK_STATUS(aether_webhook_verify_at((const uint8_t *)delivery.body, delivery.body_len,
                                        delivery.signature, secrets, 1, 0, t + 301, &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "timestamp_outside_tolerance"));
  aether_string_free(json);
  json = NULL;
  aether_error_free(err);
  err = NULL;
  secrets[0] = aether_webhook_secret(second); /* subscribed to post.failed only */
  CHECK_STATUS(aether_webhook_verify_at((const uint8_t *)delivery.body, delivery.body_len,
                                        delivery.signature, secrets, 1, 0, t + 1, &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "signature_mismatch"));
  aether_string_free(json);
  json = NULL;
  aether_error_free(err);
  err = NULL;
  receiver_delivery_free(&delivery);

  /* The server's refusals. */
  CHECK_STATUS(aether_webhook_create(client, receiver_url(hooks), unknown, 1, &refused, &err), err,
               AETHER_ERROR_INVALID_REQUEST);
  CHECK_STR(aether_error_field(err), "events[0]");
  CHECK(aether_error_http_status(err) == 400);
  aether_error_free(err);
  err = NULL;
  CHECK_STATUS(aether_webhook_create(client, receiver_url(hooks), NULL, 0, &refused, &err), err,
               AETHER_ERROR_INVALID_REQUEST);
  CHECK_STR(aether_error_field(err), "events");
  aether_error_free(err);
  err = NULL;
  CHECK_STATUS(aether_webhook_create(client, "https://example.com/hooks", one, 1, &refused, &err),
               err, AETHER_ERROR_INVALID_REQUEST);
  CHECK_STR(aether_error_field(err), "url");
  aether_error_free(err);
  err = NULL;
  CHECK(refused == (aether_webhook *)SENTINEL);

  /* Delete; a second delete, or an unknown id, is NOT_FOUND with a request id. */
  CHECK_OK(aether_webhook_delete(client, aether_webhook_id(first), &err), err);
  CHECK_STATUS(aether_webhook_delete(client, aether_webhook_id(first), &err), err,
               AETHER_ERROR_NOT_FOUND);
  aether_error_free(err);
  err = NULL;
  CHECK_STATUS(aether_webhook_delete(client, "wh_unknown", &err), err, AETHER_ERROR_NOT_FOUND);
  CHECK(aether_error_http_status(err) == 404);
  CHECK(aether_error_request_id(err) != NULL &&
        strncmp(aether_error_request_id(err), "req_", 4) == 0);
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "\"code\":\"NOT_FOUND\""));
  aether_string_free(json);
  aether_error_free(err);
  err = NULL;
  CHECK_OK(aether_webhook_list_all(client, &list, &err), err);
  CHECK(aether_webhook_list_count(list) == 1);
  CHECK_STR(aether_webhook_id(aether_webhook_list_at(list, 0)), aether_webhook_id(second));
  aether_webhook_list_free(list);

  aether_webhook_free(first);
  aether_webhook_free(second);
  receiver_stop(hooks);
  free(profile);
  aether_client_free(client);
}

/* Inbox events and dead letters: a simulated comment arrives typed through
 * aether_webhook_construct_event_at(); with one attempt per delivery a refused one is failed,
 * listed by aether_webhook_deliveries(..., "failed") and redelivered by
 * aether_webhook_redeliver(): the same body, signed afresh, verifies at the receiver. */
static void test_inbox_event_and_redelivery(void) {
  static const char *const events[] = {"comment.created", "message.created", "message.updated"};
  aether_client *client;
  receiver *hooks;
  aether_webhook *hook = NULL;
  aether_event *event = NULL;
  aether_webhook_delivery_list *list = NULL;
  aether_webhook_delivery *again = (aether_webhook_delivery *)SENTINEL;
  const aether_webhook_delivery *dead;
  const aether_comment *comment;
  const aether_message *message;
  aether_error *err = NULL;
  receiver_delivery first, second;
  const char *secrets[1];
  char *profile, *answer, *message_id, *json = NULL;
  int i;
  long t;

  CHECK(mock_reset("{\"webhookMaxAttempts\":1}") == 0);
  client = mock_client();
  hooks = receiver_start();
  CHECK(client != NULL && hooks != NULL);
  profile = mock_profile("instagram", NULL);
  CHECK(profile != NULL);
  CHECK_OK(aether_webhook_create(client, receiver_url(hooks), events, 3, &hook, &err), err);
  CHECK(aether_webhook_event_count(hook) == 3);
  CHECK_STR(aether_webhook_event_at(hook, 2), "message.updated");
  secrets[0] = aether_webhook_secret(hook);

  /* A comment, typed. */
  answer = mock_simulate_comment(profile, "{\"text\":\"so good\",\"author\":{\"username\":\"fan1\"},"
                                          "\"platformPostId\":\"1801\"}");
  CHECK(answer != NULL);
  free(answer);
  CHECK(receiver_next(hooks, NULL, NULL, 10000, &first) == 0);
  t = signature_time(first.signature);
  CHECK_OK(aether_webhook_construct_event_at((const uint8_t *)first.body, first.body_len,
                                             first.signature, secrets, 1, 0, t, &event, &err),
           err);
  CHECK_STR(aether_event_type(event), "comment.created");
  CHECK(strncmp(aether_event_id(event), "evt_", 4) == 0);
  CHECK(aether_event_created_at(event) != NULL);
  CHECK(aether_event_post(event) == NULL && aether_event_message(event) == NULL);
  comment = aether_event_comment(event);
  CHECK(comment != NULL);
  CHECK(strncmp(aether_comment_id(comment), "cmt_", 4) == 0);
  CHECK_STR(aether_comment_profile_id(comment), profile);
  CHECK_STR(aether_comment_platform(comment), "instagram");
  CHECK_STR(aether_comment_author_username(comment), "fan1");
  CHECK(aether_comment_author_id(comment) != NULL && aether_comment_author_id(comment)[0] != 0);
  CHECK_STR(aether_comment_text(comment), "so good");
  CHECK_STR(aether_comment_platform_post_id(comment), "1801");
  CHECK(aether_comment_post_id(comment) == NULL);
  CHECK(aether_comment_created_at(comment) != NULL);
  CHECK_OK(aether_comment_to_json(comment, &json, &err), err);
  CHECK(str_has(json, "\"platformPostId\":\"1801\""));
  aether_string_free(json);
  json = NULL;
  aether_event_free(event);
  event = NULL;
  /* A body that verifies at another time only: refused, nothing written. */
  CHECK_STATUS(aether_webhook_construct_event_at((const uint8_t *)first.body, first.body_len,
                                                 first.signature, secrets, 1, 0, t + 301, &event,
                                                 &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(event == NULL);
  aether_error_free(err);
  err = NULL;

  receiver_delivery_free(&first);

  /* A message marked read: message.updated, typed. */
  answer = mock_simulate_message(profile, "{\"text\":\"hello?\"}");
  CHECK(answer != NULL);
  message_id = json_string(answer, "id");
  free(answer);
  CHECK(receiver_next(hooks, NULL, NULL, 10000, &second) == 0);
  receiver_delivery_free(&second);
  answer = mock_update_message(message_id, "{\"readAt\":\"2026-06-15T07:00:00Z\"}");
  CHECK(answer != NULL);
  free(answer);
  CHECK(receiver_next(hooks, NULL, NULL, 10000, &second) == 0);
  CHECK_OK(aether_webhook_construct_event_at((const uint8_t *)second.body, second.body_len,
                                             second.signature, secrets, 1, 0,
                                             signature_time(second.signature), &event, &err),
           err);
  receiver_delivery_free(&second);
  CHECK_STR(aether_event_type(event), "message.updated");
  message = aether_event_message(event);
  CHECK(message != NULL);
  CHECK_STR(aether_message_id(message), message_id);
  CHECK_STR(aether_message_direction(message), "inbound");
  CHECK_STR(aether_message_read_at(message), "2026-06-15T07:00:00.000Z");
  CHECK_STR(aether_message_text(message), "hello?");
  CHECK_STR(aether_message_platform(message), "instagram");
  CHECK(aether_message_conversation_id(message) != NULL);
  CHECK(aether_message_author_id(message) != NULL && aether_message_author_username(message) != NULL);
  CHECK(aether_message_profile_id(message) != NULL && aether_message_created_at(message) != NULL);
  aether_event_free(event);
  event = NULL;
  free(message_id);

  /* A refused delivery becomes a dead letter. */
  receiver_set_status(hooks, 500);
  answer = mock_simulate_comment(profile, "{\"text\":\"first!\"}");
  CHECK(answer != NULL);
  free(answer);
  CHECK(receiver_next(hooks, NULL, NULL, 10000, &first) == 0);
  for (i = 0; i < 200; i++) {
    CHECK_OK(aether_webhook_deliveries(client, aether_webhook_id(hook), "failed", &list, &err),
             err);
    if (aether_webhook_delivery_list_count(list) > 0) break;
    aether_webhook_delivery_list_free(list);
    list = NULL;
    sleep_ms(25);
  }
  CHECK(aether_webhook_delivery_list_count(list) == 1);
  dead = aether_webhook_delivery_list_at(list, 0);
  CHECK(aether_webhook_delivery_list_at(list, 1) == NULL);
  CHECK(strncmp(aether_webhook_delivery_id(dead), "dlv_", 4) == 0);
  CHECK_STR(aether_webhook_delivery_status(dead), "failed");
  CHECK_STR(aether_webhook_delivery_event_type(dead), "comment.created");
  CHECK(aether_webhook_delivery_attempts(dead) == 1);
  CHECK(aether_webhook_delivery_last_status_code(dead) == 500);
  CHECK(aether_webhook_delivery_last_attempt_at(dead) != NULL);
  CHECK(aether_webhook_delivery_next_attempt_at(dead) == NULL);
  CHECK_STR(aether_webhook_delivery_last_error(dead), "the receiver answered 500");
  CHECK(str_has(first.body, aether_webhook_delivery_event_id(dead)));

  /* Redelivered ten minutes later to a healthy receiver: the same body, a fresh signature. */
  receiver_set_status(hooks, 200);
  answer = mock_admin("POST", "/_mock/clock/advance", "{\"seconds\":600}");
  CHECK(answer != NULL);
  free(answer);
  CHECK_OK(aether_webhook_redeliver(client, aether_webhook_id(hook), aether_webhook_delivery_id(dead),
                                    &again, &err),
           err);
  CHECK_STR(aether_webhook_delivery_id(again), aether_webhook_delivery_id(dead));
  CHECK_STR(aether_webhook_delivery_event_id(again), aether_webhook_delivery_event_id(dead));
  CHECK_OK(aether_webhook_delivery_to_json(again, &json, &err), err);
  CHECK(str_has(json, "\"eventType\":\"comment.created\""));
  aether_string_free(json);
  json = NULL;
  aether_webhook_delivery_free(again);
  CHECK(receiver_next(hooks, NULL, NULL, 10000, &second) == 0);
  CHECK(second.body_len == first.body_len && memcmp(second.body, first.body, first.body_len) == 0);
  CHECK(!str_eq(second.signature, first.signature));
  t = signature_time(second.signature);
  CHECK(t >= signature_time(first.signature) + 600);
  CHECK_OK(aether_webhook_verify_at((const uint8_t *)second.body, second.body_len,
                                    second.signature, secrets, 1, 0, t, &err),
           err);
  CHECK_STATUS(aether_webhook_verify_at((const uint8_t *)first.body, first.body_len,
                                        first.signature, secrets, 1, 0, t, &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  aether_error_free(err);
  err = NULL;
  receiver_delivery_free(&first);
  receiver_delivery_free(&second);
  aether_webhook_delivery_list_free(list);

  /* Refusals. */
  again = (aether_webhook_delivery *)SENTINEL;
  CHECK_STATUS(aether_webhook_redeliver(client, aether_webhook_id(hook), "dlv_nope", &again, &err),
               err, AETHER_ERROR_NOT_FOUND);
  aether_error_free(err);
  err = NULL;
  CHECK(again == (aether_webhook_delivery *)SENTINEL);
  CHECK(aether_webhook_redeliver(client, aether_webhook_id(hook), NULL, &again, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_webhook_redeliver(client, "", "dlv_1", &again, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_webhook_deliveries(client, "wh_nope", NULL, &list, NULL) == AETHER_ERROR_NOT_FOUND);
  CHECK(aether_webhook_deliveries(NULL, "wh_1", NULL, &list, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_webhook_construct_event(NULL, 3, "t=1,v1=00", secrets, 1, 0, &event, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_event_id(NULL) == NULL && aether_event_comment(NULL) == NULL);
  CHECK(aether_comment_text(NULL) == NULL && aether_message_read_at(NULL) == NULL);
  CHECK(aether_webhook_delivery_attempts(NULL) == 0);
  CHECK(aether_webhook_delivery_list_count(NULL) == 0);
  aether_event_free(NULL);
  aether_webhook_delivery_free(NULL);
  aether_webhook_delivery_list_free(NULL);

  aether_webhook_free(hook);
  receiver_stop(hooks);
  free(profile);
  aether_client_free(client);
  CHECK(mock_reset(NULL) == 0);
}

/* Retry: a failed post publishes again (its error gone); a published one, a draft and an
 * unknown id are refused with their codes. */
static void test_post_retry(void) {
  aether_client *client;
  aether_post *post, *got = NULL, *retried = NULL, *draft;
  aether_error *err = NULL;
  char path[160], *answer, *profile, *json = NULL;

  CHECK(mock_reset(NULL) == 0);
  profile = mock_profile("linkedin", NULL);
  client = mock_client();
  CHECK(profile != NULL && client != NULL);
  post = linkedin_post(client, profile, "fails once", 0);
  CHECK(post != NULL);
  snprintf(path, sizeof path, "/_mock/posts/%s/outcome", aether_post_id(post));
  answer = mock_admin("POST", path, "{\"outcome\":\"failed\"}");
  CHECK(answer != NULL);
  free(answer);
  answer = mock_admin("POST", "/_mock/clock/advance", "{\"seconds\":2}");
  free(answer);
  CHECK_OK(aether_post_get(client, aether_post_id(post), &got, &err), err);
  CHECK_STR(aether_post_status(got), "failed");
  aether_post_free(got);

  CHECK_OK(aether_post_retry(client, aether_post_id(post), &retried, &err), err);
  CHECK_STR(aether_post_status(retried), "publishing");
  CHECK(!aether_post_is_terminal(retried));
  aether_post_free(retried);
  retried = NULL;
  answer = mock_admin("POST", "/_mock/clock/advance", "{\"seconds\":2}");
  free(answer);
  CHECK_OK(aether_post_get(client, aether_post_id(post), &got, &err), err);
  CHECK_STR(aether_post_status(got), "published");
  aether_post_free(got);

  CHECK_STATUS(aether_post_retry(client, aether_post_id(post), &retried, &err), err,
               AETHER_ERROR_POST_NOT_RETRYABLE);
  CHECK(aether_error_http_status(err) == 409);
  CHECK_STR(aether_error_code_str(AETHER_ERROR_POST_NOT_RETRYABLE), "POST_NOT_RETRYABLE");
  CHECK(str_has(aether_error_message(err), "is published"));
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(json != NULL && str_has(json, "\"status\":\"published\""));
  aether_string_free(json);
  aether_error_free(err);
  err = NULL;
  CHECK(retried == NULL);

  draft = linkedin_post(client, profile, "a draft", 1);
  CHECK(draft != NULL);
  CHECK_STATUS(aether_post_retry(client, aether_post_id(draft), &retried, &err), err,
               AETHER_ERROR_POST_NOT_RETRYABLE);
  CHECK(str_has(aether_error_message(err), "is draft"));
  aether_error_free(err);
  err = NULL;
  CHECK_STATUS(aether_post_retry(client, "post_nope", &retried, &err), err,
               AETHER_ERROR_NOT_FOUND);
  aether_error_free(err);
  CHECK(aether_post_retry(client, NULL, &retried, NULL) == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(aether_post_retry(client, aether_post_id(draft), NULL, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  aether_post_free(draft);
  aether_post_free(post);
  free(profile);
  aether_client_free(client);
}

/* The server retries a transient platform failure: while the retry waits the post stays
 * publishing, the target shows its attempts and when the next is due; then it publishes. */
static void test_publish_retry_attempts(void) {
  aether_client *client;
  aether_post *post, *waiting = NULL, *done = NULL;
  const aether_target_result *result;
  aether_error *err = NULL;
  char *profile, *answer;

  CHECK(mock_reset("{\"processingMs\":60000}") == 0);
  answer = mock_admin("POST", "/_mock/outcomes", "{\"transientFailures\":1}");
  CHECK(answer != NULL);
  free(answer);
  profile = mock_profile("linkedin", NULL);
  client = mock_client();
  CHECK(profile != NULL && client != NULL);
  post = linkedin_post(client, profile, "retried once", 0);
  CHECK(post != NULL);
  CHECK(aether_target_result_attempts(aether_post_result(post, 0)) == 1);

  answer = mock_admin("POST", "/_mock/clock/advance", "{\"seconds\":61}");
  CHECK(answer != NULL);
  free(answer);
  CHECK_OK(aether_post_get(client, aether_post_id(post), &waiting, &err), err);
  CHECK_STR(aether_post_status(waiting), "publishing");
  result = aether_post_result(waiting, 0);
  CHECK(aether_target_result_attempts(result) == 1);
  CHECK(aether_target_result_next_attempt_at(result) != NULL);
  CHECK(aether_target_result_error_code(result) == NULL);

  answer = mock_admin("POST", "/_mock/clock/advance", "{\"seconds\":600}");
  CHECK(answer != NULL);
  free(answer);
  CHECK_OK(aether_post_get(client, aether_post_id(post), &done, &err), err);
  CHECK_STR(aether_post_status(done), "published");
  result = aether_post_result(done, 0);
  CHECK(aether_target_result_attempts(result) == 2);
  CHECK(aether_target_result_next_attempt_at(result) == NULL);

  aether_post_free(done);
  aether_post_free(waiting);
  aether_post_free(post);
  free(profile);
  aether_client_free(client);
}

static void test_drafts_cancel_and_schedule_errors(void) {
  aether_client *client;
  aether_post *draft, *cancelled = NULL;
  aether_post_builder *builder = NULL;
  aether_post *post = (aether_post *)SENTINEL;
  aether_error *err = NULL;
  char *profile;

  CHECK(mock_reset(NULL) == 0);
  profile = mock_profile("linkedin", NULL);
  client = mock_client();
  CHECK(profile != NULL && client != NULL);
  draft = linkedin_post(client, profile, "a draft", 1);
  CHECK(draft != NULL);
  CHECK_STR(aether_post_status(draft), "draft");
  {
    aether_post_changes changes = AETHER_POST_CHANGES_INIT;
    aether_post *updated = NULL;
    changes.text = "a better draft";
    CHECK_OK(aether_post_update(client, aether_post_id(draft), &changes, &updated, &err), err);
    CHECK_STR(aether_post_text(updated), "a better draft");
    CHECK_STR(aether_post_status(updated), "draft");
    aether_post_free(updated);
    CHECK(aether_post_update(client, aether_post_id(draft), NULL, &updated, NULL) ==
          AETHER_ERROR_INVALID_ARGUMENT);
  }
  CHECK_OK(aether_post_cancel(client, aether_post_id(draft), &cancelled, &err), err);
  CHECK_STR(aether_post_status(cancelled), "cancelled");
  CHECK(aether_post_is_terminal(cancelled));
  aether_post_free(cancelled);
  CHECK_STATUS(aether_post_cancel(client, aether_post_id(draft), &cancelled, &err), err,
               AETHER_ERROR_POST_NOT_EDITABLE);
  CHECK(aether_error_http_status(err) == 409);
  aether_error_free(err);
  err = NULL;
  aether_post_free(draft);

  CHECK_OK(aether_post_builder_new(&builder, &err), err);
  CHECK_OK(aether_post_builder_set_text(builder, "scheduled", &err), err);
  CHECK_OK(aether_post_builder_add_profile_id(builder, profile, &err), err);
  CHECK_OK(aether_post_builder_set_schedule(builder, "2020-01-01T00:00:00Z", NULL, &err), err);
  CHECK_STATUS(aether_post_create(client, builder, &post, &err), err,
               AETHER_ERROR_SCHEDULE_IN_PAST);
  aether_error_free(err);
  err = NULL;
  CHECK_OK(aether_post_builder_set_schedule(builder, "2099-01-01T09:00:00", "Mars/Olympus", &err),
           err);
  CHECK_STATUS(aether_post_create(client, builder, &post, &err), err,
               AETHER_ERROR_INVALID_TIMEZONE);
  aether_error_free(err);
  CHECK(post == (aether_post *)SENTINEL);
  aether_post_builder_free(builder);
  free(profile);
  aether_client_free(client);
}

typedef struct {
  aether_cancel_token *token;
  long after_ms;
} cancel_later;

static void *cancel_thread(void *arg) {
  cancel_later *later = (cancel_later *)arg;
  sleep_ms(later->after_ms);
  aether_cancel_token_cancel(later->token);
  return NULL;
}

static void test_wait_deadline_and_cancel(void) {
  aether_client *client;
  aether_post *post, *done = (aether_post *)SENTINEL;
  aether_error *err = NULL;
  aether_wait_options wait = AETHER_WAIT_OPTIONS_INIT;
  aether_cancel_token *token = NULL;
  cancel_later later;
  pthread_t thread;
  char *profile;
  char *json = NULL;
  double started;

  CHECK(mock_reset("{\"processingMs\":600000}") == 0);
  profile = mock_profile("linkedin", NULL);
  client = mock_client();
  post = linkedin_post(client, profile, "takes ten minutes", 0);
  CHECK(post != NULL);

  /* The deadline passes: TIMEOUT with the last post seen in the details. */
  wait.poll_interval_ms = 50;
  wait.max_poll_interval_ms = 100;
  wait.timeout_ms = 300;
  CHECK_STATUS(aether_post_wait(client, aether_post_id(post), &wait, &done, &err), err,
               AETHER_ERROR_TIMEOUT);
  CHECK(done == (aether_post *)SENTINEL);
  CHECK_OK(aether_error_to_json(err, &json, NULL), err);
  CHECK(str_has(json, "\"lastStatus\":\"publishing\""));
  CHECK(str_has(json, aether_post_id(post)));
  aether_string_free(json);
  aether_error_free(err);
  err = NULL;

  /* Cancelled from another thread while waiting without a deadline. */
  CHECK_OK(aether_cancel_token_new(&token, &err), err);
  CHECK(!aether_cancel_token_is_cancelled(token));
  wait.timeout_ms = AETHER_NO_TIMEOUT;
  wait.cancel = token;
  later.token = token;
  later.after_ms = 200;
  started = now_ms();
  CHECK(pthread_create(&thread, NULL, cancel_thread, &later) == 0);
  CHECK_STATUS(aether_post_wait(client, aether_post_id(post), &wait, &done, &err), err,
               AETHER_ERROR_CANCELLED);
  pthread_join(thread, NULL);
  CHECK(now_ms() - started < 10000);
  CHECK(aether_cancel_token_is_cancelled(token));
  aether_error_free(err);
  err = NULL;

  /* Already cancelled: fails at once. */
  CHECK_STATUS(aether_post_wait(client, aether_post_id(post), &wait, &done, &err), err,
               AETHER_ERROR_CANCELLED);
  aether_error_free(err);
  aether_cancel_token_free(token);
  aether_post_free(post);
  free(profile);
  aether_client_free(client);
}

static void test_upload_errors(void) {
  aether_client *client;
  aether_media *media = (aether_media *)SENTINEL;
  aether_error *err = NULL;
  aether_upload_options upload = AETHER_UPLOAD_OPTIONS_INIT;
  aether_cancel_token *token = NULL;

  CHECK(mock_reset(NULL) == 0);
  client = mock_client();
  CHECK_STATUS(aether_media_upload(client, fixture("no_such_file.mp4"), NULL, &media, &err), err,
               AETHER_ERROR_IO_ERROR);
  aether_error_free(err);
  err = NULL;

  CHECK_OK(aether_cancel_token_new(&token, &err), err);
  aether_cancel_token_cancel(token);
  upload.cancel = token;
  CHECK_STATUS(aether_media_upload(client, fixture("h264_15s.mp4"), &upload, &media, &err), err,
               AETHER_ERROR_CANCELLED);
  CHECK(media == (aether_media *)SENTINEL);
  aether_error_free(err);
  aether_cancel_token_free(token);
  aether_client_free(client);
}

/* ---- media by URL ----------------------------------------------------------------------- */

/* Serves a fixture from the emulator's loopback file server (PUT /_mock/files/NAME); returns its
 * URL (malloc'd) or NULL. `free_box` > 0 pads the MP4 after its first box. */
static char *serve_fixture(const char *name, const char *fixture_name, long free_box) {
  char url[512], *bytes, *answer = NULL, *file_url;
  long size;
  int status = 0;
  FILE *file = fopen(fixture(fixture_name), "rb");
  if (file == NULL) return NULL;
  fseek(file, 0, SEEK_END);
  size = ftell(file);
  fseek(file, 0, SEEK_SET);
  bytes = (char *)malloc((size_t)size);
  if (fread(bytes, 1, (size_t)size, file) != (size_t)size) size = 0;
  fclose(file);
  if (free_box > 0) {
    snprintf(url, sizeof url, "%s/_mock/files/%s?contentType=video/mp4&freeBox=%ld", mock_url(),
             name, free_box);
  } else {
    snprintf(url, sizeof url, "%s/_mock/files/%s?contentType=video/mp4", mock_url(), name);
  }
  if (http_send("PUT", url, mock_admin_token(), bytes, (size_t)size, &status, &answer, NULL) != 0 ||
      status != 201) {
    free(bytes);
    free(answer);
    return NULL;
  }
  free(bytes);
  file_url = json_string(answer, "url");
  free(answer);
  return file_url;
}

/* Ingests `url` and waits: the wait's status, with the error's JSON in *json (free it). */
static aether_status ingest_and_wait(aether_client *client, const char *url, char **json) {
  aether_media *media = NULL, *ready = NULL;
  aether_error *err = NULL;
  aether_wait_options wait = AETHER_WAIT_OPTIONS_INIT;
  aether_status status;
  *json = NULL;
  wait.poll_interval_ms = 20;
  status = aether_media_ingest(client, url, NULL, &media, &err);
  if (status != AETHER_OK) {
    aether_error_to_json(err, json, NULL);
    aether_error_free(err);
    return status;
  }
  status = aether_media_wait_ready(client, aether_media_key(media), &wait, &ready, &err);
  if (status != AETHER_OK) aether_error_to_json(err, json, NULL);
  aether_error_free(err);
  aether_media_free(ready);
  aether_media_free(media);
  return status;
}

static void test_media_by_url(void) {
  aether_client *client;
  aether_media *media = NULL;
  aether_error *err = NULL;
  aether_upload_options upload = AETHER_UPLOAD_OPTIONS_INIT;
  const char *platforms[] = {"tiktok"};
  char *url, *short_url, *json = NULL, *stats, bad[1024];

  CHECK(mock_reset("{\"ingestTimeoutMs\": 300}") == 0);
  client = mock_client();
  url = serve_fixture("clip.mp4", "h264_15s.mp4", 0);
  CHECK(url != NULL && str_has(url, "/mock-files/clip.mp4"));
  if (url == NULL) return;

  CHECK_OK(aether_media_ingest(client, url, NULL, &media, &err), err);
  CHECK_STR(aether_media_status(media), "processing");
  CHECK_STR(aether_media_source_url(media), url);
  aether_media_free(media);
  CHECK(ingest_and_wait(client, url, &json) == AETHER_OK);
  aether_string_free(json);

  snprintf(bad, sizeof bad, "%s.gone", url);
  CHECK(ingest_and_wait(client, bad, &json) == AETHER_ERROR_MEDIA_FETCH_FAILED);
  CHECK(json != NULL && str_has(json, "\"reason\":\"not_found\"") && str_has(json, "\"httpStatus\":404"));
  aether_string_free(json);
  snprintf(bad, sizeof bad, "%s?stallMs=5000", url);
  CHECK(ingest_and_wait(client, bad, &json) == AETHER_ERROR_MEDIA_FETCH_FAILED);
  CHECK(json != NULL && str_has(json, "\"reason\":\"timeout\""));
  aether_string_free(json);
  snprintf(bad, sizeof bad, "%s?redirectLoop=true", url);
  CHECK(ingest_and_wait(client, bad, &json) == AETHER_ERROR_MEDIA_FETCH_FAILED);
  CHECK(json != NULL && str_has(json, "\"reason\":\"redirect_loop\""));
  aether_string_free(json);
  CHECK(ingest_and_wait(client, "https://cdn.example.com/a.mp4", &json) ==
        AETHER_ERROR_MEDIA_FETCH_FAILED);
  CHECK(json != NULL && str_has(json, "refused_host") && str_has(json, "loopback"));
  aether_string_free(json);
  CHECK(aether_media_ingest(client, NULL, NULL, &media, NULL) == AETHER_ERROR_INVALID_ARGUMENT);

  /* The preflight reads a few KiB with range requests and refuses before the ingest call. */
  short_url = serve_fixture("short.mp4", "h264_14.9s.mp4", 8000000);
  CHECK(short_url != NULL);
  upload.platforms = platforms;
  upload.platform_count = 1;
  media = (aether_media *)SENTINEL;
  CHECK_STATUS(aether_media_ingest(client, short_url, &upload, &media, &err), err,
               AETHER_ERROR_VIDEO_TOO_SHORT);
  CHECK(media == (aether_media *)SENTINEL);
  CHECK_STR(aether_error_field(err), "url");
  aether_error_free(err);
  stats = mock_admin("GET", "/_mock/files/short.mp4", NULL);
  CHECK(stats != NULL && json_long(stats, "rangeRequests", 0) >= 1);
  CHECK(stats != NULL && json_long(stats, "bytesServed", -1) <= 65536);
  free(stats);
  free(short_url);
  free(url);
  aether_client_free(client);
}

/* ---- watch ------------------------------------------------------------------------------ */

typedef struct {
  pthread_mutex_t lock;
  pthread_t main_thread;
  int calls;
  int finals;
  int on_main_thread;
  char statuses[8][32];
  int stop_inside;       /* stop the watch from inside the first callback */
  int free_inside;       /* free the watch from inside the first callback */
  aether_status join_inside;
  long sleep_inside_ms;  /* how long each callback takes */
  int running;           /* a callback is running now */
  int stop_returned;     /* set by the main thread once aether_watch_stop() returned */
  int after_stop;        /* callbacks that started after stop returned */
} watch_log;

static void on_post_event(const aether_post_event *event, void *user_data) {
  watch_log *log = (watch_log *)user_data;
  pthread_mutex_lock(&log->lock);
  if (log->stop_returned) log->after_stop++;
  if (pthread_equal(pthread_self(), log->main_thread)) log->on_main_thread = 1;
  if (log->calls < 8) {
    snprintf(log->statuses[log->calls], sizeof log->statuses[0], "%s",
             event->status ? event->status : aether_error_raw_code(event->error));
  }
  log->calls++;
  if (event->is_final) log->finals++;
  log->running = 1;
  pthread_mutex_unlock(&log->lock);

  if (log->sleep_inside_ms > 0) sleep_ms(log->sleep_inside_ms);
  if (log->stop_inside && log->calls == 1) {
    log->join_inside = aether_watch_join(event->watch, 0, NULL);
    aether_watch_stop(event->watch);
  }
  if (log->free_inside && log->calls == 1) {
    aether_watch_free(event->watch);
  }

  pthread_mutex_lock(&log->lock);
  log->running = 0;
  pthread_mutex_unlock(&log->lock);
}

static int log_calls(watch_log *log) {
  int calls;
  pthread_mutex_lock(&log->lock);
  calls = log->calls;
  pthread_mutex_unlock(&log->lock);
  return calls;
}

static void log_init(watch_log *log) {
  memset(log, 0, sizeof *log);
  pthread_mutex_init(&log->lock, NULL);
  log->main_thread = pthread_self();
  log->join_inside = AETHER_OK;
}

static aether_wait_options fast_wait(void) {
  aether_wait_options wait = AETHER_WAIT_OPTIONS_INIT;
  wait.poll_interval_ms = 50;
  wait.max_poll_interval_ms = 100;
  wait.timeout_ms = 30000;
  return wait;
}

static void test_watch_reports_every_status(void) {
  aether_client *client;
  aether_post *post;
  aether_watch *watch = NULL;
  aether_error *err = NULL;
  aether_wait_options wait = fast_wait();
  watch_log log;
  char *profile;

  CHECK(mock_reset("{\"processingMs\":300}") == 0);
  profile = mock_profile("linkedin", NULL);
  client = mock_client();
  post = linkedin_post(client, profile, "watched", 0);
  CHECK(post != NULL);
  log_init(&log);
  CHECK_OK(aether_post_watch(client, aether_post_id(post), &wait, on_post_event, &log, &watch,
                             &err),
           err);
  CHECK_OK(aether_watch_join(watch, 30000, &err), err);
  CHECK(aether_watch_is_finished(watch));
  aether_watch_free(watch);
  pthread_mutex_destroy(&log.lock);
  CHECK(log.calls == 2);
  CHECK(log.finals == 1);
  CHECK_STR(log.statuses[0], "publishing");
  CHECK_STR(log.statuses[1], "published");
  CHECK(!log.on_main_thread);
  aether_post_free(post);
  free(profile);
  aether_client_free(client);
}

static void test_watch_ends_with_an_error_event(void) {
  aether_client *client;
  aether_watch *watch = NULL;
  aether_error *err = NULL;
  aether_wait_options wait = fast_wait();
  watch_log log;

  CHECK(mock_reset(NULL) == 0);
  client = mock_client();
  log_init(&log);
  CHECK_OK(aether_post_watch(client, "post_nope", &wait, on_post_event, &log, &watch, &err), err);
  /* The client may go before the watch: the watch keeps what it needs. */
  aether_client_free(client);
  CHECK_OK(aether_watch_join(watch, 30000, &err), err);
  aether_watch_free(watch);
  pthread_mutex_destroy(&log.lock);
  CHECK(log.calls == 1 && log.finals == 1);
  CHECK_STR(log.statuses[0], "NOT_FOUND");
}

static void test_watch_stopped_inside_its_callback(void) {
  aether_client *client;
  aether_post *post;
  aether_watch *watch = NULL, *freed = NULL;
  aether_error *err = NULL;
  aether_wait_options wait = fast_wait();
  watch_log log, log_free;
  char *profile;
  double started;

  CHECK(mock_reset("{\"processingMs\":400}") == 0);
  profile = mock_profile("linkedin", NULL);
  client = mock_client();
  post = linkedin_post(client, profile, "stopped from inside", 0);
  CHECK(post != NULL);

  log_init(&log);
  log.stop_inside = 1;
  log_init(&log_free);
  log_free.free_inside = 1;
  CHECK_OK(aether_post_watch(client, aether_post_id(post), &wait, on_post_event, &log, &watch,
                             &err),
           err);
  CHECK_OK(aether_post_watch(client, aether_post_id(post), &wait, on_post_event, &log_free,
                             &freed, &err),
           err);
  started = now_ms();
  while ((log_calls(&log) < 1 || log_calls(&log_free) < 1) && now_ms() - started < 20000) {
    sleep_ms(10);
  }
  /* Past the moment the post is published: a second event would have come by now. */
  sleep_ms(1500);
  CHECK_OK(aether_watch_join(watch, 10000, &err), err);
  CHECK(aether_watch_is_finished(watch));
  aether_watch_free(watch);
  CHECK(log_calls(&log) == 1);
  CHECK(log_calls(&log_free) == 1);
  CHECK(log.join_inside == AETHER_ERROR_INVALID_ARGUMENT);
  CHECK_STR(log.statuses[0], "publishing");
  pthread_mutex_destroy(&log.lock);
  pthread_mutex_destroy(&log_free.lock);
  aether_post_free(post);
  free(profile);
  aether_client_free(client);
}

static void test_watch_stop_waits_for_a_running_callback(void) {
  aether_client *client;
  aether_post *post;
  aether_watch *watch = NULL;
  aether_error *err = NULL;
  aether_wait_options wait = fast_wait();
  watch_log log;
  char *profile;
  double started;
  int running;

  CHECK(mock_reset("{\"processingMs\":400}") == 0);
  profile = mock_profile("linkedin", NULL);
  client = mock_client();
  post = linkedin_post(client, profile, "stopped from outside", 0);
  CHECK(post != NULL);
  log_init(&log);
  log.sleep_inside_ms = 300;
  CHECK_OK(aether_post_watch(client, aether_post_id(post), &wait, on_post_event, &log, &watch,
                             &err),
           err);
  started = now_ms();
  for (;;) {
    pthread_mutex_lock(&log.lock);
    running = log.running;
    pthread_mutex_unlock(&log.lock);
    if (running || now_ms() - started > 20000) break;
    sleep_ms(5);
  }
  CHECK(running);
  aether_watch_stop(watch);
  pthread_mutex_lock(&log.lock);
  running = log.running;
  log.stop_returned = 1;
  pthread_mutex_unlock(&log.lock);
  CHECK(!running); /* stop waited for the callback in progress */
  sleep_ms(1200);  /* the post publishes meanwhile: no event may follow */
  pthread_mutex_lock(&log.lock);
  CHECK(log.after_stop == 0);
  CHECK(log.calls == 1);
  pthread_mutex_unlock(&log.lock);
  CHECK_OK(aether_watch_join(watch, 10000, &err), err);
  aether_watch_free(watch);
  pthread_mutex_destroy(&log.lock);
  aether_post_free(post);
  free(profile);
  aether_client_free(client);
}

/* ---- threads ---------------------------------------------------------------------------- */

typedef struct {
  aether_client *client;
  const char *profile;
  int index;
  int ok;
} worker;

static void *worker_main(void *arg) {
  worker *w = (worker *)arg;
  char text[64];
  aether_post *post, *again = NULL, *done = NULL;
  aether_profile *profile = NULL;
  aether_error *err = NULL;
  aether_wait_options wait = fast_wait();
  snprintf(text, sizeof text, "from thread %d", w->index);
  post = linkedin_post(w->client, w->profile, text, 0);
  if (post == NULL) return NULL;
  if (aether_post_get(w->client, aether_post_id(post), &again, &err) == AETHER_OK &&
      aether_profile_get(w->client, w->profile, &profile, &err) == AETHER_OK &&
      aether_post_wait(w->client, aether_post_id(post), &wait, &done, &err) == AETHER_OK) {
    w->ok = str_eq(aether_post_status(done), "published") &&
            str_eq(aether_post_text(again), text) &&
            str_eq(aether_profile_id(profile), w->profile);
  } else {
    fprintf(stderr, "    thread %d: %s\n", w->index, aether_error_message(err));
    aether_error_free(err);
  }
  aether_post_free(done);
  aether_post_free(again);
  aether_post_free(post);
  aether_profile_free(profile);
  return NULL;
}

/* Retries the server steers, and the trace context a client sends (issue 17). */
static void test_traceparent_and_steered_retries(void) {
  static const char traceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
  aether_client *client = NULL;
  aether_post *post = NULL;
  aether_error *err = NULL;
  char *answer;

  /* A malformed traceparent is refused, naming the option and the format. */
  options.api_key = mock_api_key();
  options.base_url = mock_url();
  options.traceparent = "00-abc-def-01";
  CHECK_STATUS(aether_client_new(&options, &client, &err), err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(str_has(aether_error_message(err), "options.traceparent"));
  CHECK(str_has(aether_error_message(err), "00-<32 hex trace id>-<16 hex parent id>"));
  aether_error_free(err);
  err = NULL;

  CHECK(mock_reset(NULL) == 0);
  options.traceparent = traceparent;
  options.retry_backoff_base_ms = 5;
  CHECK_OK(aether_client_new(&options, &client, &err), err);

  /* X-Should-Retry: false on a 503 the client would retry: one attempt. */
  answer = mock_admin("POST", "/_mock/faults",
                      "{\"method\":\"GET\",\"path\":\"/v1/posts/*\",\"times\":3,"
                      "\"action\":{\"type\":\"status\",\"status\":503,\"shouldRetry\":false}}");
  CHECK(answer != NULL);
  free(answer);
  CHECK_STATUS(aether_post_get(client, "post_x", &post, &err), err,
               AETHER_ERROR_SERVICE_UNAVAILABLE);
  CHECK(!aether_error_is_retryable(err));
  aether_error_free(err);
  err = NULL;
  CHECK(journal_mentions("\"/v1/posts/post_x\"") == 1);
  CHECK(journal_mentions(traceparent) == 1);
  free(mock_admin("DELETE", "/_mock/faults", NULL));

  /* Retry-After-Ms wins over a Retry-After of 40 s (too long to wait): retried. */
  answer = mock_admin("POST", "/_mock/faults",
                      "{\"method\":\"GET\",\"path\":\"/v1/posts/*\",\"times\":1,"
                      "\"action\":{\"type\":\"status\",\"status\":503,\"retryAfter\":40,"
                      "\"retryAfterMs\":50}}");
  CHECK(answer != NULL);
  free(answer);
  CHECK_STATUS(aether_post_get(client, "post_x", &post, &err), err, AETHER_ERROR_NOT_FOUND);
  aether_error_free(err);
  CHECK(journal_mentions("\"/v1/posts/post_x\"") == 3);
  CHECK(journal_mentions("\"retryCount\":1") == 1);
  /* Every attempt, the retry included, carried the client's traceparent. */
  CHECK(journal_mentions(traceparent) == 3);
  aether_client_free(client);
}

static void test_eight_threads_share_one_client(void) {
  enum { THREADS = 8 };
  pthread_t threads[THREADS];
  worker workers[THREADS];
  aether_client *client;
  char *profile;
  int i, ok = 0;

  CHECK(mock_reset("{\"processingMs\":200}") == 0);
  profile = mock_profile("linkedin", NULL);
  client = mock_client();
  CHECK(profile != NULL && client != NULL);
  for (i = 0; i < THREADS; i++) {
    workers[i].client = client;
    workers[i].profile = profile;
    workers[i].index = i;
    workers[i].ok = 0;
    CHECK(pthread_create(&threads[i], NULL, worker_main, &workers[i]) == 0);
  }
  for (i = 0; i < THREADS; i++) {
    pthread_join(threads[i], NULL);
    ok += workers[i].ok;
  }
  CHECK(ok == THREADS);
  CHECK(journal_mentions("\"POST\"") >= THREADS);
  free(profile);
  aether_client_free(client);
}

/* ---- fork ------------------------------------------------------------------------------- */

/* A forked child has none of the parent's runtime threads: the library builds a new runtime
 * there, so both the parent's client and a new one work in the child. (Skipped under valgrind,
 * which would run a leak check in the child, where the parent's runtime is deliberately
 * leaked.) */
static void test_fork_child_gets_its_own_runtime(void) {
  aether_client *client;
  aether_profile_list *list = NULL;
  aether_error *err = NULL;
  pid_t child;
  int status = 0;

  if (getenv("AETHER_TEST_UNDER_VALGRIND") != NULL) {
    printf("(skipped under valgrind) ");
    return;
  }
  CHECK(mock_reset(NULL) == 0);
  client = mock_client();
  CHECK(client != NULL);
  CHECK_OK(aether_profile_list_all(client, &list, &err), err);
  aether_profile_list_free(list);
  list = NULL;
  fflush(NULL);
  child = fork();
  CHECK(child >= 0);
  if (child == 0) {
    aether_client *fresh = mock_client();
    aether_profile_list *again = NULL;
    int ok = aether_profile_list_all(client, &list, NULL) == AETHER_OK &&
             aether_profile_list_all(fresh, &again, NULL) == AETHER_OK;
    _exit(ok ? 0 : 1);
  }
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK_OK(aether_profile_list_all(client, &list, &err), err);
  aether_profile_list_free(list);
  aether_client_free(client);
}

/* ======================================================================================== */

/* Bulk CSV: a file by path (quoted comma, a cell over two lines, a bad row among good ones)
 * read through every getter, the rows form as JSON, a dry run, and a malformed file. */
static void test_bulk_csv(void) {
  aether_client *client;
  aether_bulk_result *result = NULL;
  const aether_bulk_row_result *row;
  aether_error *err = NULL;
  char path[] = "/tmp/aether-bulk-c-XXXXXX";
  char csv[512], rows[512];
  char *profile, *json = NULL;
  FILE *file;
  int fd;

  CHECK(mock_reset(NULL) == 0);
  profile = mock_profile("linkedin", NULL);
  client = mock_client();
  CHECK(profile != NULL && client != NULL);
  snprintf(csv, sizeof csv,
           "text,profileIds\r\n\"Hello, world\",%s\r\n\"two\nlines\",%s\r\nnobody,li_nobody\r\n",
           profile, profile);
  fd = mkstemp(path);
  CHECK(fd >= 0);
  file = fdopen(fd, "w");
  CHECK(file != NULL && fputs(csv, file) >= 0);
  fclose(file);

  CHECK_OK(aether_posts_bulk_file(client, path, false, NULL, &result, &err), err);
  CHECK(!aether_bulk_result_dry_run(result));
  CHECK(aether_bulk_result_total(result) == 3);
  CHECK(aether_bulk_result_created(result) == 2);
  CHECK(aether_bulk_result_failed(result) == 1);
  CHECK(aether_bulk_result_row_count(result) == 3);
  row = aether_bulk_result_row(result, 1);
  CHECK(aether_bulk_row_result_row(row) == 2 && aether_bulk_row_result_line(row) == 3);
  CHECK(aether_bulk_row_result_ok(row));
  CHECK_STR(aether_post_text(aether_bulk_row_result_post(row)), "two\nlines");
  CHECK(strncmp(aether_bulk_row_result_post_id(row), "post_", 5) == 0);
  CHECK(aether_bulk_row_result_error_code(row) == NULL);
  row = aether_bulk_result_row(result, 2);
  CHECK(aether_bulk_row_result_line(row) == 5 && !aether_bulk_row_result_ok(row));
  CHECK_STR(aether_bulk_row_result_error_code(row), "NOT_FOUND");
  CHECK(aether_bulk_row_result_error_message(row) != NULL);
  CHECK(aether_bulk_row_result_post(row) == NULL && aether_bulk_row_result_post_id(row) == NULL);
  CHECK(aether_bulk_result_row(result, 3) == NULL);
  CHECK_OK(aether_bulk_result_to_json(result, &json, &err), err);
  CHECK(json != NULL && strstr(json, "\"created\":2") != NULL);
  aether_string_free(json);
  aether_bulk_result_free(result);
  result = NULL;

  snprintf(rows, sizeof rows,
           "[{\"text\": \"a, b\", \"profileIds\": [\"%s\"]}, {\"text\": \"c\", "
           "\"profileIds\": [\"%s\"], \"title\": \"T\"}]",
           profile, profile);
  CHECK_OK(aether_posts_bulk_rows_json(client, rows, true, "c-bulk-dry", &result, &err), err);
  CHECK(aether_bulk_result_dry_run(result) && aether_bulk_result_created(result) == 0);
  CHECK(aether_bulk_row_result_ok(aether_bulk_result_row(result, 0)));
  CHECK(aether_bulk_row_result_post(aether_bulk_result_row(result, 0)) == NULL);
  aether_bulk_result_free(result);
  result = NULL;
  CHECK_STATUS(aether_posts_bulk_rows_json(client, "[{\"text\": \"x\", \"mediaKey\": []}]",
                                           false, NULL, &result, &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(aether_error_message(err), "mediaKey") != NULL);
  aether_error_free(err);
  err = NULL;

  file = fopen(path, "w");
  CHECK(file != NULL && fputs("text,profileIds\nok,p\n\"never closed,p\nmore,p\n", file) >= 0);
  fclose(file);
  CHECK_STATUS(aether_posts_bulk_file(client, path, false, NULL, &result, &err), err,
               AETHER_ERROR_BULK_INVALID);
  CHECK(aether_error_to_json(err, &json, NULL) == AETHER_OK);
  CHECK(strstr(json, "\"line\":3") != NULL);
  aether_string_free(json);
  aether_error_free(err);
  err = NULL;
  CHECK(result == NULL);
  CHECK(aether_posts_bulk_file(client, NULL, false, NULL, &result, NULL) ==
        AETHER_ERROR_INVALID_ARGUMENT);
  unlink(path);
  free(profile);
  aether_client_free(client);
}

/* Log lines (aether_set_log_callback) and hooks: every level, no secret in any line, bodies
 * only at trace; the hooks in order with their attempt numbers under an injected 503. */
typedef struct {
  pthread_mutex_t lock;
  char text[65536];
  size_t len;
  int lines[6];
  char hooks[256]; /* "q1 s1:503 r1 q2 s2:404 " */
} observed;

static void on_log(aether_log_level level, const char *line, void *user_data) {
  observed *seen = (observed *)user_data;
  size_t n = strlen(line);
  pthread_mutex_lock(&seen->lock);
  seen->lines[level]++;
  if (seen->len + n + 2 < sizeof seen->text) {
    memcpy(seen->text + seen->len, line, n);
    seen->len += n;
    seen->text[seen->len++] = '\n';
    seen->text[seen->len] = '\0';
  }
  pthread_mutex_unlock(&seen->lock);
}

static void record_hook(observed *seen, char kind, const aether_attempt_event *event) {
  char entry[32];
  pthread_mutex_lock(&seen->lock);
  if (kind == 's')
    snprintf(entry, sizeof entry, "s%u:%u ", event->attempt, (unsigned)event->status);
  else
    snprintf(entry, sizeof entry, "%c%u ", kind, event->attempt);
  if (strlen(seen->hooks) + strlen(entry) < sizeof seen->hooks) strcat(seen->hooks, entry);
  pthread_mutex_unlock(&seen->lock);
}

static void on_request_hook(const aether_attempt_event *event, void *user_data) {
  record_hook((observed *)user_data, 'q', event);
}

static void on_response_hook(const aether_attempt_event *event, void *user_data) {
  record_hook((observed *)user_data, 's', event);
  if (strcmp(event->method, "GET") != 0) return; /* the webhook's create */
  CHECK(strncmp(event->client_request_id, "creq_", 5) == 0);
  CHECK(event->request_id != NULL && strncmp(event->request_id, "req_", 4) == 0);
  CHECK(event->error_code != NULL); /* 503, then 404 */
  CHECK(event->next_delay_ms == -1);
}

static void on_retry_hook(const aether_attempt_event *event, void *user_data) {
  record_hook((observed *)user_data, 'r', event);
  CHECK(event->next_delay_ms >= 0 && event->next_delay_ms <= 50);
  CHECK(strcmp(event->error_code, "SERVICE_UNAVAILABLE") == 0);
}

static void test_logs_and_hooks(void) {
  static const char *levels[] = {"error", "warn", "info", "debug", "trace"};
  const char *events[] = {"post.published"};
  size_t i;
  int l;

  for (i = 0; i < 5; i++) {
    aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
    aether_client *client = NULL;
    aether_webhook *webhook = NULL;
    aether_post *post = NULL;
    aether_error *err = NULL;
    observed *seen = calloc(1, sizeof *seen);
    char *answer, *secret;

    pthread_mutex_init(&seen->lock, NULL);
    CHECK(mock_reset(NULL) == 0);
    aether_set_log_callback(on_log, seen);
    options.api_key = mock_api_key();
    options.base_url = mock_url();
    options.retry_backoff_base_ms = 5;
    options.retry_backoff_cap_ms = 50;
    options.log_level = levels[i];
    options.on_request = on_request_hook;
    options.on_response = on_response_hook;
    options.on_retry = on_retry_hook;
    options.hook_user_data = seen;
    CHECK_OK(aether_client_new(&options, &client, &err), err);

    CHECK_OK(aether_webhook_create(client, "http://127.0.0.1:9/hooks", events, 1, &webhook, &err),
             err);
    secret = strdup(aether_webhook_secret(webhook));
    aether_webhook_free(webhook);
    memset(seen->hooks, 0, sizeof seen->hooks);
    answer = mock_admin("POST", "/_mock/faults",
                        "{\"method\":\"GET\",\"path\":\"/v1/posts/*\",\"times\":1,"
                        "\"action\":{\"type\":\"status\",\"status\":503}}");
    CHECK(answer != NULL);
    free(answer);
    CHECK_STATUS(aether_post_get(client, "post_missing", &post, &err), err,
                 AETHER_ERROR_NOT_FOUND);
    aether_error_free(err);
    aether_client_free(client);
    aether_set_log_callback(NULL, NULL);

    pthread_mutex_lock(&seen->lock);
    CHECK_STR(seen->hooks, "q1 s1:503 r1 q2 s2:404 ");
    CHECK(!str_has(seen->text, mock_api_key()));
    CHECK(!str_has(seen->text, secret));
    for (l = 1; l <= 5; l++) CHECK((seen->lines[l] > 0) == (l <= (int)i + 1 && l != 2));
    CHECK(str_has(seen->text, "GET /v1/posts/post_missing failed after 2 attempts (404 NOT_FOUND)"));
    CHECK(str_has(seen->text, "body") == (i == 4));
    if (i == 4) CHECK(str_has(seen->text, "\"secret\":\"[redacted]\""));
    if (i >= 3) CHECK(str_has(seen->text, "-> 503 SERVICE_UNAVAILABLE (attempt 1,"));
    pthread_mutex_unlock(&seen->lock);
    pthread_mutex_destroy(&seen->lock);
    free(secret);
    free(seen);
  }
}

typedef struct {
  const char *name;
  void (*run)(void);
  int needs_emulator;
} test_case;

/* aether_request: an endpoint the library does not wrap (the platforms table) with its
 * response's headers, a POST under one idempotency key made once, extra headers and query
 * reaching the server, a retried 503, and a URL to another origin refused. */
static void test_request_and_raw_response(void) {
  aether_client *client;
  aether_response *response = NULL;
  aether_error *err = NULL;
  char *json = NULL, *again = NULL, *profile, *body, *id1, *id2;
  char *journal;

  CHECK(mock_reset(NULL) == 0);
  client = mock_client();
  CHECK_OK(aether_request(client, "GET", "/v1/platforms", NULL, NULL,
                          "{\"extraHeaders\": {\"X-Trace-Tag\": \"c-blue\"}}", &json, &response,
                          &err),
           err);
  CHECK(str_has(json, "\"tiktok\""));
  CHECK(aether_response_status(response) == 200);
  CHECK(strncmp(aether_response_request_id(response), "req_", 4) == 0);
  CHECK_STR(aether_response_header(response, "X-Request-Id"), aether_response_request_id(response));
  CHECK(aether_response_header(response, "x-ratelimit-limit") != NULL);
  CHECK(aether_response_header(response, "X-RateLimit-Remaining") != NULL);
  CHECK(aether_response_header(response, "x-not-sent") == NULL);
  aether_response_free(response);
  response = NULL;
  aether_string_free(json);
  json = NULL;
  CHECK(journal_mentions("\"x-trace-tag\":\"c-blue\"") == 1);

  profile = mock_profile("linkedin", NULL);
  body = malloc(256);
  snprintf(body, 256, "{\"profileId\": \"%s\", \"content\": {\"text\": \"via request\"}}", profile);
  CHECK_OK(aether_request(client, "POST", "/v1/posts", body, NULL,
                          "{\"idempotencyKey\": \"c-raw-1\"}", &json, &response, &err),
           err);
  CHECK(aether_response_status(response) == 201);
  CHECK(!aether_response_replayed(response));
  CHECK_STR(aether_response_idempotency_key(response), "c-raw-1");
  aether_response_free(response);
  response = NULL;
  CHECK_OK(aether_request(client, "post", "/v1/posts", body, NULL,
                          "{\"idempotencyKey\": \"c-raw-1\"}", &again, &response, &err),
           err);
  CHECK(aether_response_replayed(response));
  id1 = json_string(json, "id");
  id2 = json_string(again, "id");
  CHECK(id1 != NULL && str_eq(id1, id2));
  free(id1);
  free(id2);
  aether_response_free(response);
  response = NULL;
  aether_string_free(json);
  aether_string_free(again);
  json = NULL;
  free(body);
  free(profile);

  free(mock_admin("POST", "/_mock/faults",
                  "{\"method\": \"GET\", \"path\": \"/v1/platforms\", \"times\": 1, "
                  "\"action\": {\"type\": \"status\", \"status\": 503}}"));
  CHECK_OK(aether_request(client, "GET", "/v1/platforms", NULL, "{\"limit\": 5}", NULL, &json,
                          NULL, &err),
           err);
  aether_string_free(json);
  json = NULL;
  journal = mock_admin("GET", "/_mock/journal", NULL);
  CHECK(str_has(journal, "\"status\":503"));
  CHECK(str_has(journal, "\"query\":\"limit=5\""));
  free(journal);

  CHECK_STATUS(aether_request(client, "GET", "https://evil.example/v1/posts", NULL, NULL, NULL,
                              &json, NULL, &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  CHECK(json == NULL);
  CHECK(str_has(aether_error_message(err), "not a URL"));
  aether_error_free(err);
  err = NULL;
  CHECK_STATUS(aether_request(client, "GET", "/v1/posts", NULL, NULL,
                              "{\"extraHeaders\": {\"Authorization\": \"Bearer x\"}}", &json, NULL,
                              &err),
               err, AETHER_ERROR_INVALID_ARGUMENT);
  aether_error_free(err);
  err = NULL;
  CHECK_STATUS(aether_request(client, "GET", "/v1/posts/post_missing", NULL, NULL, NULL, &json,
                              NULL, &err),
               err, AETHER_ERROR_NOT_FOUND);
  aether_error_free(err);
  aether_client_free(client);
}

static const test_case tests[] = {
    {"version", test_version, 0},
    {"error_code_strings", test_error_code_strings, 0},
    {"client_options_are_checked", test_client_options_are_checked, 0},
    {"client_defaults_come_from_the_library", test_client_defaults_come_from_the_library, 0},
    {"null_and_invalid_arguments", test_null_and_invalid_arguments, 0},
    {"platform_options_json_is_checked", test_platform_options_json_is_checked, 0},
    {"webhook_signatures", test_webhook_signatures, 0},
    {"webhook_arguments_are_checked", test_webhook_arguments_are_checked, 0},
    {"tutorial_flow", test_tutorial_flow, 1},
    {"tls_trust_and_client_certificate", test_tls_trust_and_client_certificate, 1},
    {"proxy_connect_tunnel_and_credentials", test_proxy_connect_tunnel_and_credentials, 1},
    {"error_details_from_the_server", test_error_details_from_the_server, 1},
    {"conformance_002_unauthorized_api_key", test_conformance_002_unauthorized_api_key, 1},
    {"post_shapes_and_warnings", test_post_shapes_and_warnings, 1},
    {"conformance_009_caption_too_long", test_conformance_009_caption_too_long, 1},
    {"conformance_019_video_too_short_preflight", test_conformance_019_video_too_short_preflight,
     1},
    {"conformance_022_invalid_platform_option", test_conformance_022_invalid_platform_option, 1},
    {"profile_capabilities", test_profile_capabilities, 1},
    {"conformance_027_post_limit_reached_and_reset",
     test_conformance_027_post_limit_reached_and_reset, 1},
    {"webhook_endpoints", test_webhook_endpoints, 1},
    {"inbox_event_and_redelivery", test_inbox_event_and_redelivery, 1},
    {"drafts_cancel_and_schedule_errors", test_drafts_cancel_and_schedule_errors, 1},
    {"post_retry", test_post_retry, 1},
    {"request_and_raw_response", test_request_and_raw_response, 1},
    {"publish_retry_attempts", test_publish_retry_attempts, 1},
    {"bulk_csv", test_bulk_csv, 1},
    {"wait_deadline_and_cancel", test_wait_deadline_and_cancel, 1},
    {"upload_errors", test_upload_errors, 1},
    {"media_by_url", test_media_by_url, 1},
    {"watch_reports_every_status", test_watch_reports_every_status, 1},
    {"watch_ends_with_an_error_event", test_watch_ends_with_an_error_event, 1},
    {"watch_stopped_inside_its_callback", test_watch_stopped_inside_its_callback, 1},
    {"watch_stop_waits_for_a_running_callback", test_watch_stop_waits_for_a_running_callback, 1},
    {"traceparent_and_steered_retries", test_traceparent_and_steered_retries, 1},
    {"eight_threads_share_one_client", test_eight_threads_share_one_client, 1},
    {"fork_child_gets_its_own_runtime", test_fork_child_gets_its_own_runtime, 1},
    {"logs_and_hooks", test_logs_and_hooks, 1},
};

int main(int argc, char **argv) {
  const char *filter = argc > 1 ? argv[1] : NULL;
  size_t i;
  int passed = 0, failed = 0, have_emulator;

  have_emulator = mock_load() == 0;
  for (i = 0; i < sizeof tests / sizeof tests[0]; i++) {
    double started;
    if (filter != NULL && strstr(tests[i].name, filter) == NULL) continue;
    printf("test %s ... ", tests[i].name);
    fflush(stdout);
    if (tests[i].needs_emulator && !have_emulator) {
      printf("FAILED (no emulator)\n");
      failed++;
      continue;
    }
    test_reset_failed();
    started = now_ms();
    tests[i].run();
    if (test_failed()) {
      printf("FAILED\n");
      failed++;
    } else {
      printf("ok (%.0f ms)\n", now_ms() - started);
      passed++;
    }
    fflush(stdout);
  }
  printf("\n%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
