/*
 * The cross-language conformance scenarios (tests/conformance/NNN_name.json, described in
 * tests/conformance/README.md) run through libaether's C API.
 *
 *   conformance [FILTER]    runs the scenarios whose file name contains FILTER (all without)
 *
 * Needs a running emulator (AETHER_MOCK_URL, AETHER_MOCK_ADMIN_TOKEN, AETHER_MOCK_API_KEY, as
 * for test_aether); each scenario starts from POST /_mock/reset, with its own webhook receiver
 * (tests/c/support.c: 127.0.0.1, a port the system picks) whose URL is $receiver.url. Client
 * operations go through the C API only; setup (except its webhooks), admin.*,
 * connectLinks.approve and journal.count use the admin API. A scenario that needs an operation
 * or an input the C API does not offer is not run, and is listed with what it needs: loudly,
 * as "N skipped" in the summary, never silently.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aether.h"
#include "json.h"
#include "support.h"

/* Chaos mode (AETHER_CHAOS_SEED, AETHER_CHAOS_RATE; tests/conformance/README.md): random
 * faults from the seed plus the scenario's number on that share of the API requests, turned on
 * after the setup. Counting steps are left out (the emulator's report stands in for them), a
 * step with `reconcile` that fails is judged on that read instead, and a scenario has a time
 * bound. */
static const char *chaos_seed;
static double chaos_rate = 0.1;
static long chaos_number;
#define CHAOS_TIME_BOUND_S 60.0

/* Set while `supported` asks run_op whether it has an operation: is_op then notes the match
 * and answers no, so that nothing runs. */
static int probing, probe_hit;

/* Whether run_op should run `name` (never while probing). */
static int is_op(const char *op, const char *name) {
  if (strcmp(op, name) != 0) return 0;
  if (probing) probe_hit = 1;
  return !probing;
}

static jvalue *take_hook_events(void);

#define MAX_VARS 64

typedef struct {
  char *names[MAX_VARS];
  jvalue *values[MAX_VARS];
  size_t count;
  char failure[4096];
  receiver *receiver; /* the scenario's webhook receiver */
  jvalue *warned;     /* the warning codes of the last post returned (aether_post_warning_code) */
} state;

static int failf(state *s, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(s->failure, sizeof s->failure, format, args);
  va_end(args);
  return -1;
}

static void store(state *s, const char *name, const jvalue *value) {
  size_t i;
  for (i = 0; i < s->count; i++) {
    if (strcmp(s->names[i], name) == 0) {
      json_free(s->values[i]);
      s->values[i] = json_clone(value);
      return;
    }
  }
  if (s->count < MAX_VARS) {
    s->names[s->count] = (char *)malloc(strlen(name) + 1);
    strcpy(s->names[s->count], name);
    s->values[s->count++] = json_clone(value);
  }
}

static void forget_all(state *s) {
  size_t i;
  for (i = 0; i < s->count; i++) {
    free(s->names[i]);
    json_free(s->values[i]);
  }
  s->count = 0;
}

static const char *text_of(const jvalue *object, const char *key) {
  const jvalue *value = json_get(object, key);
  return value != NULL && value->type == J_STRING ? value->string : NULL;
}

/* ---- variables and generators ------------------------------------------------------------ */

static int admin_json(state *s, const char *method, const char *path, const jvalue *body,
                      jvalue **result);
static int parse_instant(const char *text, double *out);

/* The emulator's clock (GET /_mock/clock) in unix seconds; 0 on success. */
static int emulator_clock(state *s, double *now) {
  jvalue *clock = NULL;
  int outcome;
  if (admin_json(s, "GET", "/_mock/clock", NULL, &clock) != 0) return -1;
  outcome = parse_instant(text_of(clock, "now"), now);
  json_free(clock);
  return outcome == 0 ? 0 : failf(s, "the emulator's clock is unreadable");
}

/* {"$time": "+2d", "zone": "America/New_York", "at": "09:00", "format": "local"}: the
 * emulator's clock moved by the offset, then (with `at`) set to that wall time in `zone`
 * (default UTC), written as a UTC instant, a local date-time, or unix seconds. Time zones come
 * from the system's tz database (TZ and localtime_r / mktime). */
