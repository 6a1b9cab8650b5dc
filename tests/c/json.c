/* A small JSON reader and writer for the C conformance runner: see json.h. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *at;
  char *error;
  size_t error_size;
  int failed;
} parser;

static void fail(parser *p, const char *what) {
  if (!p->failed && p->error != NULL) snprintf(p->error, p->error_size, "%s near %.20s", what, p->at);
  p->failed = 1;
}

static void skip_space(parser *p) {
  while (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r') p->at++;
}

jvalue *json_new(jtype type) {
  jvalue *value = (jvalue *)calloc(1, sizeof *value);
  if (value != NULL) value->type = type;
  return value;
}

jvalue *json_new_string(const char *text) {
  jvalue *value = json_new(J_STRING);
  size_t len = strlen(text);
  value->string = (char *)malloc(len + 1);
  memcpy(value->string, text, len + 1);
  return value;
}

jvalue *json_new_number(double number) {
  jvalue *value = json_new(J_NUMBER);
  value->number = number;
  return value;
}

jvalue *json_new_bool(int boolean) {
  jvalue *value = json_new(J_BOOL);
  value->boolean = boolean != 0;
  return value;
}

static void push(jvalue *container, char *key, jvalue *item) {
  container->items = (jvalue **)realloc(container->items, (container->count + 1) * sizeof(jvalue *));
  if (container->type == J_OBJECT) {
    container->keys = (char **)realloc(container->keys, (container->count + 1) * sizeof(char *));
    container->keys[container->count] = key;
  }
  container->items[container->count++] = item;
}

void json_append(jvalue *array, jvalue *item) { push(array, NULL, item); }

void json_set(jvalue *object, const char *key, jvalue *item) {
  size_t i;
  char *copy;
  for (i = 0; i < object->count; i++) {
    if (strcmp(object->keys[i], key) == 0) {
      json_free(object->items[i]);
      object->items[i] = item;
      return;
    }
  }
  copy = (char *)malloc(strlen(key) + 1);
  strcpy(copy, key);
  push(object, copy, item);
}

/* Appends the UTF-8 encoding of `code` to `out` (which has room for 4 bytes). */
static size_t put_utf8(char *out, unsigned long code) {
  if (code < 0x80) {
    out[0] = (char)code;
    return 1;
  }
  if (code < 0x800) {
    out[0] = (char)(0xC0 | (code >> 6));
    out[1] = (char)(0x80 | (code & 0x3F));
    return 2;
  }
  if (code < 0x10000) {
    out[0] = (char)(0xE0 | (code >> 12));
    out[1] = (char)(0x80 | ((code >> 6) & 0x3F));
    out[2] = (char)(0x80 | (code & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (code >> 18));
  out[1] = (char)(0x80 | ((code >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((code >> 6) & 0x3F));
  out[3] = (char)(0x80 | (code & 0x3F));
  return 4;
}

static int hex4(const char *s, unsigned long *out) {
  int i;
  *out = 0;
  for (i = 0; i < 4; i++) {
    char c = s[i];
    *out <<= 4;
    if (c >= '0' && c <= '9') *out |= (unsigned long)(c - '0');
    else if (c >= 'a' && c <= 'f') *out |= (unsigned long)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') *out |= (unsigned long)(c - 'A' + 10);
    else return -1;
  }
  return 0;
}

static char *parse_string(parser *p) {
  size_t capacity = 32, len = 0;
  char *out = (char *)malloc(capacity);
  p->at++; /* the quote */
  for (;;) {
    char c = *p->at;
    if (len + 5 > capacity) {
      capacity *= 2;
      out = (char *)realloc(out, capacity);
    }
    if (c == '\0') {
      fail(p, "unterminated string");
      free(out);
      return NULL;
    }
    if (c == '"') {
      p->at++;
      break;
    }
    if (c == '\\') {
      char e = p->at[1];
      p->at += 2;
      switch (e) {
        case '"': out[len++] = '"'; break;
        case '\\': out[len++] = '\\'; break;
        case '/': out[len++] = '/'; break;
        case 'b': out[len++] = '\b'; break;
        case 'f': out[len++] = '\f'; break;
        case 'n': out[len++] = '\n'; break;
        case 'r': out[len++] = '\r'; break;
        case 't': out[len++] = '\t'; break;
        case 'u': {
          unsigned long code, low;
          if (hex4(p->at, &code) != 0) {
            fail(p, "bad \\u escape");
            free(out);
            return NULL;
          }
          p->at += 4;
          if (code >= 0xD800 && code < 0xDC00 && p->at[0] == '\\' && p->at[1] == 'u' &&
              hex4(p->at + 2, &low) == 0 && low >= 0xDC00 && low < 0xE000) {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            p->at += 6;
          }
          len += put_utf8(out + len, code);
          break;
        }
        default:
          fail(p, "bad escape");
          free(out);
          return NULL;
      }
      continue;
    }
    out[len++] = c;
    p->at++;
  }
  out[len] = '\0';
  return out;
}

static jvalue *parse_value(parser *p, int depth);

static jvalue *parse_container(parser *p, int depth, jtype type) {
  jvalue *value = json_new(type);
  char close = type == J_ARRAY ? ']' : '}';
  p->at++;
  skip_space(p);
  if (*p->at == close) {
    p->at++;
    return value;
  }
  for (;;) {
    char *key = NULL;
    jvalue *item;
    skip_space(p);
    if (type == J_OBJECT) {
      if (*p->at != '"') {
        fail(p, "expected a key");
        break;
      }
      key = parse_string(p);
      if (key == NULL) break;
      skip_space(p);
      if (*p->at != ':') {
        free(key);
        fail(p, "expected ':'");
        break;
      }
      p->at++;
    }
    item = parse_value(p, depth + 1);
    if (item == NULL) {
      free(key);
      break;
    }
    push(value, key, item);
    skip_space(p);
    if (*p->at == ',') {
      p->at++;
      continue;
    }
    if (*p->at == close) {
      p->at++;
      return value;
    }
    fail(p, "expected ',' or a closing bracket");
    break;
  }
  json_free(value);
  return NULL;
}

static jvalue *parse_value(parser *p, int depth) {
  skip_space(p);
  if (depth > 200) {
    fail(p, "too deep");
    return NULL;
  }
  switch (*p->at) {
    case '{': return parse_container(p, depth, J_OBJECT);
    case '[': return parse_container(p, depth, J_ARRAY);
    case '"': {
      char *text = parse_string(p);
      jvalue *value;
      if (text == NULL) return NULL;
      value = json_new(J_STRING);
      value->string = text;
      return value;
    }
    case 't':
      if (strncmp(p->at, "true", 4) == 0) {
        p->at += 4;
        return json_new_bool(1);
      }
      break;
    case 'f':
      if (strncmp(p->at, "false", 5) == 0) {
        p->at += 5;
        return json_new_bool(0);
      }
      break;
    case 'n':
      if (strncmp(p->at, "null", 4) == 0) {
        p->at += 4;
        return json_new(J_NULL);
      }
      break;
    default: {
      char *end = NULL;
      double number = strtod(p->at, &end);
      if (end != p->at && (*p->at == '-' || (*p->at >= '0' && *p->at <= '9'))) {
        p->at = end;
        return json_new_number(number);
      }
    }
  }
  fail(p, "unexpected character");
  return NULL;
}

jvalue *json_parse(const char *text, char *error, size_t error_size) {
  parser p;
  jvalue *value;
  p.at = text;
  p.error = error;
  p.error_size = error_size;
  p.failed = 0;
  value = parse_value(&p, 0);
  if (value != NULL) {
    skip_space(&p);
    if (*p.at != '\0') {
      fail(&p, "text after the value");
      json_free(value);
      value = NULL;
    }
  }
  return value;
}

void json_free(jvalue *value) {
  size_t i;
  if (value == NULL) return;
  for (i = 0; i < value->count; i++) {
    json_free(value->items[i]);
    if (value->keys != NULL) free(value->keys[i]);
  }
  free(value->items);
  free(value->keys);
  free(value->string);
  free(value);
}

jvalue *json_clone(const jvalue *value) {
  jvalue *copy;
  size_t i;
  if (value == NULL) return NULL;
  switch (value->type) {
    case J_STRING: return json_new_string(value->string);
    case J_NUMBER: return json_new_number(value->number);
    case J_BOOL: return json_new_bool(value->boolean);
    case J_NULL: return json_new(J_NULL);
    default: break;
  }
  copy = json_new(value->type);
  for (i = 0; i < value->count; i++) {
    if (value->type == J_OBJECT) {
      json_set(copy, value->keys[i], json_clone(value->items[i]));
    } else {
      json_append(copy, json_clone(value->items[i]));
    }
  }
  return copy;
}

typedef struct {
  char *data;
  size_t len, capacity;
} buffer;

static void put(buffer *b, const char *text, size_t len) {
  if (b->len + len + 1 > b->capacity) {
    while (b->len + len + 1 > b->capacity) b->capacity = b->capacity ? b->capacity * 2 : 64;
    b->data = (char *)realloc(b->data, b->capacity);
  }
  memcpy(b->data + b->len, text, len);
  b->len += len;
  b->data[b->len] = '\0';
}

static void dump_string(buffer *b, const char *text) {
  const unsigned char *c;
  put(b, "\"", 1);
  for (c = (const unsigned char *)text; *c; c++) {
    char escaped[8];
    if (*c == '"' || *c == '\\') {
      escaped[0] = '\\';
      escaped[1] = (char)*c;
      put(b, escaped, 2);
    } else if (*c < 0x20) {
      snprintf(escaped, sizeof escaped, "\\u%04x", *c);
      put(b, escaped, 6);
    } else {
      put(b, (const char *)c, 1);
    }
  }
  put(b, "\"", 1);
}

static void dump(buffer *b, const jvalue *value) {
  size_t i;
  char number[64];
  switch (value->type) {
    case J_NULL: put(b, "null", 4); break;
    case J_BOOL: value->boolean ? put(b, "true", 4) : put(b, "false", 5); break;
    case J_NUMBER:
      if (value->number == floor(value->number) && fabs(value->number) < 1e15) {
        snprintf(number, sizeof number, "%.0f", value->number);
      } else {
        snprintf(number, sizeof number, "%.17g", value->number);
      }
      put(b, number, strlen(number));
      break;
    case J_STRING: dump_string(b, value->string); break;
    case J_ARRAY:
    case J_OBJECT:
      put(b, value->type == J_ARRAY ? "[" : "{", 1);
      for (i = 0; i < value->count; i++) {
        if (i > 0) put(b, ",", 1);
        if (value->type == J_OBJECT) {
          dump_string(b, value->keys[i]);
          put(b, ":", 1);
        }
        dump(b, value->items[i]);
      }
      put(b, value->type == J_ARRAY ? "]" : "}", 1);
      break;
  }
}

char *json_dump(const jvalue *value) {
  buffer b = {NULL, 0, 0};
  put(&b, "", 0);
  if (value != NULL) dump(&b, value);
  return b.data;
}

jvalue *json_get(const jvalue *object, const char *key) {
  size_t i;
  if (object == NULL || object->type != J_OBJECT) return NULL;
  for (i = 0; i < object->count; i++) {
    if (strcmp(object->keys[i], key) == 0) return object->items[i];
  }
  return NULL;
}

const jvalue *json_path(const jvalue *root, const char *path, int *bad_path) {
  const jvalue *current = root;
  const char *at = path;
  *bad_path = 0;
  while (*at != '\0' && current != NULL) {
    char key[256];
    size_t len = 0;
    while (*at != '\0' && *at != '.' && *at != '[' && len < sizeof key - 1) key[len++] = *at++;
    key[len] = '\0';
    if (len > 0) current = json_get(current, key);
    while (current != NULL && *at == '[') {
      char *end = NULL;
      long index = strtol(at + 1, &end, 10);
      if (end == at + 1 || *end != ']' || index < 0) {
        *bad_path = 1;
        return NULL;
      }
      current = (current->type == J_ARRAY && (size_t)index < current->count)
                    ? current->items[index]
                    : NULL;
      at = end + 1;
    }
    if (*at == '.') at++;
  }
  return current;
}

int json_equal(const jvalue *a, const jvalue *b) {
  size_t i;
  if (a->type != b->type) return 0;
  switch (a->type) {
    case J_NULL: return 1;
    case J_BOOL: return a->boolean == b->boolean;
    case J_NUMBER: return a->number == b->number;
    case J_STRING: return strcmp(a->string, b->string) == 0;
    case J_ARRAY:
      if (a->count != b->count) return 0;
      for (i = 0; i < a->count; i++) {
        if (!json_equal(a->items[i], b->items[i])) return 0;
      }
      return 1;
    case J_OBJECT:
      if (a->count != b->count) return 0;
      for (i = 0; i < a->count; i++) {
        const jvalue *other = json_get(b, a->keys[i]);
        if (other == NULL || !json_equal(a->items[i], other)) return 0;
      }
      return 1;
  }
  return 0;
}
