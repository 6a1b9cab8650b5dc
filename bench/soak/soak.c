/*
 * The soak of the C API (bench/soak): CYCLES create/get/wait cycles, then UPLOADS chunked
 * uploads of FILE, on one client (the cycles in LANES threads at once, since each wait spends
 * most of its time between polls); prints a JSON line with this process's resident set every
 * few cycles and uploads, which bench/soak/soak.py turns into growth after warm-up. Every
 * object is freed, so under valgrind (a smaller count) the leak summary must say 0 bytes.
 * Usage: soak URL API_KEY PROFILE_IDS CYCLES UPLOADS FILE
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "aether.h"

static long rss_kib(void) {
  long pages = 0, size = 0;
  FILE *statm = fopen("/proc/self/statm", "r");
  if (statm != NULL) {
    if (fscanf(statm, "%ld %ld", &size, &pages) != 2) pages = 0;
    fclose(statm);
  }
  return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

static void sample(const char *phase, long n) {
  printf("{\"phase\": \"%s\", \"n\": %ld, \"rssKiB\": %ld}\n", phase, n, rss_kib());
  fflush(stdout);
}

static int fail(const char *what, aether_error *err) {
  fprintf(stderr, "soak: %s: %s\n", what, err ? aether_error_message(err) : "?");
  aether_error_free(err);
  return 1;
}

/* What the lanes share. */
static struct {
  pthread_mutex_t lock;
  aether_client *client;
  char *profiles[1024];
  size_t profile_count;
  long cycles, every, next, done;
  int failed;
} lanes_state = {PTHREAD_MUTEX_INITIALIZER, NULL, {NULL}, 0, 0, 1, 1, 0, 0};

static int cycle(long i) {
  aether_wait_options wait = AETHER_WAIT_OPTIONS_INIT;
  aether_post_builder *builder = NULL;
  aether_post *post = NULL, *got = NULL, *done = NULL;
  aether_error *err = NULL;
  char text[64];
  int rc = 0;
  snprintf(text, sizeof text, "soak %ld", i);
  if (aether_post_builder_new(&builder, &err) != AETHER_OK ||
      aether_post_builder_set_text(builder, text, &err) != AETHER_OK ||
      aether_post_builder_set_profile_id(
          builder, lanes_state.profiles[(size_t)i % lanes_state.profile_count], &err) != AETHER_OK)
    rc = fail("builder", err);
  else if (aether_post_create(lanes_state.client, builder, &post, &err) != AETHER_OK)
    rc = fail("create", err);
  else if (aether_post_get(lanes_state.client, aether_post_id(post), &got, &err) != AETHER_OK)
    rc = fail("get", err);
  else if (aether_post_wait(lanes_state.client, aether_post_id(post), &wait, &done, &err) !=
           AETHER_OK)
    rc = fail("wait", err);
  aether_post_free(done);
  aether_post_free(got);
  aether_post_free(post);
  aether_post_builder_free(builder);
  return rc;
}

static void *lane(void *unused) {
  (void)unused;
  for (;;) {
    long i;
    pthread_mutex_lock(&lanes_state.lock);
    i = lanes_state.failed ? lanes_state.cycles + 1 : lanes_state.next++;
    pthread_mutex_unlock(&lanes_state.lock);
    if (i > lanes_state.cycles) return NULL;
    if (cycle(i) != 0) {
      pthread_mutex_lock(&lanes_state.lock);
      lanes_state.failed = 1;
      pthread_mutex_unlock(&lanes_state.lock);
      return NULL;
    }
    pthread_mutex_lock(&lanes_state.lock);
    lanes_state.done++;
    if (lanes_state.done % lanes_state.every == 0 || lanes_state.done == lanes_state.cycles)
      sample("cycles", lanes_state.done);
    pthread_mutex_unlock(&lanes_state.lock);
  }
}

int main(int argc, char **argv) {
  aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
  aether_upload_options upload = AETHER_UPLOAD_OPTIONS_INIT;
  aether_error *err = NULL;
  pthread_t threads[64];
  char *profiles, *token;
  const char *lanes_env = getenv("LANES");
  long uploads, i, lanes = lanes_env ? atol(lanes_env) : 16;

  if (argc != 7) {
    fprintf(stderr, "usage: soak URL API_KEY PROFILE_IDS CYCLES UPLOADS FILE\n");
    return 2;
  }
  if (lanes < 1 || lanes > 64) lanes = 16;
  profiles = strdup(argv[3]);
  for (token = strtok(profiles, ","); token != NULL && lanes_state.profile_count < 1024;
       token = strtok(NULL, ","))
    lanes_state.profiles[lanes_state.profile_count++] = token;
  lanes_state.cycles = atol(argv[4]);
  uploads = atol(argv[5]);
  lanes_state.every = lanes_state.cycles / 40 > 0 ? lanes_state.cycles / 40 : 1;
  options.base_url = argv[1];
  options.api_key = argv[2];
  if (aether_client_new(&options, &lanes_state.client, &err) != AETHER_OK)
    return fail("client", err);

  sample("cycles", 0);
  if (lanes == 1) {
    /* No thread of our own: glibc caches a joined thread's stack and TLS, which valgrind would
     * report as possibly lost (the valgrind run uses LANES=1). */
    lane(NULL);
  } else {
    for (i = 0; i < lanes; i++) pthread_create(&threads[i], NULL, lane, NULL);
    for (i = 0; i < lanes; i++) pthread_join(threads[i], NULL);
  }
  if (lanes_state.failed) return 1;

  upload.part_size = 5u * 1024u * 1024u;
  upload.single_shot_threshold = 0;
  sample("uploads", 0);
  for (i = 1; i <= uploads; i++) {
    aether_media *media = NULL;
    if (aether_media_upload(lanes_state.client, argv[6], &upload, &media, &err) != AETHER_OK)
      return fail("upload", err);
    aether_media_free(media);
    if (i % 5 == 0 || i == uploads) sample("uploads", i);
  }
  aether_client_free(lanes_state.client);
  free(profiles);
  return 0;
}
