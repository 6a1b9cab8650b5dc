/* Test support for the C tests: see support.h. */
#define _POSIX_C_SOURCE 200809L

#include "support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

static int current_failed = 0;

void test_fail(const char *file, int line, const char *what, const char *detail) {
  current_failed = 1;
  fprintf(stderr, "    FAILED %s:%d: %s%s%s\n", file, line, what, detail ? ": " : "",
          detail ? detail : "");
}

int test_failed(void) {
  int failed = current_failed;
  return failed;
}

void test_reset_failed(void) { current_failed = 0; }

int str_eq(const char *a, const char *b) {
  if (a == NULL || b == NULL) {
    return a == b;
  }
  return strcmp(a, b) == 0;
}

int str_has(const char *haystack, const char *needle) {
  return haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
}

static char *dup_string(const char *s, size_t len) {
  char *copy = (char *)malloc(len + 1);
  if (copy != NULL) {
    memcpy(copy, s, len);
    copy[len] = '\0';
  }
  return copy;
}

static const char *env_url = NULL;
static const char *env_admin = NULL;
static const char *env_key = NULL;

const char *mock_url(void) { return env_url; }
const char *mock_admin_token(void) { return env_admin; }
const char *mock_api_key(void) { return env_key; }

int mock_load(void) {
  env_url = getenv("AETHER_MOCK_URL");
  env_admin = getenv("AETHER_MOCK_ADMIN_TOKEN");
  env_key = getenv("AETHER_MOCK_API_KEY");
  if (env_url == NULL || env_admin == NULL || env_key == NULL) {
    fprintf(stderr, "set AETHER_MOCK_URL, AETHER_MOCK_ADMIN_TOKEN and AETHER_MOCK_API_KEY "
                    "(scripts/test.d/40-c.sh starts aether-mock and sets them)\n");
    return -1;
  }
  return 0;
}

/* Splits "http(s)://127.0.0.1:PORT/path?query" into port and path (the rest, "/" if empty);
 * *tls says whether it was https. */
static int parse_url(const char *url, int *port, const char **path, int *tls) {
  const char *prefix = "http://127.0.0.1:";
  size_t n;
  char *end = NULL;
  long value;
  *tls = strncmp(url, "https://", 8) == 0;
  if (*tls) prefix = "https://127.0.0.1:";
  n = strlen(prefix);
  if (strncmp(url, prefix, n) != 0) {
    return -1;
  }
  value = strtol(url + n, &end, 10);
  if (end == url + n || value <= 0 || value > 65535) {
    return -1;
  }
  *port = (int)value;
  *path = (*end == '\0') ? "/" : end;
  return 0;
}

/* A connection to the emulator: plain, or TLS through OpenSSL for an https:// URL, trusting
 * the CA in AETHER_CA_BUNDLE and presenting AETHER_CLIENT_CERT/AETHER_CLIENT_KEY when set (the
 * emulator's generated files: 40-c.sh sets them for the run over HTTPS), as the client does. */
typedef struct {
  int fd;
  SSL_CTX *ctx;
  SSL *ssl;
} connection;

static void conn_close(connection *c) {
  if (c->ssl != NULL) {
    SSL_shutdown(c->ssl);
    SSL_free(c->ssl);
  }
  if (c->ctx != NULL) SSL_CTX_free(c->ctx);
  if (c->fd >= 0) close(c->fd);
  c->ssl = NULL;
  c->ctx = NULL;
  c->fd = -1;
}