static jvalue *time_generator(state *s, const jvalue *spec) {
  const char *offset = text_of(spec, "$time");
  const char *zone = text_of(spec, "zone") ? text_of(spec, "zone") : "UTC";
  const char *at = text_of(spec, "at");
  const char *format = text_of(spec, "format") ? text_of(spec, "format") : "utc";
  const char *old_tz = getenv("TZ");
  char saved_tz[256], text[64];
  jvalue *out = NULL;
  double now;
  long amount = 0;
  char unit = 's', sign = '+';
  time_t when;
  struct tm tm;

  if (offset == NULL || sscanf(offset, "%c%ld%c", &sign, &amount, &unit) != 3 ||
      (sign != '+' && sign != '-')) {
    failf(s, "bad $time offset");
    return NULL;
  }
  if (emulator_clock(s, &now) != 0) return NULL;
  amount *= unit == 'd' ? 86400 : unit == 'h' ? 3600 : unit == 'm' ? 60 : 1;
  when = (time_t)floor(now) + (sign == '-' ? -amount : amount);

  snprintf(saved_tz, sizeof saved_tz, "%s", old_tz ? old_tz : "");
  setenv("TZ", zone, 1);
  tzset();
  if (at != NULL) {
    int hour = 0, minute = 0;
    localtime_r(&when, &tm);
    if (sscanf(at, "%d:%d", &hour, &minute) != 2) {
      failf(s, "bad $time at");
      goto restore;
    }
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    when = mktime(&tm);
  }
  if (strcmp(format, "unix") == 0) {
    out = json_new_number((double)when);
  } else if (strcmp(format, "local") == 0) {
    localtime_r(&when, &tm);
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    out = json_new_string(text);
  } else {
    gmtime_r(&when, &tm);
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    out = json_new_string(text);
  }
restore:
  if (old_tz != NULL) {
    setenv("TZ", saved_tz, 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  return out;
}

/* A copy of `value` with "$name.path" strings, $repeat and $concat resolved; NULL on failure. */
static jvalue *resolve(state *s, const jvalue *value) {
  size_t i;
  if (value->type == J_STRING && value->string[0] == '$') {
    const char *ref = value->string + 1;
    char name[128];
    size_t len = 0;
    int bad = 0;
    const jvalue *found = NULL;
    if (ref[0] == '$') return json_new_string(ref);
    while (ref[len] != '\0' && ref[len] != '.' && ref[len] != '[' && len < sizeof name - 1) {
      name[len] = ref[len];
      len++;
    }
    name[len] = '\0';
    for (i = 0; i < s->count; i++) {
      if (strcmp(s->names[i], name) == 0) {
        found = json_path(s->values[i], ref[len] == '.' ? ref + len + 1 : ref + len, &bad);
        break;
      }
    }
    if (i == s->count) {
      failf(s, "unknown variable %s", value->string);
      return NULL;
    }
    if (found == NULL) {
      failf(s, "%s is missing", value->string);
      return NULL;
    }
    return json_clone(found);
  }
  if (value->type == J_OBJECT && value->count >= 1 && value->keys[0][0] == '$') {
    const char *generator = value->keys[0];
    if (strcmp(generator, "$repeat") == 0) {
      const jvalue *unit = json_get(value, "$repeat");
      const jvalue *count = json_get(value, "count");
      size_t n, unit_len, k;
      char *text;
      jvalue *out;
      if (unit == NULL || unit->type != J_STRING || count == NULL || count->type != J_NUMBER) {
        failf(s, "bad $repeat");
        return NULL;
      }
      n = (size_t)count->number;
      unit_len = strlen(unit->string);
      text = (char *)malloc(unit_len * n + 1);
      for (k = 0; k < n; k++) memcpy(text + k * unit_len, unit->string, unit_len);
      text[unit_len * n] = '\0';
      out = json_new_string(text);
      free(text);
      return out;
    }
    if (strcmp(generator, "$time") == 0) return time_generator(s, value);
    if (strcmp(generator, "$concat") == 0) {
      /* The parts, resolved, joined; a part that is not a string is joined as its JSON. */
      const jvalue *parts = json_get(value, "$concat");
      char *text = (char *)calloc(1, 1);
      size_t len = 0;
      jvalue *out;
      if (parts == NULL || parts->type != J_ARRAY) {
        free(text);
        failf(s, "bad $concat");
        return NULL;
      }
      for (i = 0; i < parts->count; i++) {
        jvalue *part = resolve(s, parts->items[i]);
        char *dumped, *bigger;
        const char *piece;
        if (part == NULL) {
          free(text);
          return NULL;
        }
        dumped = part->type == J_STRING ? NULL : json_dump(part);
        piece = dumped ? dumped : part->string;
        bigger = (char *)realloc(text, len + strlen(piece) + 1);
        if (bigger != NULL) {
          text = bigger;
          memcpy(text + len, piece, strlen(piece) + 1);
          len += strlen(piece);
        }
        free(dumped);
        json_free(part);
      }
      out = json_new_string(text);
      free(text);
      return out;
    }
    /* Anything else starting with $ is a matcher: resolve inside it. */
  }
  if (value->type == J_ARRAY || value->type == J_OBJECT) {
    jvalue *copy = json_new(value->type);
    for (i = 0; i < value->count; i++) {
      jvalue *item = resolve(s, value->items[i]);
      if (item == NULL) {
        json_free(copy);
        return NULL;
      }
      if (value->type == J_OBJECT) {
        json_set(copy, value->keys[i], item);
      } else {
        json_append(copy, item);
      }
    }
    return copy;
  }
  return json_clone(value);
}

/* ---- expectations ------------------------------------------------------------------------ */

/* Seconds since the epoch of an RFC 3339 instant; 0 on success. */
static int parse_instant(const char *text, double *out) {
  int y, mo, d, h, mi, n = 0;
  double sec;
  long days;
  const char *rest;
  int a, m;
  if (text == NULL || sscanf(text, "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) < 6) {
    return -1;
  }
  rest = text + n;
  /* days from civil (Howard Hinnant's algorithm) */
  a = mo <= 2 ? 1 : 0;
  y -= a;
  m = mo + (a ? 9 : -3);
  days = 365L * y + y / 4 - y / 100 + y / 400 + (153L * m + 2) / 5 + d - 1 - 719468L;
  *out = (double)days * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
  if (*rest == 'Z' || *rest == 'z') return 0;
  if (*rest == '+' || *rest == '-') {
    int oh, om;
    if (sscanf(rest + 1, "%2d:%2d", &oh, &om) != 2) return -1;
    *out -= (*rest == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
    return 0;
  }
  return -1;
}

static size_t utf8_chars(const char *text) {
  size_t count = 0;
  for (; *text; text++) {
    if (((unsigned char)*text & 0xC0) != 0x80) count++;
  }
  return count;
}

/* Whether `actual` (NULL: absent) meets `expected` (a value or a matcher). */
static int matches(const jvalue *expected, const jvalue *actual) {
  if (expected->type == J_OBJECT && expected->count == 1 && expected->keys[0][0] == '$') {
    const char *matcher = expected->keys[0];
    const jvalue *arg = expected->items[0];
    int present = actual != NULL && actual->type != J_NULL;
    if (strcmp(matcher, "$exists") == 0) return arg->type == J_BOOL && arg->boolean == present;
    if (strcmp(matcher, "$startsWith") == 0) {
      return present && actual->type == J_STRING && arg->type == J_STRING &&
             strncmp(actual->string, arg->string, strlen(arg->string)) == 0;
    }
    if (strcmp(matcher, "$contains") == 0) {
      size_t i;
      if (present && actual->type == J_STRING && arg->type == J_STRING) {
        return strstr(actual->string, arg->string) != NULL;
      }
      if (present && actual->type == J_ARRAY) {
        for (i = 0; i < actual->count; i++) {
          if (json_equal(arg, actual->items[i])) return 1;
        }
      }
      return 0;
    }
    if (strcmp(matcher, "$length") == 0) {
      double length = -1;
      if (present && actual->type == J_STRING) length = (double)utf8_chars(actual->string);
      if (present && (actual->type == J_ARRAY || actual->type == J_OBJECT)) {
        length = (double)actual->count;
      }
      return arg->type == J_NUMBER && length == arg->number;
    }
    if (strcmp(matcher, "$gte") == 0 || strcmp(matcher, "$lte") == 0) {
      if (!present || actual->type != J_NUMBER || arg->type != J_NUMBER) return 0;
      return matcher[1] == 'g' ? actual->number >= arg->number : actual->number <= arg->number;
    }
    if (strcmp(matcher, "$oneOf") == 0) {
      size_t i;
      for (i = 0; arg->type == J_ARRAY && i < arg->count; i++) {
        if (actual != NULL && json_equal(arg->items[i], actual)) return 1;
      }
      return 0;
    }
    if (strcmp(matcher, "$ne") == 0) return !(actual != NULL && json_equal(arg, actual));
    if (strcmp(matcher, "$sameInstant") == 0) {
      double a, b;
      return present && actual->type == J_STRING && arg->type == J_STRING &&
             parse_instant(actual->string, &a) == 0 && parse_instant(arg->string, &b) == 0 &&
             fabs(a - b) < 1e-6;
    }
  }
  if (actual == NULL) return expected->type == J_NULL;
  return json_equal(expected, actual);
}

/* Checks every "path": expected of `expect` on `actual`; 0 when all hold. */
static int check(state *s, const jvalue *expect, const jvalue *actual, int is_error) {
  size_t i;
  for (i = 0; i < expect->count; i++) {
    const char *path = expect->keys[i];
    const jvalue *wanted = expect->items[i];
    const jvalue *found;
    int bad = 0;
    if (is_error && strcmp(path, "retryAfterMin") == 0) {
      found = json_get(actual, "retryAfter");
      if (found == NULL || found->type != J_NUMBER || wanted->type != J_NUMBER ||
          found->number < wanted->number) {
        char *got = json_dump(actual);
        failf(s, "retryAfter is not >= %g in %s", wanted->number, got);
        free(got);
        return -1;
      }
      continue;
    }
    found = json_path(actual, path, &bad);
    if (bad) return failf(s, "bad path %s", path);
    if (!matches(wanted, found)) {
      char *want = json_dump(wanted);
      char *got = found ? json_dump(found) : NULL;
      char *all = json_dump(actual);
      failf(s, "%s: expected %s, got %s (in %.1500s)", path, want, got ? got : "nothing", all);
      free(want);
      free(got);
      free(all);
      return -1;
    }
  }
  return 0;
}

/* ---- results ------------------------------------------------------------------------------ */

/* The error object of the scenarios from an aether_error (consumed). */
static jvalue *error_object(aether_error *error) {
  char *text = NULL;
  jvalue *raw, *out = json_new(J_OBJECT);
  const char *names[] = {"code", "status", "message", "field", "platform", "requestId", "details"};
  const jvalue *retry;
  /* Read through their getters (the JSON has them too). */
  const char *client_request_id = aether_error_client_request_id(error);
  const char *idempotency_key = aether_error_idempotency_key(error);
  int retryable = aether_error_is_retryable(error);
  size_t i;
  json_set(out, "clientRequestId",
           client_request_id ? json_new_string(client_request_id) : json_new(J_NULL));
  json_set(out, "idempotencyKey",
           idempotency_key ? json_new_string(idempotency_key) : json_new(J_NULL));
  json_set(out, "retryable", json_new_bool(retryable));
  aether_error_to_json(error, &text, NULL);
  raw = json_parse(text ? text : "{}", NULL, 0);
  aether_string_free(text);
  aether_error_free(error);
  for (i = 0; i < sizeof names / sizeof names[0]; i++) {
    const jvalue *value = json_get(raw, names[i]);
    json_set(out, names[i], value ? json_clone(value) : json_new(J_NULL));
  }
  retry = json_get(raw, "retryAfterMs");
  json_set(out, "retryAfter",
           retry ? json_new_number(floor(retry->number / 1000.0)) : json_new(J_NULL));
  json_free(raw);
  return out;
}

/* Parses an owned JSON string from the library (consumed). */
static jvalue *owned_json(char *text) {
  jvalue *value = json_parse(text, NULL, 0);
  aether_string_free(text);
  return value;
}

/* Outcome of an operation: 0 with *result, 1 with *result = the error object, -1 runner failure.
 * `call` writes its error to `error_`, the variable of run_op (E is its address). */
/* Notes the codes of a post's warnings, read with the C getters, for a step's `warns`. */
static void note_warnings(state *s, const aether_post *post) {
  size_t i;
  json_free(s->warned);
  s->warned = json_new(J_ARRAY);
  for (i = 0; i < aether_post_warning_count(post); i++) {
    json_append(s->warned, json_new_string(aether_post_warning_code(post, i)));
  }
}

#define API(call, to_json, handle, free_fn)                                                     \
  do {                                                                                         \
    char *text_ = NULL;                                                                        \
    if ((call) != AETHER_OK) {                                                                 \
      *result = error_object(error_);                                                          \
      return 1;                                                                                \
    }                                                                                          \
    to_json(handle, &text_, NULL);                                                             \
    free_fn(handle);                                                                           \
    *result = owned_json(text_);                                                               \
    return 0;                                                                                  \
  } while (0)

#define E (&error_)

/* A call that answers only its status: `{}`, or the error it left in `error_`. */
#define API_STATUS(call)                                                                       \
  do {                                                                                         \
    if ((call) != AETHER_OK) {                                                                 \
      *result = error_object(error_);                                                          \
      return 1;                                                                                \
    }                                                                                          \
    *result = json_new(J_OBJECT);                                                              \
    return 0;                                                                                  \
  } while (0)

static int admin_json(state *s, const char *method, const char *path, const jvalue *body,
                      jvalue **result) {
  char *text = body ? json_dump(body) : NULL;
  char *answer = mock_admin(method, path, text ? text : "{}");
  free(text);
  if (answer == NULL) return failf(s, "admin %s %s failed", method, path);
  *result = json_parse(answer[0] ? answer : "{}", NULL, 0);
  free(answer);
  return *result ? 0 : failf(s, "admin %s %s: not JSON", method, path);
}

static int only_fields(state *s, const char *op, const jvalue *input, const char *const *allowed) {
  size_t i, k;
  for (i = 0; input != NULL && i < input->count; i++) {
    for (k = 0; allowed[k] != NULL; k++) {
      if (strcmp(input->keys[i], allowed[k]) == 0) break;
    }
    if (allowed[k] == NULL) {
      return failf(s, "%s: the C API has no input %s", op, input->keys[i]);
    }
  }
  return 0;
}

static int glob(const char *pattern, const char *text) {
  if (*pattern == '\0') return *text == '\0';
  if (pattern[0] == '*' && pattern[1] == '*') {
    for (;; text++) {
      if (glob(pattern + 2, text)) return 1;
      if (*text == '\0') return 0;
    }
  }
  if (*pattern == '*') {
    for (;; text++) {
      if (glob(pattern + 1, text)) return 1;
      if (*text == '\0' || *text == '/') return 0;
    }
  }
  return *pattern == *text && glob(pattern + 1, text + 1);
}

static int journal_matches(const jvalue *filter, const jvalue *entry) {
  const char *method = text_of(filter, "method");
  const char *path = text_of(filter, "path");
  const jvalue *value;
  const jvalue *headers = json_get(filter, "header");
  size_t h;
  /* The emulator records x- headers under lower-case names; the scenarios write them so. */
  for (h = 0; headers != NULL && h < headers->count; h++) {
    if (!matches(headers->items[h], json_get(json_get(entry, "headers"), headers->keys[h]))) {
      return 0;
    }
  }
  if (method != NULL && !str_eq(method, text_of(entry, "method"))) return 0;
  if (path != NULL && !glob(path, text_of(entry, "path") ? text_of(entry, "path") : "")) return 0;
  if ((value = json_get(filter, "status")) != NULL && !matches(value, json_get(entry, "status"))) {
    return 0;
  }
  if ((value = json_get(filter, "created")) != NULL) {
    const jvalue *created = json_get(entry, "created");
    if (value->boolean != (created != NULL && created->type == J_STRING)) return 0;
  }
  if ((value = json_get(filter, "replayed")) != NULL) {
    const jvalue *replayed = json_get(entry, "replayed");
    if (value->boolean != (replayed != NULL && replayed->boolean)) return 0;
  }
  {
    const char *exact[] = {"fault", "idempotencyKey", "clientRequestId", "traceparent",
                           "retryCount", "query"};
    size_t i;
    for (i = 0; i < sizeof exact / sizeof exact[0]; i++) {
      if ((value = json_get(filter, exact[i])) != NULL &&
          !matches(value, json_get(entry, exact[i]))) {
        return 0;
      }
    }
  }
  return 1;
}

static aether_wait_options wait_options(const jvalue *input, uint32_t poll_ms) {
  aether_wait_options wait = AETHER_WAIT_OPTIONS_INIT;
  const jvalue *timeout = json_get(input, "timeoutMs");
  const jvalue *poll = json_get(input, "pollIntervalMs");
  wait.poll_interval_ms = poll ? (uint32_t)poll->number : poll_ms;
  wait.max_poll_interval_ms = wait.poll_interval_ms;
  wait.timeout_ms = timeout ? (int64_t)timeout->number : 30000;
  return wait;
}

/* Fills a builder from the create body of PROTOCOL.md: 0, -1 (harness), or 1 when the C API
 * refused the body (the error in *error). */
static int fill_builder(state *s, aether_post_builder *builder, const jvalue *input,
                        aether_error **error) {
  static const char *const fields[] = {"profileId", "profileIds", "content", "mediaKeys",
                                       "platforms", "scheduledFor", "timezone", "draft", NULL};
  const jvalue *content = json_get(input, "content");
  const jvalue *list;
  size_t i;
  for (i = 0; i < input->count; i++) {
    size_t k;
    int legacy = 0;
    for (k = 0; fields[k] != NULL; k++) legacy |= strcmp(input->keys[i], fields[k]) == 0;
    if (!legacy) {
      /* Another documented shape (text, media, overrides, ...), or a key the SDK must refuse:
       * the whole body as JSON, as a C user holding a vendor page's body would send it. */
      char *body = json_dump(input);
      aether_status status = aether_post_builder_set_json(builder, body, error);
      free(body);
      return status == AETHER_OK ? 0 : 1;
    }
  }
  if (only_fields(s, "posts.create", input, fields) != 0) return -1;
  if (text_of(input, "profileId")) {
    aether_post_builder_set_profile_id(builder, text_of(input, "profileId"), NULL);
  }
  list = json_get(input, "profileIds");
  for (i = 0; list != NULL && i < list->count; i++) {
    aether_post_builder_add_profile_id(builder, list->items[i]->string, NULL);
  }
  if (text_of(content, "text")) aether_post_builder_set_text(builder, text_of(content, "text"), NULL);
  if (text_of(content, "title")) aether_post_builder_set_title(builder, text_of(content, "title"), NULL);
  list = json_get(input, "mediaKeys");
  for (i = 0; list != NULL && i < list->count; i++) {
    aether_post_builder_add_media_key(builder, list->items[i]->string, NULL);
  }
  if (json_get(input, "platforms") != NULL) {
    char *platforms = json_dump(json_get(input, "platforms"));
    aether_status status = aether_post_builder_set_platforms_json(builder, platforms, NULL);
    free(platforms);
    if (status != AETHER_OK) return failf(s, "posts.create: the platforms were refused");
  }
  if (text_of(input, "scheduledFor")) {
    aether_post_builder_set_schedule(builder, text_of(input, "scheduledFor"),
                                     text_of(input, "timezone"), NULL);
  }
  if (json_get(input, "draft") != NULL) {
    aether_post_builder_set_draft(builder, json_get(input, "draft")->boolean, NULL);
  }
  return 0;
}

/* webhooks.create through the C API, which takes the events as an array and a count. */
static int create_webhook(state *s, aether_client *client, const char *url, const jvalue *events,
                          jvalue **result) {
  aether_error *error_ = NULL;
  aether_webhook *webhook = NULL;
  const char *names[16];
  size_t i, count = events != NULL ? events->count : 0;
  if (events != NULL && (events->type != J_ARRAY || count > 16)) {
    return failf(s, "webhooks.create: events is not an array of at most 16 names");
  }
  for (i = 0; i < count; i++) {
    names[i] = events->items[i]->type == J_STRING ? events->items[i]->string : NULL;
  }
  API(aether_webhook_create(client, url, count > 0 ? names : NULL, count, &webhook, E),
      aether_webhook_to_json, webhook, aether_webhook_free);
}

/* A copy of the object `input` without its member `key`: the body of an admin call whose
 * path names one of the input's fields. */
static jvalue *without(const jvalue *input, const char *key) {
  jvalue *body = json_new(J_OBJECT);
  size_t i;
  for (i = 0; input != NULL && input->type == J_OBJECT && i < input->count; i++) {
    if (strcmp(input->keys[i], key) != 0) json_set(body, input->keys[i], json_clone(input->items[i]));
  }
  return body;
}

/* webhooks.constructEvent: the event through the C API's typed handles, as JSON: id, type,
 * createdAt and `data` with the subject's own to_json (post, comment or message). Judged at
 * the emulator's clock, like webhooks.verifySignature. */
static int construct_event(state *s, const jvalue *input, jvalue **result) {
  aether_error *error_ = NULL;
  aether_event *event = NULL;
  const jvalue *secrets = json_get(input, "secrets");
  const jvalue *tolerance = json_get(input, "toleranceSeconds");
  const char *payload = text_of(input, "payload");
  const char *list[8];
  char *text = NULL;
  double clock = 0;
  jvalue *data;
  size_t i;
  for (i = 0; secrets != NULL && i < secrets->count && i < 8; i++) list[i] = secrets->items[i]->string;
  if (emulator_clock(s, &clock) != 0) return -1;
  if (aether_webhook_construct_event_at((const uint8_t *)payload, payload ? strlen(payload) : 0,
                                        text_of(input, "header"), list, i,
                                        tolerance ? (uint32_t)tolerance->number : 0,
                                        (int64_t)floor(clock), &event, E) != AETHER_OK) {
    *result = error_object(error_);
    return 1;
  }
  data = json_new(J_OBJECT);
  if (aether_event_post(event) != NULL) {
    aether_post_to_json(aether_event_post(event), &text, NULL);
    json_set(data, "post", owned_json(text));
  }
  if (aether_event_comment(event) != NULL) {
    aether_comment_to_json(aether_event_comment(event), &text, NULL);
    json_set(data, "comment", owned_json(text));
  }
  if (aether_event_message(event) != NULL) {
    aether_message_to_json(aether_event_message(event), &text, NULL);
    json_set(data, "message", owned_json(text));
  }
  *result = json_new(J_OBJECT);
  json_set(*result, "id", json_new_string(aether_event_id(event)));
  json_set(*result, "type", json_new_string(aether_event_type(event)));
  json_set(*result, "createdAt", json_new_string(aether_event_created_at(event)));
  json_set(*result, "data", data);
  aether_event_free(event);
  return 0;
}

/* webhooks.deliveries: every page through the C API; with minCount, read again every 50 ms
 * until the list is that long or timeoutMs (10 s) passes. */
static int list_deliveries(state *s, aether_client *client, const jvalue *input,
                           jvalue **result) {
  aether_error *error_ = NULL;
  const jvalue *min = json_get(input, "minCount");
  const jvalue *timeout = json_get(input, "timeoutMs");
  long waited = 0, timeout_ms = timeout != NULL ? (long)timeout->number : 10000;
  size_t i, want = min != NULL ? (size_t)min->number : 0;
  (void)s;
  for (;;) {
    aether_webhook_delivery_list *list = NULL;
    jvalue *data;
    if (aether_webhook_deliveries(client, text_of(input, "webhookId"), text_of(input, "status"),
                                  &list, E) != AETHER_OK) {
      *result = error_object(error_);
      return 1;
    }
    if (aether_webhook_delivery_list_count(list) < want && waited < timeout_ms) {
      aether_webhook_delivery_list_free(list);
      sleep_ms(50);
      waited += 50;
      continue;
    }
    data = json_new(J_ARRAY);
    for (i = 0; i < aether_webhook_delivery_list_count(list); i++) {
      char *text = NULL;
      aether_webhook_delivery_to_json(aether_webhook_delivery_list_at(list, i), &text, NULL);
      json_append(data, owned_json(text));
    }
    aether_webhook_delivery_list_free(list);
    *result = json_new(J_OBJECT);
    json_set(*result, "data", data);
    return 0;
  }
}

/* Which deliveries webhooks.receive takes: by event type and post id (NULL: any). */
typedef struct {
  const char *type;
  const char *post_id;
} delivery_filter;

static int delivery_matches(const receiver_delivery *delivery, void *user_data) {
  const delivery_filter *filter = (const delivery_filter *)user_data;
  jvalue *event = json_parse(delivery->body, NULL, 0);
  int bad = 0, ok;
  const jvalue *post_id = event != NULL ? json_path(event, "data.post.id", &bad) : NULL;
  ok = (filter->type == NULL || str_eq(filter->type, text_of(event, "type"))) &&
       (filter->post_id == NULL ||
        (post_id != NULL && post_id->type == J_STRING && str_eq(filter->post_id, post_id->string)));
  json_free(event);
  return ok;
}

/* admin.putFile: PUT /_mock/files/{name} with a fixture's bytes (they may hold NULs). */
static int put_file(state *s, const jvalue *input, jvalue **result) {
  static const char *const fields[] = {"name", "fixture", "contentType", "freeBox", NULL};
  const jvalue *free_box = json_get(input, "freeBox");
  const char *content_type = text_of(input, "contentType");
  char url[1024], *answer = NULL, *bytes;
  long size;
  int status = 0, sent;
  FILE *file;
  if (only_fields(s, "admin.putFile", input, fields) != 0) return -1;
  file = fopen(fixture(text_of(input, "fixture")), "rb");
  if (file == NULL) return failf(s, "admin.putFile: no fixture %s", text_of(input, "fixture"));
  fseek(file, 0, SEEK_END);
  size = ftell(file);
  fseek(file, 0, SEEK_SET);
  bytes = (char *)malloc((size_t)size + 1);
  if (fread(bytes, 1, (size_t)size, file) != (size_t)size) size = 0;
  fclose(file);
  /* The query names the type: the request's own Content-Type is application/json. */
  if (content_type == NULL) content_type = "application/octet-stream";
  if (free_box != NULL) {
    snprintf(url, sizeof url, "%s/_mock/files/%s?freeBox=%.0f&contentType=%s", mock_url(),
             text_of(input, "name"), free_box->number, content_type);
  } else {
    snprintf(url, sizeof url, "%s/_mock/files/%s?contentType=%s", mock_url(),
             text_of(input, "name"), content_type);
  }
  sent = http_send("PUT", url, mock_admin_token(), bytes, (size_t)size, &status, &answer, NULL);
  free(bytes);
  if (sent != 0 || status != 201) {
    int outcome = failf(s, "admin.putFile: HTTP %d %s", status, answer ? answer : "");
    free(answer);
    return outcome;
  }
  *result = json_parse(answer, NULL, 0);
  free(answer);
  return *result ? 0 : failf(s, "admin.putFile: not JSON");
}

/* posts.bulk: inline CSV is written to a temporary file and sent by its path (the file form);
 * rows go as JSON (the rows form). */
static int run_bulk(state *s, aether_client *client, const char *op, const jvalue *input,
                    const jvalue *options, jvalue **result) {
  static const char *const fields[] = {"csv", "fileName", "rows", "dryRun", NULL};
  aether_error *error_ = NULL;
  aether_bulk_result *bulk = NULL;
  const jvalue *dry = json_get(input, "dryRun");
  bool dry_run = dry != NULL && dry->boolean;
  const char *key = text_of(options, "idempotencyKey");
  aether_status status;
  if (only_fields(s, op, input, fields) != 0) return -1;
  if (json_get(input, "rows") != NULL) {
    char *rows = json_dump(json_get(input, "rows"));
    status = aether_posts_bulk_rows_json(client, rows, dry_run, key, &bulk, E);
    free(rows);
  } else {
    /* The same file name every time, as the other runners: the name is part of the body, so
     * a repeat under one idempotency key must send the same one. */
    const char *csv = text_of(input, "csv");
    const char *name = text_of(input, "fileName");
    char dir[] = "/tmp/aether-bulk-XXXXXX";
    char path[512];
    size_t length = csv != NULL ? strlen(csv) : 0;
    FILE *file;
    if (csv == NULL) return failf(s, "%s: csv must be a string", op);
    if (name == NULL) name = "posts.csv";
    if (strchr(name, '/') != NULL || strlen(dir) + 1 + strlen(name) >= sizeof path)
      return failf(s, "%s: fileName must be a short name without '/'", op);
    if (mkdtemp(dir) == NULL) return failf(s, "%s: cannot create a temporary directory", op);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    file = fopen(path, "wb");
    if (file == NULL || fwrite(csv, 1, length, file) != length) {
      if (file != NULL) fclose(file);
      unlink(path);
      rmdir(dir);
      return failf(s, "%s: cannot write the temporary file", op);
    }
    fclose(file);
    status = aether_posts_bulk_file(client, path, dry_run, key, &bulk, E);
    unlink(path);
    rmdir(dir);
  }
  API(status, aether_bulk_result_to_json, bulk, aether_bulk_result_free);
}

/* Runs one operation. */
/* client.request: aether_request with the step's body, query, extra headers and idempotency
 * key as JSON; the result is {status, headers, requestId, replayed, data}. */
static int raw_request(state *s, aether_client *client, const jvalue *input,
                       const jvalue *options, jvalue **result) {
  static const char *const fields[] = {"method", "path", "body", "query", "headers", NULL};
  aether_error *error = NULL;
  aether_response *response = NULL;
  char *out = NULL, *pairs = NULL, *body = NULL, *query = NULL, *opts = NULL;
  jvalue *call_options = json_new(J_OBJECT), *headers, *list;
  const char *key = text_of(options, "idempotencyKey");
  aether_status status;
  size_t i;
  if (only_fields(s, "client.request", input, fields) != 0) {
    json_free(call_options);
    return -1;
  }
  if (key != NULL) json_set(call_options, "idempotencyKey", json_new_string(key));
  if (json_get(input, "headers") != NULL) {
    json_set(call_options, "extraHeaders", json_clone(json_get(input, "headers")));
  }
  if (json_get(input, "body") != NULL) body = json_dump(json_get(input, "body"));
  if (json_get(input, "query") != NULL) query = json_dump(json_get(input, "query"));
  opts = json_dump(call_options);
  json_free(call_options);
  status = aether_request(client, text_of(input, "method"), text_of(input, "path"), body, query,
                          opts, &out, &response, &error);
  free(body);
  free(query);
  free(opts);
  if (status != AETHER_OK) {
    *result = error_object(error);
    return 1;
  }
  *result = json_new(J_OBJECT);
  json_set(*result, "status", json_new_number(aether_response_status(response)));
  json_set(*result, "requestId", aether_response_request_id(response)
                                     ? json_new_string(aether_response_request_id(response))
                                     : json_new(J_NULL));
  json_set(*result, "replayed", json_new_bool(aether_response_replayed(response)));
  headers = json_new(J_OBJECT);
  aether_response_headers_to_json(response, &pairs, NULL);
  list = owned_json(pairs);
  for (i = 0; list != NULL && i < list->count; i++) {
    const char *name = list->items[i]->items[0]->string;
    json_set(headers, name, json_new_string(aether_response_header(response, name)));
  }
  json_free(list);
  json_set(*result, "headers", headers);
  json_set(*result, "data", owned_json(out));
  aether_response_free(response);
  return 0;
}

static int run_op(state *s, aether_client *client, const char *op, const jvalue *input,
                  const jvalue *options, jvalue **result) {
  aether_error *error_ = NULL;
  const char *id = text_of(input, "id");

  if (is_op(op, "connectLinks.create")) {
    aether_connect_link *link = NULL;
    API(aether_connect_link_create(client, text_of(input, "platform"),
                                   text_of(input, "redirectUrl"), text_of(input, "state"), &link, E),
        aether_connect_link_to_json, link, aether_connect_link_free);
  }
  if (is_op(op, "connectLinks.get")) {
    aether_connect_link *link = NULL;
    API(aether_connect_link_get(client, id, &link, E), aether_connect_link_to_json, link,
        aether_connect_link_free);
  }
  if (is_op(op, "profiles.get")) {
    aether_profile *profile = NULL;
    API(aether_profile_get(client, id, &profile, E), aether_profile_to_json, profile,
        aether_profile_free);
  }
  if (is_op(op, "profiles.list")) {
    aether_profile_list *list = NULL;
    jvalue *data;
    size_t i;
    if (aether_profile_list_all(client, &list, E) != AETHER_OK) {
      *result = error_object(error_);
      return 1;
    }
    data = json_new(J_ARRAY);
    for (i = 0; i < aether_profile_list_count(list); i++) {
      char *text = NULL;
      aether_profile_to_json(aether_profile_list_at(list, i), &text, NULL);
      json_append(data, owned_json(text));
    }
    aether_profile_list_free(list);
    *result = json_new(J_OBJECT);
    json_set(*result, "data", data);
    return 0;
  }
  if (is_op(op, "profiles.capabilities")) {
    static const char *const fields[] = {"id", NULL};
    aether_capabilities *caps = NULL;
    if (only_fields(s, op, input, fields) != 0) return -1;
    API(aether_profiles_capabilities(client, id, &caps, E), aether_capabilities_to_json, caps,
        aether_capabilities_free);
  }
  if (is_op(op, "media.upload") || is_op(op, "media.resume")) {
    static const char *const fields[] = {"fixture", "fileName", "mimeType", "platforms", "tier",
                                         "partSize", "singleShotThreshold", "uploadId",
                                         "profileIds",
                                         "stallTimeoutMs", "sha256", NULL};
    aether_upload_options upload = AETHER_UPLOAD_OPTIONS_INIT;
    const jvalue *platforms = json_get(input, "platforms");
    const jvalue *profile_ids = json_get(input, "profileIds");
    const jvalue *threshold = json_get(input, "singleShotThreshold");
    const char *names[16];
    const char *profiles[16];
    size_t k;
    aether_media *media = NULL;
    aether_status status;
    char path[1024];
    size_t i;
    if (only_fields(s, op, input, fields) != 0) return -1;
    for (i = 0; platforms != NULL && i < platforms->count && i < 16; i++) {
      names[i] = platforms->items[i]->string;
    }
    upload.platforms = platforms ? names : NULL;
    upload.platform_count = platforms ? i : 0;
    for (k = 0; profile_ids != NULL && k < profile_ids->count && k < 16; k++) {
      profiles[k] = profile_ids->items[k]->string;
    }
    upload.profile_ids = profile_ids ? profiles : NULL;
    upload.profile_id_count = profile_ids ? k : 0;
    upload.file_name = text_of(input, "fileName");
    upload.mime_type = text_of(input, "mimeType");
    upload.tier = text_of(input, "tier");
    if (json_get(input, "partSize")) upload.part_size = (uint64_t)json_get(input, "partSize")->number;
    if (threshold != NULL) upload.single_shot_threshold = (int64_t)threshold->number;
    if (json_get(input, "stallTimeoutMs")) {
      upload.stall_timeout_ms = (int64_t)json_get(input, "stallTimeoutMs")->number;
    }
    if (json_get(input, "sha256")) upload.sha256 = json_get(input, "sha256")->boolean ? 1 : 0;
    snprintf(path, sizeof path, "%s", fixture(text_of(input, "fixture")));
    if (is_op(op, "media.resume")) {
      status = aether_media_resume(client, text_of(input, "uploadId"), path, &upload, &media, E);
    } else {
      status = aether_media_upload(client, path, &upload, &media, E);
    }
    API(status, aether_media_to_json, media, aether_media_free);
  }
  if (is_op(op, "media.ingest")) {
    static const char *const fields[] = {"url", "fileName", "mimeType", "platforms", "tier", NULL};
    aether_upload_options upload = AETHER_UPLOAD_OPTIONS_INIT;
    const jvalue *platforms = json_get(input, "platforms");
    const char *names[16];
    aether_media *media = NULL;
    size_t i;
    if (only_fields(s, op, input, fields) != 0) return -1;
    for (i = 0; platforms != NULL && i < platforms->count && i < 16; i++) {
      names[i] = platforms->items[i]->string;
    }
    upload.platforms = platforms ? names : NULL;
    upload.platform_count = platforms ? i : 0;
    upload.file_name = text_of(input, "fileName");
    upload.mime_type = text_of(input, "mimeType");
    upload.tier = text_of(input, "tier");
    API(aether_media_ingest(client, text_of(input, "url"), &upload, &media, E),
        aether_media_to_json, media, aether_media_free);
  }
  if (is_op(op, "admin.putFile")) return put_file(s, input, result);
  if (is_op(op, "admin.fileStats")) {
    char path[512];
    snprintf(path, sizeof path, "/_mock/files/%s", text_of(input, "name"));
    return admin_json(s, "GET", path, NULL, result);
  }
  if (is_op(op, "media.get")) {
    aether_media *media = NULL;
    API(aether_media_get(client, text_of(input, "mediaKey"), &media, E), aether_media_to_json,
        media, aether_media_free);
  }
  if (is_op(op, "media.wait")) {
    aether_wait_options wait = wait_options(input, 50);
    aether_media *media = NULL;
    API(aether_media_wait_ready(client, text_of(input, "mediaKey"), &wait, &media, E),
        aether_media_to_json, media, aether_media_free);
  }
  if (is_op(op, "posts.create")) {
    aether_post_builder *builder = NULL;
    aether_post *post = NULL;
    aether_status status;
    int filled;
    aether_post_builder_new(&builder, NULL);
    filled = fill_builder(s, builder, input, E);
    if (filled != 0) {
      aether_post_builder_free(builder);
      if (filled < 0) return -1;
      *result = error_object(error_);
      return 1;
    }
    if (text_of(options, "idempotencyKey")) {
      aether_post_builder_set_idempotency_key(builder, text_of(options, "idempotencyKey"), NULL);
    }
    status = aether_post_create(client, builder, &post, E);
    aether_post_builder_free(builder);
    if (status == AETHER_OK) note_warnings(s, post);
    API(status, aether_post_to_json, post, aether_post_free);
  }
  if (is_op(op, "posts.list") || is_op(op, "profiles.disconnect")) {
    static const char *const fields[] = {"status", "profileId", "pageSize", NULL};
    const jvalue *page_size = json_get(input, "pageSize");
    aether_post_list *list = NULL;
    jvalue *data;
    size_t i;
    if (is_op(op, "profiles.disconnect")) {
      aether_profile *profile = NULL;
      API(aether_profile_disconnect(client, id, &profile, E), aether_profile_to_json, profile,
          aether_profile_free);
    }
    if (only_fields(s, op, input, fields) != 0) return -1;
    if (aether_post_list_all(client, text_of(input, "status"), text_of(input, "profileId"),
                             page_size ? (uint32_t)page_size->number : 0, &list, E) != AETHER_OK) {
      *result = error_object(error_);
      return 1;
    }
    data = json_new(J_ARRAY);
    for (i = 0; i < aether_post_list_count(list); i++) {
      char *text = NULL;
      aether_post_to_json(aether_post_list_at(list, i), &text, NULL);
      json_append(data, owned_json(text));
    }
    aether_post_list_free(list);
    *result = json_new(J_OBJECT);
    json_set(*result, "data", data);
    return 0;
  }
  if (is_op(op, "posts.update")) {
    static const char *const fields[] = {"id", "scheduledFor", "timezone", "content", "draft", NULL};
    aether_post_changes changes = AETHER_POST_CHANGES_INIT;
    const jvalue *content = json_get(input, "content");
    const jvalue *draft = json_get(input, "draft");
    aether_post *post = NULL;
    if (only_fields(s, op, input, fields) != 0) return -1;
    changes.text = text_of(content, "text");
    changes.title = text_of(content, "title");
    changes.scheduled_for = text_of(input, "scheduledFor");
    changes.timezone = text_of(input, "timezone");
    aether_status status;
    if (draft != NULL) changes.draft = draft->boolean;
    status = aether_post_update(client, id, &changes, &post, E);
    if (status == AETHER_OK) note_warnings(s, post);
    API(status, aether_post_to_json, post, aether_post_free);
  }
  if (is_op(op, "posts.bulk")) {
    return run_bulk(s, client, op, input, options, result);
  }
  if (is_op(op, "posts.get")) {
    aether_post *post = NULL;
    API(aether_post_get(client, id, &post, E), aether_post_to_json, post, aether_post_free);
  }
  if (is_op(op, "posts.cancel")) {
    aether_post *post = NULL;
    API(aether_post_cancel(client, id, &post, E), aether_post_to_json, post, aether_post_free);
  }
  if (is_op(op, "posts.retry")) {
    aether_post *post = NULL;
    API(aether_post_retry(client, id, &post, E), aether_post_to_json, post, aether_post_free);
  }
  if (is_op(op, "posts.wait")) {
    aether_wait_options wait = wait_options(input, 100);
    aether_post *post = NULL;
    API(aether_post_wait(client, id, &wait, &post, E), aether_post_to_json, post,
        aether_post_free);
  }
  if (is_op(op, "webhooks.create")) {
    static const char *const fields[] = {"url", "events", NULL};
    if (only_fields(s, op, input, fields) != 0) return -1;
    return create_webhook(s, client, text_of(input, "url"), json_get(input, "events"), result);
  }
  if (is_op(op, "webhooks.receive")) {
    static const char *const fields[] = {"type", "postId", "timeoutMs", NULL};
    const jvalue *timeout = json_get(input, "timeoutMs");
    long timeout_ms = timeout != NULL ? (long)timeout->number : 30000;
    receiver_delivery delivery;
    delivery_filter filter;
    jvalue *event;
    if (only_fields(s, op, input, fields) != 0) return -1;
    filter.type = text_of(input, "type");
    filter.post_id = text_of(input, "postId");
    if (receiver_next(s->receiver, delivery_matches, &filter, timeout_ms, &delivery) != 0) {
      return failf(s, "no delivery of %s for post %s within %ld ms (%lu received in all)",
                   filter.type ? filter.type : "any type", filter.post_id ? filter.post_id : "any",
                   timeout_ms, (unsigned long)receiver_count(s->receiver));
    }
    event = json_parse(delivery.body, NULL, 0);
    *result = json_new(J_OBJECT);
    json_set(*result, "body", json_new_string(delivery.body));
    json_set(*result, "signature",
             delivery.signature ? json_new_string(delivery.signature) : json_new(J_NULL));
    json_set(*result, "event", event != NULL ? event : json_new(J_NULL));
    receiver_delivery_free(&delivery);
    return 0;
  }
  if (is_op(op, "webhooks.verifySignature")) {
    static const char *const fields[] = {"payload", "header", "secrets", "toleranceSeconds", "now",
                                         NULL};
    const jvalue *secrets = json_get(input, "secrets");
    const jvalue *tolerance = json_get(input, "toleranceSeconds");
    const jvalue *now = json_get(input, "now");
    double clock = 0;
    const char *list[8];
    const char *payload = text_of(input, "payload");
    size_t payload_len = payload ? strlen(payload) : 0;
    uint32_t tolerance_s = tolerance ? (uint32_t)tolerance->number : 0;
    aether_status status;
    size_t i;
    if (only_fields(s, op, input, fields) != 0) return -1;
    for (i = 0; secrets != NULL && i < secrets->count && i < 8; i++) list[i] = secrets->items[i]->string;
    /* `now` defaults to the system clock, which is the clock of the fresh emulator the
     * scenarios assume. This runner shares one emulator between scenarios, whose virtual clock
     * only moves forward (and signs the deliveries): its clock stands for the system's. */
    if (now == NULL && emulator_clock(s, &clock) != 0) return -1;
    status = aether_webhook_verify_at((const uint8_t *)payload, payload_len,
                                      text_of(input, "header"), list, i, tolerance_s,
                                      now != NULL ? (int64_t)now->number : (int64_t)floor(clock),
                                      E);
    if (status != AETHER_OK) {
      *result = error_object(error_);
      return 1;
    }
    *result = json_new(J_OBJECT);
    json_set(*result, "valid", json_new_bool(1));
    return 0;
  }
  if (is_op(op, "webhooks.constructEvent")) {
    static const char *const fields[] = {"payload", "header", "secrets", "toleranceSeconds", NULL};
    if (only_fields(s, op, input, fields) != 0) return -1;
    return construct_event(s, input, result);
  }
  if (is_op(op, "webhooks.deliveries")) {
    static const char *const fields[] = {"webhookId", "status", "minCount", "timeoutMs", NULL};
    if (only_fields(s, op, input, fields) != 0) return -1;
    return list_deliveries(s, client, input, result);
  }
  if (is_op(op, "webhooks.redeliver")) {
    static const char *const fields[] = {"webhookId", "deliveryId", NULL};
    aether_webhook_delivery *delivery = NULL;
    if (only_fields(s, op, input, fields) != 0) return -1;
    API(aether_webhook_redeliver(client, text_of(input, "webhookId"), text_of(input, "deliveryId"),
                                 &delivery, E),
        aether_webhook_delivery_to_json, delivery, aether_webhook_delivery_free);
  }
  if (is_op(op, "webhooks.delete")) {
    static const char *const fields[] = {"id", NULL};
    aether_error *error_ = NULL;
    if (only_fields(s, op, input, fields) != 0) return -1;
    API_STATUS(aether_webhook_delete(client, text_of(input, "id"), E));
  }
  if (is_op(op, "receiver.setStatus")) {
    static const char *const fields[] = {"status", NULL};
    const jvalue *status = json_get(input, "status");
    if (only_fields(s, op, input, fields) != 0) return -1;
    if (status == NULL || status->type != J_NUMBER) return failf(s, "receiver.setStatus needs status");
    receiver_set_status(s->receiver, (int)status->number);
    *result = json_new(J_OBJECT);
    json_set(*result, "status", json_new_number(status->number));
    return 0;
  }
  if (is_op(op, "admin.simulateComment") || is_op(op, "admin.simulateMessage") ||
      is_op(op, "admin.updateMessage")) {
    int update = is_op(op, "admin.updateMessage");
    const char *key = update ? "id" : "profileId";
    char path[256];
    jvalue *body = without(input, key);
    int outcome;
    if (update) {
      snprintf(path, sizeof path, "/_mock/messages/%s", text_of(input, key) ? text_of(input, key) : "");
    } else {
      snprintf(path, sizeof path, "/_mock/profiles/%s/%s",
               text_of(input, key) ? text_of(input, key) : "",
               is_op(op, "admin.simulateComment") ? "comments" : "messages");
    }
    outcome = admin_json(s, update ? "PATCH" : "POST", path, body, result);
    json_free(body);
    return outcome;
  }
  if (is_op(op, "connectLinks.approve")) {
    char path[256];
    jvalue *body = json_new(J_OBJECT);
    int outcome;
    if (text_of(input, "tier")) json_set(body, "tier", json_new_string(text_of(input, "tier")));
    snprintf(path, sizeof path, "/_mock/connect-links/%s/approve", id ? id : "");
    outcome = admin_json(s, "POST", path, body, result);
    json_free(body);
    return outcome;
  }
  if (is_op(op, "admin.fault")) return admin_json(s, "POST", "/_mock/faults", input, result);
  if (is_op(op, "admin.clearFaults")) {
    const char *const none[] = {NULL};
    if (only_fields(s, op, input, none) != 0) return -1;
    if (admin_json(s, "DELETE", "/_mock/faults", NULL, result) != 0) return -1;
    json_free(*result);
    *result = json_new(J_OBJECT);
    return 0;
  }
  if (is_op(op, "admin.advanceClock")) {
    return admin_json(s, "POST", "/_mock/clock/advance", input, result);
  }
  if (is_op(op, "admin.addOutcomeRule")) {
    return admin_json(s, "POST", "/_mock/outcomes", input, result);
  }
  if (is_op(op, "admin.setSettings")) {
    return admin_json(s, "PATCH", "/_mock/settings", input, result);
  }
  if (is_op(op, "admin.forceOutcome")) {
    char path[256];
    jvalue *body = json_clone(input);
    size_t i;
    int outcome;
    snprintf(path, sizeof path, "/_mock/posts/%s/outcome", text_of(input, "postId"));
    for (i = 0; i < body->count; i++) {
      if (strcmp(body->keys[i], "postId") == 0) {
        json_free(body->items[i]);
        free(body->keys[i]);
        memmove(body->items + i, body->items + i + 1, (body->count - i - 1) * sizeof(jvalue *));
        memmove(body->keys + i, body->keys + i + 1, (body->count - i - 1) * sizeof(char *));
        body->count--;
        break;
      }
    }
    outcome = admin_json(s, "POST", path, body, result);
    json_free(body);
    return outcome;
  }
  if (is_op(op, "admin.setCapabilities")) {
    char path[256];
    jvalue *body = without(input, "id");
    int outcome;
    snprintf(path, sizeof path, "/_mock/profiles/%s/capabilities", id ? id : "");
    outcome = admin_json(s, "PUT", path, body, result);
    json_free(body);
    return outcome;
  }
  if (is_op(op, "admin.revokeProfile")) {
    char path[256];
    snprintf(path, sizeof path, "/_mock/profiles/%s/revoke", id ? id : "");
    return admin_json(s, "POST", path, NULL, result);
  }
  if (is_op(op, "client.request")) return raw_request(s, client, input, options, result);
  if (is_op(op, "client.closeConnections")) {
    const char *const none[] = {NULL};
    aether_error *error_ = NULL;
    if (only_fields(s, op, input, none) != 0) return -1;
    API_STATUS(aether_client_close_connections(client, E));
  }
  if (is_op(op, "journal.count")) {
    jvalue *journal = NULL;
    const jvalue *entries;
    double *seen = NULL; /* the distinct connections of the matching entries */
    size_t i, j, count = 0, connections = 0;
    if (admin_json(s, "GET", "/_mock/journal", NULL, &journal) != 0) return -1;
    entries = json_get(journal, "data");
    if (entries != NULL && entries->count > 0) seen = malloc(entries->count * sizeof *seen);
    for (i = 0; entries != NULL && i < entries->count; i++) {
      const jvalue *connection = json_get(entries->items[i], "connection");
      if (!journal_matches(input, entries->items[i])) continue;
      count++;
      if (connection == NULL || connection->type != J_NUMBER || seen == NULL) continue;
      for (j = 0; j < connections && seen[j] != connection->number; j++) {
      }
      if (j == connections) seen[connections++] = connection->number;
    }
    free(seen);
    json_free(journal);
    *result = json_new(J_OBJECT);
    json_set(*result, "count", json_new_number((double)count));
    json_set(*result, "connections", json_new_number((double)connections));
    return 0;
  }
  if (is_op(op, "hooks.events")) {
    const char *const none[] = {NULL};
    if (only_fields(s, op, input, none) != 0) return -1;
    *result = json_new(J_OBJECT);
    json_set(*result, "data", take_hook_events());
    return 0;
  }
  if (probing) return 0;
  return failf(s, "the C runner has no operation %s", op);
}

/* ---- scenarios ---------------------------------------------------------------------------- */

/* Whether run_op has the operation: asked of run_op itself, so there is no second list. */
static int supported(const char *op) {
  jvalue *result = NULL;
  probing = 1;
  probe_hit = 0;
  run_op(NULL, NULL, op, NULL, NULL, &result);
  probing = 0;
  return probe_hit;
}

/* What the scenario needs that the C API lacks ("" when nothing), in `need`. (Inputs the C
 * API lacks are caught when the step runs: only_fields fails it, loudly.) */
static void needs(const jvalue *scenario, char *need, size_t size) {
  const jvalue *steps = json_get(scenario, "steps");
  size_t i;
  need[0] = '\0';
  for (i = 0; steps != NULL && i < steps->count; i++) {
    const char *op = text_of(steps->items[i], "op");
    if (op != NULL && !supported(op) && !strstr(need, op)) {
      snprintf(need + strlen(need), size - strlen(need), "%s ", op);
    }
  }
}

/* hooks.events: what the hooks of every client of the scenario heard since the last such step
 * (each event as its wire JSON with "hook"). Hooks run on runtime threads: hence the lock. */
static pthread_mutex_t hook_lock = PTHREAD_MUTEX_INITIALIZER;
static jvalue *hook_events;
/* Whether the scenario has a hooks.events step: only then are hooks installed, so that the
 * other scenarios run on clients exactly as a user builds them. */
static int record_hooks;

static jvalue *text_or_null(const char *text) {
  return text != NULL ? json_new_string(text) : json_new(J_NULL);
}

static void record_hook(const char *kind, const aether_attempt_event *e) {
  jvalue *event = json_new(J_OBJECT);
  json_set(event, "hook", json_new_string(kind));
  json_set(event, "method", json_new_string(e->method));
  json_set(event, "path", json_new_string(e->path));
  json_set(event, "attempt", json_new_number(e->attempt));
  json_set(event, "status", e->status != 0 ? json_new_number(e->status) : json_new(J_NULL));
  json_set(event, "errorCode", text_or_null(e->error_code));
  json_set(event, "requestId", text_or_null(e->request_id));
  json_set(event, "clientRequestId", json_new_string(e->client_request_id));
  json_set(event, "idempotencyKey", text_or_null(e->idempotency_key));
  json_set(event, "elapsedMs", json_new_number(e->elapsed_ms));
  json_set(event, "nextDelayMs",
           e->next_delay_ms >= 0 ? json_new_number(e->next_delay_ms) : json_new(J_NULL));
  pthread_mutex_lock(&hook_lock);
  if (hook_events == NULL) hook_events = json_new(J_ARRAY);
  json_append(hook_events, event);
  pthread_mutex_unlock(&hook_lock);
}

static void on_request_hook(const aether_attempt_event *e, void *user_data) {
  (void)user_data;
  record_hook("request", e);
}

static void on_response_hook(const aether_attempt_event *e, void *user_data) {
  (void)user_data;
  record_hook("response", e);
}

static void on_retry_hook(const aether_attempt_event *e, void *user_data) {
  (void)user_data;
  record_hook("retry", e);
}

/* The events recorded so far (an array, maybe empty), taken: the next call starts afresh. */
static jvalue *take_hook_events(void) {
  jvalue *events;
  pthread_mutex_lock(&hook_lock);
  events = hook_events != NULL ? hook_events : json_new(J_ARRAY);
  hook_events = NULL;
  pthread_mutex_unlock(&hook_lock);
  return events;
}

static aether_client *client_with(const char *api_key, const jvalue *options) {
  aether_client_options settings = AETHER_CLIENT_OPTIONS_INIT;
  aether_client *client = NULL;
  const jvalue *retries = json_get(options, "maxRetries");
  const jvalue *timeout = json_get(options, "timeoutMs");
  const jvalue *attempt = json_get(options, "attemptTimeoutMs");
  const char *traceparent = text_of(options, "traceparent");
  settings.api_key = api_key;
  settings.base_url = mock_url();
  settings.retry_backoff_base_ms = 5;
  settings.retry_backoff_cap_ms = 50;
  if (record_hooks) {
    settings.on_request = on_request_hook;
    settings.on_response = on_response_hook;
    settings.on_retry = on_retry_hook;
  }
  if (retries != NULL) settings.max_retries = (int32_t)retries->number;
  if (timeout != NULL) settings.request_timeout_ms = (uint32_t)timeout->number;
  if (attempt != NULL) settings.attempt_timeout_ms = (int64_t)attempt->number;
  settings.traceparent = traceparent; /* C has no per-call options: the step's client */
  aether_client_new(&settings, &client, NULL);
  return client;
}

static int run_scenario(state *s, const jvalue *scenario) {
  const jvalue *setup = json_get(scenario, "setup");
  const jvalue *steps = json_get(scenario, "steps");
  const jvalue *profiles = json_get(setup, "profiles");
  const jvalue *hooks = json_get(setup, "webhooks");
  aether_client *client;
  size_t i;
  int outcome = 0;
  jvalue *answer = NULL;

  if (mock_reset(NULL) != 0) return failf(s, "the emulator did not reset");
  json_free(take_hook_events());
  record_hooks = 0;
  for (i = 0; steps != NULL && i < steps->count; i++) {
    const char *step_op = text_of(steps->items[i], "op");
    if (step_op != NULL && strcmp(step_op, "hooks.events") == 0) record_hooks = 1;
  }
  if (json_get(setup, "settings") != NULL) {
    if (admin_json(s, "PATCH", "/_mock/settings", json_get(setup, "settings"), &answer) != 0) {
      return -1;
    }
    json_free(answer);
  }
  for (i = 0; profiles != NULL && i < profiles->count; i++) {
    jvalue *body = json_new(J_OBJECT);
    const jvalue *profile = profiles->items[i];
    size_t k;
    for (k = 0; k < profile->count; k++) {
      if (strcmp(profile->keys[k], "as") != 0) {
        json_set(body, profile->keys[k], json_clone(profile->items[k]));
      }
    }
    outcome = admin_json(s, "POST", "/_mock/profiles", body, &answer);
    json_free(body);
    if (outcome != 0) return -1;
    store(s, text_of(profile, "as"), answer);
    json_free(answer);
  }
  client = client_with(mock_api_key(), NULL);
  if (client == NULL) return failf(s, "no client");
  for (i = 0; hooks != NULL && i < hooks->count; i++) { /* through the client, with secrets */
    const jvalue *hook = hooks->items[i];
    const char *url = text_of(hook, "url") ? text_of(hook, "url") : receiver_url(s->receiver);
    int status = create_webhook(s, client, url, json_get(hook, "events"), &answer);
    if (status == 1) {
      char *text = json_dump(answer);
      failf(s, "setup: webhooks[%lu] failed: %s", (unsigned long)i, text);
      free(text);
      json_free(answer);
    }
    if (status != 0) {
      aether_client_free(client);
      return -1;
    }
    store(s, text_of(hook, "as"), answer);
    json_free(answer);
  }
  if (chaos_seed != NULL) {
    jvalue *config = json_new(J_OBJECT);
    json_set(config, "seed", json_new_number((double)(atol(chaos_seed) + chaos_number)));
    json_set(config, "rate", json_new_number(chaos_rate));
    outcome = admin_json(s, "PUT", "/_mock/chaos", config, &answer);
    json_free(config);
    if (outcome != 0) {
      aether_client_free(client);
      return -1;
    }
    json_free(answer);
  }

  for (i = 0; outcome == 0 && steps != NULL && i < steps->count; i++) {
    const jvalue *step = steps->items[i];
    const char *op = text_of(step, "op");
    if (chaos_seed != NULL && op != NULL &&
        (strcmp(op, "journal.count") == 0 || strcmp(op, "hooks.events") == 0)) {
      continue;
    }
    const jvalue *raw_input = json_get(step, "input");
    /* Options may hold variables too (the key an OUTCOME_UNKNOWN error reported). */
    const jvalue *raw_options = json_get(step, "options");
    jvalue *resolved_options = raw_options ? resolve(s, raw_options) : NULL;
    const jvalue *options = resolved_options;
    const jvalue *step_client = json_get(step, "client");
    const jvalue *expect = json_get(step, "expect");
    const jvalue *expect_error = json_get(step, "expectError");
    const jvalue *repeat = json_get(step, "repeat");
    int runs = repeat ? (int)repeat->number : 1, run;
    aether_client *use = client;
    jvalue *input = raw_input ? resolve(s, raw_input) : json_new(J_OBJECT);
    jvalue *wanted = NULL;
    if (input == NULL || (raw_options != NULL && resolved_options == NULL)) {
      outcome = -1;
    } else if ((expect || expect_error) &&
               (wanted = resolve(s, expect ? expect : expect_error)) == NULL) {
      outcome = -1;
    }
    if (outcome == 0 && (step_client != NULL || json_get(options, "maxRetries") != NULL ||
                         json_get(options, "timeoutMs") != NULL ||
                         json_get(options, "attemptTimeoutMs") != NULL ||
                         json_get(options, "traceparent") != NULL)) {
      const char *key = step_client ? text_of(step_client, "apiKey") : mock_api_key();
      use = client_with(key, options);
    }
    for (run = 0; outcome == 0 && run < runs; run++) {
      jvalue *result = NULL;
      int status;
      json_free(s->warned);
      s->warned = json_new(J_ARRAY);
      status = run_op(s, use, op, input, options, &result);
      if (status == 1 && chaos_seed != NULL && json_get(step, "reconcile") != NULL) {
        const jvalue *reconcile = json_get(step, "reconcile");
        jvalue *read = resolve(s, json_get(reconcile, "input"));
        json_free(result);
        result = NULL;
        status = read ? run_op(s, use, text_of(reconcile, "op"), read, NULL, &result) : -1;
        json_free(read);
      }
      if (status < 0) {
        outcome = -1;
      } else if (status == 1 && expect_error == NULL) {
        char *text = json_dump(result);
        outcome = failf(s, "failed: %s", text);
        free(text);
      } else if (status == 0 && expect_error != NULL) {
        char *text = json_dump(result);
        outcome = failf(s, "succeeded, an error was expected: %.1500s", text);
        free(text);
      } else if (wanted != NULL) {
        outcome = check(s, wanted, result, status == 1);
      }
      if (outcome == 0 && status == 0 && json_get(step, "warns") != NULL) {
        /* warns: the codes the C getters reported, compared as the whole value "". */
        jvalue *expected = json_new(J_OBJECT);
        json_set(expected, "", json_clone(json_get(step, "warns")));
        outcome = check(s, expected, s->warned, 0);
        json_free(expected);
      }
      if (outcome == 0 && text_of(step, "as") && result != NULL) {
        store(s, text_of(step, "as"), result);
      }
      json_free(result);
    }
    if (outcome != 0) {
      char where[8192];
      const char *note = text_of(step, "note");
      snprintf(where, sizeof where, "steps[%lu] %s%s%s: %s", (unsigned long)i, op ? op : "?",
               note ? " (" : "", note ? note : "", s->failure);
      if (note) strncat(where, ")", sizeof where - strlen(where) - 1);
      where[sizeof s->failure - 1] = '\0';
      memcpy(s->failure, where, sizeof s->failure);
    }
    if (use != client) aether_client_free(use);
    json_free(input);
    json_free(wanted);
    json_free(resolved_options);
  }
  aether_client_free(client);
  if (outcome == 0 && chaos_seed != NULL) {
    const jvalue *ok;
    if (admin_json(s, "GET", "/_mock/chaos/report", NULL, &answer) != 0) return -1;
    ok = json_get(answer, "ok");
    if (ok == NULL || ok->type != J_BOOL || !ok->boolean) {
      char *text = json_dump(answer);
      outcome = failf(s, "chaos invariants broken: %.3000s", text);
      free(text);
    }
    json_free(answer);
  }
  return outcome;
}

/* Runs a scenario with its own webhook receiver, whose URL is the variable $receiver.url. */
static int run_with_receiver(state *s, const jvalue *scenario) {
  jvalue *vars;
  int outcome;
  s->receiver = receiver_start();
  if (s->receiver == NULL) return failf(s, "no webhook receiver");
  vars = json_new(J_OBJECT);
  json_set(vars, "url", json_new_string(receiver_url(s->receiver)));
  store(s, "receiver", vars);
  json_free(vars);
  outcome = run_scenario(s, scenario);
  json_free(s->warned);
  s->warned = NULL;
  receiver_stop(s->receiver);
  s->receiver = NULL;
  return outcome;
}

static int scenario_file(const struct dirent *entry) {
  size_t len = strlen(entry->d_name);
  return entry->d_name[0] >= '0' && entry->d_name[0] <= '9' && len > 5 &&
         strcmp(entry->d_name + len - 5, ".json") == 0;
}

static char *read_file(const char *path) {
  FILE *file = fopen(path, "rb");
  long size;
  char *text;
  if (file == NULL) return NULL;
  fseek(file, 0, SEEK_END);
  size = ftell(file);
  fseek(file, 0, SEEK_SET);
  text = (char *)malloc((size_t)size + 1);
  if (fread(text, 1, (size_t)size, file) != (size_t)size) size = 0;
  text[size] = '\0';
  fclose(file);
  return text;
}

/* The runner can run every operation schema.json names; otherwise says which it cannot. */
static int check_schema_ops(const char *dir) {
  char path[1024], error[256], missing[512] = "";
  char *text;
  jvalue *schema;
  const jvalue *ops;
  size_t i;
  snprintf(path, sizeof path, "%s/schema.json", dir);
  text = read_file(path);
  schema = text ? json_parse(text, error, sizeof error) : NULL;
  free(text);
  ops = json_get(json_get(json_get(json_get(json_get(schema, "$defs"), "step"), "properties"),
                          "op"),
                 "enum");
  if (ops == NULL || ops->type != J_ARRAY) {
    fprintf(stderr, "%s lists no operations at $defs.step.properties.op.enum\n", path);
    json_free(schema);
    return -1;
  }
  for (i = 0; i < ops->count; i++) {
    const char *op = ops->items[i]->type == J_STRING ? ops->items[i]->string : "(not a string)";
    if (!supported(op)) {
      snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s", op);
    }
  }
  json_free(schema);
  if (missing[0] != '\0') {
    fprintf(stderr, "schema.json names operations this runner cannot run:%s\n", missing);
    return -1;
  }
  return 0;
}

static struct timespec scenario_started;

static void start_scenario(void) {
  clock_gettime(CLOCK_MONOTONIC, &scenario_started);
}

/* Chaos mode: whether the scenario took longer than its bound (then it fails). */
static int over_time_bound(state *s) {
  struct timespec now;
  double took;
  clock_gettime(CLOCK_MONOTONIC, &now);
  took = (double)(now.tv_sec - scenario_started.tv_sec) +
         (double)(now.tv_nsec - scenario_started.tv_nsec) / 1e9;
  if (chaos_seed == NULL || took <= CHAOS_TIME_BOUND_S) return 0;
  failf(s, "over its time bound %.0f s (%.1f s)", CHAOS_TIME_BOUND_S, took);
  return 1;
}

int main(int argc, char **argv) {
  const char *filter = argc > 1 ? argv[1] : NULL;
  const char *dir = getenv("AETHER_CONFORMANCE_DIR") ? getenv("AETHER_CONFORMANCE_DIR")
                                                      : "tests/conformance";
  struct dirent **entries = NULL;
  int count, i, passed = 0, failed = 0, skipped = 0;
  static state s;

  if (mock_load() != 0) return 2;
  chaos_seed = getenv("AETHER_CHAOS_SEED") && getenv("AETHER_CHAOS_SEED")[0]
                   ? getenv("AETHER_CHAOS_SEED")
                   : NULL;
  if (getenv("AETHER_CHAOS_RATE") && getenv("AETHER_CHAOS_RATE")[0]) {
    chaos_rate = atof(getenv("AETHER_CHAOS_RATE"));
  }
  if (check_schema_ops(dir) != 0) return 1;
  count = scandir(dir, &entries, scenario_file, alphasort);
  if (count < 0) {
    fprintf(stderr, "cannot read %s\n", dir);
    return 2;
  }
  for (i = 0; i < count; i++) {
    char path[1024], error[256], need[512];
    char *text;
    jvalue *scenario;
    const char *name;
    snprintf(path, sizeof path, "%s/%s", dir, entries[i]->d_name);
    if (filter != NULL && strstr(entries[i]->d_name, filter) == NULL) {
      free(entries[i]);
      continue;
    }
    text = read_file(path);
    scenario = text ? json_parse(text, error, sizeof error) : NULL;
    free(text);
    name = text_of(scenario, "name");
    printf("scenario %s ... ", entries[i]->d_name);
    fflush(stdout);
    if (scenario == NULL || name == NULL) {
      printf("FAILED: not a scenario (%s)\n", scenario ? "no name" : error);
      failed++;
    } else if (needs(scenario, need, sizeof need), need[0] != '\0') {
      printf("skipped: needs %s\n", need);
      skipped++;
    } else if (chaos_seed != NULL && text_of(json_get(scenario, "chaos"), "skip") != NULL) {
      printf("skipped in chaos mode: %s\n", text_of(json_get(scenario, "chaos"), "skip"));
      skipped++;
    } else if ((chaos_number = atol(entries[i]->d_name), start_scenario()),
               run_with_receiver(&s, scenario) != 0 || over_time_bound(&s)) {
      printf("FAILED\n    %s\n", s.failure);
      if (chaos_seed != NULL) {
        printf("    replay: AETHER_CHAOS_SEED=%s AETHER_CHAOS_RATE=%g scenario %03ld\n", chaos_seed,
               chaos_rate, chaos_number);
      }
      failed++;
    } else {
      printf("ok\n");
      passed++;
    }
    forget_all(&s);
    json_free(take_hook_events());
    json_free(scenario);
    free(entries[i]);
    fflush(stdout);
  }
  free(entries);
  printf("\n%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed == 0 && passed > 0 ? 0 : 1;
}
