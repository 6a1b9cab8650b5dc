/*
 * A small JSON reader and writer for the C conformance runner (tests/c/conformance.c): the
 * scenarios are JSON, and so are the library's _to_json results. Not part of libaether.
 */
#ifndef AETHER_TEST_JSON_H
#define AETHER_TEST_JSON_H

#include <stddef.h>

/** The kind of a JSON value. */
typedef enum { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } jtype;

/** A JSON value; arrays and objects own their items (objects keep their keys in order). */
typedef struct jvalue {
  jtype type;
  int boolean;
  double number;
  char *string;
  struct jvalue **items;
  char **keys;
  size_t count;
} jvalue;

/** Parses `text`; NULL (with a message in `error`, if given) when it is not JSON. */
jvalue *json_parse(const char *text, char *error, size_t error_size);

/** Frees a value and everything in it; NULL is ignored. */
void json_free(jvalue *value);

/** A deep copy. */
jvalue *json_clone(const jvalue *value);

/** Compact JSON text (malloc'd). */
char *json_dump(const jvalue *value);

/** The member `key` of an object, or NULL. */
jvalue *json_get(const jvalue *object, const char *key);

/**
 * The value at `path` ("a.b[0].c", "" for the value itself), or NULL when absent. Sets
 * `*bad_path` when the path itself is malformed.
 */
const jvalue *json_path(const jvalue *root, const char *path, int *bad_path);

/** Equality with numbers compared by value. */
int json_equal(const jvalue *a, const jvalue *b);

/* Constructors (the new value is owned by the caller, or by the container it is added to). */
jvalue *json_new(jtype type);
jvalue *json_new_string(const char *text);
jvalue *json_new_number(double number);
jvalue *json_new_bool(int boolean);
void json_append(jvalue *array, jvalue *item);
/** Sets (replaces) `key` of an object. */
void json_set(jvalue *object, const char *key, jvalue *item);

#endif