/* The TLS handshake over c->fd, checking the certificate against 127.0.0.1. */
static int conn_tls(connection *c) {
  const char *ca = getenv("AETHER_CA_BUNDLE");
  const char *cert = getenv("AETHER_CLIENT_CERT");
  const char *key = getenv("AETHER_CLIENT_KEY");
  /* OpenSSL writes with write(2): a server that closed first (its close_notify after a
   * "Connection: close" answer) must be an error, not the end of the process. */
  signal(SIGPIPE, SIG_IGN);
  c->ctx = SSL_CTX_new(TLS_client_method());
  if (c->ctx == NULL) return -1;
  SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
  if (ca == NULL || SSL_CTX_load_verify_locations(c->ctx, ca, NULL) != 1) {
    fprintf(stderr, "    https: cannot trust AETHER_CA_BUNDLE (%s)\n", ca ? ca : "unset");
    return -1;
  }
  if (cert != NULL && key != NULL &&
      (SSL_CTX_use_certificate_chain_file(c->ctx, cert) != 1 ||
       SSL_CTX_use_PrivateKey_file(c->ctx, key, SSL_FILETYPE_PEM) != 1)) {
    fprintf(stderr, "    https: cannot load AETHER_CLIENT_CERT/AETHER_CLIENT_KEY\n");
    return -1;
  }
  c->ssl = SSL_new(c->ctx);
  if (c->ssl == NULL ||
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), "127.0.0.1") != 1 ||
      SSL_set_fd(c->ssl, c->fd) != 1 || SSL_connect(c->ssl) != 1) {
    unsigned long e = ERR_get_error();
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    fprintf(stderr, "    https: handshake failed: %s\n", text);
    return -1;
  }
  return 0;
}

static int conn_open(connection *c, int port, int tls) {
  struct sockaddr_in addr;
  c->fd = socket(AF_INET, SOCK_STREAM, 0);
  c->ctx = NULL;
  c->ssl = NULL;
  if (c->fd < 0) return -1;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) != 0 || (tls && conn_tls(c) != 0)) {
    conn_close(c);
    return -1;
  }
  return 0;
}

static int send_all(connection *c, const char *data, size_t len) {
  while (len > 0) {
    ssize_t sent;
    if (c->ssl != NULL) {
      int n = SSL_write(c->ssl, data, len > 1 << 20 ? 1 << 20 : (int)len);
      sent = n > 0 ? n : -1;
    } else {
      sent = send(c->fd, data, len, 0);
    }
    if (sent < 0) {
      if (c->ssl == NULL && errno == EINTR) continue;
      return -1;
    }
    data += sent;
    len -= (size_t)sent;
  }
  return 0;
}

/* Up to len bytes; 0 at the end of the answer, -1 on an error. */
static ssize_t conn_recv(connection *c, char *into, size_t len) {
  if (c->ssl != NULL) {
    int n = SSL_read(c->ssl, into, len > 1 << 20 ? 1 << 20 : (int)len);
    if (n > 0) return n;
    /* The server closing after its answer (Connection: close) ends it, with or without a
     * close_notify. */
    return SSL_get_error(c->ssl, n) == SSL_ERROR_ZERO_RETURN ||
                   SSL_get_error(c->ssl, n) == SSL_ERROR_SYSCALL
               ? 0
               : -1;
  }
  for (;;) {
    ssize_t got = recv(c->fd, into, len, 0);
    if (got < 0 && errno == EINTR) continue;
    return got;
  }
}

/* A header's value (malloc'd) from the head of a response, or NULL. Case-insensitive name. */
static char *header_value(const char *head, size_t head_len, const char *name) {
  size_t name_len = strlen(name);
  const char *line = head;
  const char *end = head + head_len;
  while (line < end) {
    const char *eol = strstr(line, "\r\n");
    if (eol == NULL || eol > end) {
      eol = end;
    }
    if ((size_t)(eol - line) > name_len && line[name_len] == ':') {
      size_t i;
      int same = 1;
      for (i = 0; i < name_len; i++) {
        char a = line[i], b = name[i];
        if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
        if (a != b) {
          same = 0;
          break;
        }
      }
      if (same) {
        const char *value = line + name_len + 1;
        while (value < eol && *value == ' ') value++;
        return dup_string(value, (size_t)(eol - value));
      }
    }
    line = eol + 2;
  }
  return NULL;
}

/* Decodes a chunked body in place; returns the new length. */
static size_t dechunk(char *body, size_t len) {
  size_t in = 0, out = 0;
  while (in < len) {
    char *end = NULL;
    unsigned long size = strtoul(body + in, &end, 16);
    char *crlf = strstr(body + in, "\r\n");
    if (crlf == NULL || end == body + in) break;
    in = (size_t)(crlf - body) + 2;
    if (size == 0 || in + size > len) break;
    memmove(body + out, body + in, size);
    out += size;
    in += size + 2;
  }
  body[out] = '\0';
  return out;
}

int http_request(const char *method, const char *url, const char *bearer, const char *body,
                 int *status, char **out_body, char **out_location) {
  return http_send(method, url, bearer, body, body ? strlen(body) : 0, status, out_body,
                   out_location);
}

int http_send(const char *method, const char *url, const char *bearer, const char *body,
              size_t body_len, int *status, char **out_body, char **out_location) {
  int port = 0, tls = 0;
  const char *path = NULL;
  connection conn;
  char head[1024];
  char *response = NULL;
  size_t response_len = 0, capacity = 0;
  char *split;
  char *encoding;

  if (parse_url(url, &port, &path, &tls) != 0) {
    fprintf(stderr, "    http_request: unsupported URL %s\n", url);
    return -1;
  }
  if (conn_open(&conn, port, tls) != 0) return -1;
  snprintf(head, sizeof head,
           "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
           "%s%s%s"
           "Content-Type: application/json\r\nContent-Length: %lu\r\n\r\n",
           method, path, port, bearer ? "Authorization: Bearer " : "", bearer ? bearer : "",
           bearer ? "\r\n" : "", (unsigned long)body_len);
  if (send_all(&conn, head, strlen(head)) != 0 ||
      (body_len && send_all(&conn, body, body_len) != 0)) {
    conn_close(&conn);
    return -1;
  }
  for (;;) {
    ssize_t got;
    if (capacity - response_len < 4096) {
      char *bigger;
      capacity = capacity ? capacity * 2 : 8192;
      bigger = (char *)realloc(response, capacity + 1);
      if (bigger == NULL) {
        free(response);
        conn_close(&conn);
        return -1;
      }
      response = bigger;
    }
    got = conn_recv(&conn, response + response_len, capacity - response_len);
    if (got <= 0) break;
    response_len += (size_t)got;
  }
  conn_close(&conn);
  if (response == NULL) return -1;
  response[response_len] = '\0';
  if (sscanf(response, "HTTP/1.1 %d", status) != 1) {
    free(response);
    return -1;
  }
  split = strstr(response, "\r\n\r\n");
  if (split == NULL) {
    free(response);
    return -1;
  }
  if (out_location != NULL) {
    *out_location = header_value(response, (size_t)(split - response), "location");
  }
  encoding = header_value(response, (size_t)(split - response), "transfer-encoding");
  if (out_body != NULL) {
    char *content = split + 4;
    size_t content_len = response_len - (size_t)(content - response);
    if (encoding != NULL && str_has(encoding, "chunked")) {
      content_len = dechunk(content, content_len);
    }
    *out_body = dup_string(content, content_len);
  }
  free(encoding);
  free(response);
  return 0;
}

char *mock_admin(const char *method, const char *path, const char *body) {
  char url[512];
  int status = 0;
  char *response = NULL;
  snprintf(url, sizeof url, "%s%s", mock_url(), path);
  if (http_request(method, url, mock_admin_token(), body, &status, &response, NULL) != 0) {
    fprintf(stderr, "    admin %s %s: no answer\n", method, path);
    return NULL;
  }
  if (status < 200 || status > 299) {
    fprintf(stderr, "    admin %s %s: HTTP %d %s\n", method, path, status,
            response ? response : "");
    free(response);
    return NULL;
  }
  return response;
}

int mock_reset(const char *settings_json) {
  char *answer = mock_admin("POST", "/_mock/reset", "{}");
  if (answer == NULL) return -1;
  free(answer);
  if (settings_json != NULL) {
    answer = mock_admin("PATCH", "/_mock/settings", settings_json);
    if (answer == NULL) return -1;
    free(answer);
  }
  return 0;
}

char *mock_profile(const char *platform, const char *tier) {
  char body[256];
  char *answer;
  char *id;
  if (tier != NULL) {
    snprintf(body, sizeof body, "{\"platform\":\"%s\",\"tier\":\"%s\"}", platform, tier);
  } else {
    snprintf(body, sizeof body, "{\"platform\":\"%s\"}", platform);
  }
  answer = mock_admin("POST", "/_mock/profiles", body);
  if (answer == NULL) return NULL;
  id = json_string(answer, "id");
  free(answer);
  return id;
}

char *json_string(const char *json, const char *name) {
  char key[128];
  const char *at;
  const char *end;
  snprintf(key, sizeof key, "\"%s\"", name);
  at = json ? strstr(json, key) : NULL;
  if (at == NULL) return NULL;
  at += strlen(key);
  while (*at == ' ' || *at == ':') at++;
  if (*at != '"') return NULL;
  at++;
  end = at;
  while (*end != '\0' && *end != '"') {
    if (*end == '\\' && end[1] != '\0') end++;
    end++;
  }
  return dup_string(at, (size_t)(end - at));
}

long json_long(const char *json, const char *name, long fallback) {
  char key[128];
  const char *at;
  char *end = NULL;
  long value;
  snprintf(key, sizeof key, "\"%s\"", name);
  at = json ? strstr(json, key) : NULL;
  if (at == NULL) return fallback;
  at += strlen(key);
  while (*at == ' ' || *at == ':') at++;
  value = strtol(at, &end, 10);
  return end == at ? fallback : value;
}

aether_client *mock_client(void) {
  aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
  aether_client *client = NULL;
  aether_error *err = NULL;
  options.api_key = mock_api_key();
  options.base_url = mock_url();
  options.retry_backoff_base_ms = 5;
  options.retry_backoff_cap_ms = 50;
  if (aether_client_new(&options, &client, &err) != AETHER_OK) {
    fprintf(stderr, "    mock_client: %s\n", aether_error_message(err));
    aether_error_free(err);
    return NULL;
  }
  return client;
}

const char *fixture(const char *name) {
  static char path[1024];
  const char *dir = getenv("AETHER_FIXTURES");
  snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures/media", name);
  return path;
}

void sleep_ms(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* ---- the webhook receiver --------------------------------------------------------------- */

/* Limits of one request: a delivery is a few KiB. */
#define RECEIVER_MAX_HEAD 16384
#define RECEIVER_MAX_BODY (4L * 1024 * 1024)

typedef struct {
  receiver_delivery delivery;
  int taken;
} stored_delivery;

struct receiver {
  int fd;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t arrived;
  int stopping;            /* under lock */
  int status;              /* under lock: what every request is answered (200 by default) */
  stored_delivery *items;  /* under lock */
  size_t count, capacity;  /* under lock */
  char url[64];
};

/* Sends a whole answer; MSG_NOSIGNAL: a peer that went away must not raise SIGPIPE. */
static void answer(int fd, const char *status_line) {
  char text[256];
  size_t len, done = 0;
  snprintf(text, sizeof text, "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
           status_line);
  len = strlen(text);
  while (done < len) {
    ssize_t sent = send(fd, text + done, len - done, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return;
    done += (size_t)sent;
  }
}

/* Keeps a delivery (takes ownership of its strings) and wakes receiver_next(). */
static void keep(receiver *r, receiver_delivery delivery) {
  pthread_mutex_lock(&r->lock);
  if (r->count == r->capacity) {
    size_t capacity = r->capacity ? r->capacity * 2 : 16;
    stored_delivery *bigger =
        (stored_delivery *)realloc(r->items, capacity * sizeof(stored_delivery));
    if (bigger == NULL) {
      pthread_mutex_unlock(&r->lock);
      receiver_delivery_free(&delivery);
      return;
    }
    r->items = bigger;
    r->capacity = capacity;
  }
  r->items[r->count].delivery = delivery;
  r->items[r->count].taken = 0;
  r->count++;
  pthread_cond_broadcast(&r->arrived);
  pthread_mutex_unlock(&r->lock);
}

/* Reads one request from a connection, keeps it, answers, closes. */
static void serve(receiver *r, int fd) {
  struct timeval timeout;
  char *buffer = NULL, *split = NULL, *length_text;
  size_t len = 0, capacity = 0, head_len, body_start;
  long content_length;
  char *end = NULL;
  receiver_delivery delivery;

  /* A sender that stalls cannot hold the receiver for long. */
  timeout.tv_sec = 5;
  timeout.tv_usec = 0;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  for (;;) { /* the head, up to the blank line */
    ssize_t got;
    if (capacity - len < 1024) {
      char *bigger;
      capacity = capacity ? capacity * 2 : 4096;
      bigger = (char *)realloc(buffer, capacity + 1);
      if (bigger == NULL) goto done;
      buffer = bigger;
    }
    got = recv(fd, buffer + len, capacity - len, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) goto done;
    len += (size_t)got;
    buffer[len] = '\0';
    split = strstr(buffer, "\r\n\r\n");
    if (split != NULL) break;
    if (len > RECEIVER_MAX_HEAD) {
      answer(fd, "431 Request Header Fields Too Large");
      goto done;
    }
  }
  head_len = (size_t)(split - buffer);
  body_start = head_len + 4;
  length_text = header_value(buffer, head_len, "content-length");
  content_length = length_text ? strtol(length_text, &end, 10) : -1;
  if (length_text == NULL || end == length_text || content_length < 0) {
    free(length_text);
    answer(fd, "411 Length Required");
    goto done;
  }
  free(length_text);
  if (content_length > RECEIVER_MAX_BODY) {
    answer(fd, "413 Content Too Large");
    goto done;
  }
  if (capacity < body_start + (size_t)content_length) {
    char *bigger;
    capacity = body_start + (size_t)content_length;
    bigger = (char *)realloc(buffer, capacity + 1);
    if (bigger == NULL) goto done;
    buffer = bigger;
  }
  while (len < body_start + (size_t)content_length) { /* the rest of the body */
    ssize_t got = recv(fd, buffer + len, body_start + (size_t)content_length - len, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) goto done; /* cut short: not a delivery */
    len += (size_t)got;
  }
  delivery.head = dup_string(buffer, head_len);
  delivery.body = dup_string(buffer + body_start, (size_t)content_length);
  delivery.body_len = (size_t)content_length;
  delivery.signature = header_value(buffer, head_len, "x-aether-signature");
  {
    char status_line[32];
    pthread_mutex_lock(&r->lock);
    snprintf(status_line, sizeof status_line, "%d Status", r->status ? r->status : 200);
    pthread_mutex_unlock(&r->lock);
    /* Kept before it is answered, so a test that sees the answer's effect also sees it. */
    keep(r, delivery);
    answer(fd, status_line);
  }
done:
  free(buffer);
  close(fd);
}

static void *receiver_main(void *arg) {
  receiver *r = (receiver *)arg;
  for (;;) {
    struct pollfd ready;
    int stopping, conn;
    pthread_mutex_lock(&r->lock);
    stopping = r->stopping;
    pthread_mutex_unlock(&r->lock);
    if (stopping) break;
    ready.fd = r->fd;
    ready.events = POLLIN;
    ready.revents = 0;
    if (poll(&ready, 1, 50) <= 0) continue; /* wakes up to see `stopping` */
    conn = accept(r->fd, NULL, NULL);
    if (conn >= 0) serve(r, conn);
  }
  return NULL;
}

receiver *receiver_start(void) {
  receiver *r = (receiver *)calloc(1, sizeof(receiver));
  struct sockaddr_in addr;
  socklen_t addr_len = sizeof addr;
  if (r == NULL) return NULL;
  r->fd = socket(AF_INET, SOCK_STREAM, 0);
  if (r->fd < 0) {
    free(r);
    return NULL;
  }
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons(0); /* the system picks a free port */
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(r->fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(r->fd, 16) != 0 ||
      getsockname(r->fd, (struct sockaddr *)&addr, &addr_len) != 0) {
    fprintf(stderr, "    receiver: cannot listen on 127.0.0.1: %s\n", strerror(errno));
    close(r->fd);
    free(r);
    return NULL;
  }
  snprintf(r->url, sizeof r->url, "http://127.0.0.1:%u/hooks", (unsigned)ntohs(addr.sin_port));
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->arrived, NULL);
  if (pthread_create(&r->thread, NULL, receiver_main, r) != 0) {
    fprintf(stderr, "    receiver: no thread\n");
    pthread_cond_destroy(&r->arrived);
    pthread_mutex_destroy(&r->lock);
    close(r->fd);
    free(r);
    return NULL;
  }
  return r;
}

const char *receiver_url(const receiver *r) { return r->url; }

size_t receiver_count(receiver *r) {
  size_t count;
  pthread_mutex_lock(&r->lock);
  count = r->count;
  pthread_mutex_unlock(&r->lock);
  return count;
}

int receiver_next(receiver *r, int (*match)(const receiver_delivery *delivery, void *user_data),
                  void *user_data, long timeout_ms, receiver_delivery *out) {
  struct timespec deadline;
  int found = -1, timed_out = 0;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += timeout_ms / 1000;
  deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&r->lock);
  for (;;) {
    size_t i;
    for (i = 0; i < r->count; i++) {
      stored_delivery *item = &r->items[i];
      if (!item->taken && (match == NULL || match(&item->delivery, user_data))) {
        item->taken = 1;
        *out = item->delivery; /* the caller owns the strings now */
        memset(&item->delivery, 0, sizeof item->delivery);
        found = 0;
        break;
      }
    }
    if (found == 0 || timed_out) break;
    if (pthread_cond_timedwait(&r->arrived, &r->lock, &deadline) == ETIMEDOUT) timed_out = 1;
  }
  pthread_mutex_unlock(&r->lock);
  return found;
}

void receiver_delivery_free(receiver_delivery *delivery) {
  if (delivery == NULL) return;
  free(delivery->head);
  free(delivery->body);
  free(delivery->signature);
  memset(delivery, 0, sizeof *delivery);
}

void receiver_stop(receiver *r) {
  size_t i;
  if (r == NULL) return;
  pthread_mutex_lock(&r->lock);
  r->stopping = 1;
  pthread_mutex_unlock(&r->lock);
  pthread_join(r->thread, NULL);
  close(r->fd);
  for (i = 0; i < r->count; i++) receiver_delivery_free(&r->items[i].delivery);
  free(r->items);
  pthread_cond_destroy(&r->arrived);
  pthread_mutex_destroy(&r->lock);
  free(r);
}

void receiver_set_status(receiver *r, int status) {
  if (r == NULL) return;
  pthread_mutex_lock(&r->lock);
  r->status = status;
  pthread_mutex_unlock(&r->lock);
}

char *mock_simulate_comment(const char *profile_id, const char *body_json) {
  char path[256];
  snprintf(path, sizeof path, "/_mock/profiles/%s/comments", profile_id);
  return mock_admin("POST", path, body_json);
}

char *mock_simulate_message(const char *profile_id, const char *body_json) {
  char path[256];
  snprintf(path, sizeof path, "/_mock/profiles/%s/messages", profile_id);
  return mock_admin("POST", path, body_json);
}

char *mock_update_message(const char *message_id, const char *patch_json) {
  char path[256];
  snprintf(path, sizeof path, "/_mock/messages/%s", message_id);
  return mock_admin("PATCH", path, patch_json);
}
