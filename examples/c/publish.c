/*
 * publish.c - the tutorial "How to post to TikTok via API" in C, with libaether.
 *
 * Connects a TikTok account through a connect link, uploads a video, publishes it, and waits
 * until TikTok has processed it:
 *
 *   export AETHER_API_KEY=sk_live_...        (and AETHER_BASE_URL for the emulator)
 *   cc -std=c99 publish.c $(pkg-config --cflags --libs aether) -o publish
 *   ./publish video.mp4
 *
 * It prints the connect link, then waits for the account to be connected: open the link in a
 * browser (with the emulator, `aether-mock`, open it with `?approve=1` appended, as
 * scripts/test.d/40-c.sh does).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aether.h"

/* Prints a failed call's error the way a program would log it, and frees it. */
static int fail(const char *what, aether_error *error) {
  const char *request_id = aether_error_request_id(error);
  const char *code = aether_error_code_str(aether_error_code(error));
  if (request_id != NULL) {
    fprintf(stderr, "%s failed: %s: %s (request %s)\n", what, code, aether_error_message(error),
            request_id);
  } else {
    fprintf(stderr, "%s failed: %s: %s\n", what, code, aether_error_message(error));
  }
  /* The tutorial's error handling: react to the code. */
  switch (aether_error_code(error)) {
    case AETHER_ERROR_POST_LIMIT_REACHED:
      fprintf(stderr, "daily quota used: queue the post for after %lld s\n",
              (long long)aether_error_retry_after_ms(error) / 1000);
      break;
    case AETHER_ERROR_VIDEO_TOO_SHORT:
      fprintf(stderr, "TikTok needs at least 15 s of video\n");
      break;
    default:
      break;
  }
  aether_error_free(error);
  return 1;
}

static void on_progress(const aether_upload_progress *progress, void *user_data) {
  (void)user_data; /* runs on a library thread: only print */
  printf("uploaded %llu of %llu bytes\n", (unsigned long long)progress->bytes_sent,
         (unsigned long long)progress->total);
  fflush(stdout);
}

static void sleep_seconds(int seconds) {
  struct timespec ts;
  ts.tv_sec = seconds;
  ts.tv_nsec = 0;
  nanosleep(&ts, NULL);
}

/* Waits until the end user has authorized the link; returns the completed link or NULL. */
static aether_connect_link *wait_for_connection(aether_client *client, const char *link_id) {
  int waited;
  for (waited = 0; waited < 600; waited++) {
    aether_connect_link *link = NULL;
    aether_error *error = NULL;
    if (aether_connect_link_get(client, link_id, &link, &error) != AETHER_OK) {
      fail("reading the connect link", error);
      return NULL;
    }
    if (strcmp(aether_connect_link_status(link), "completed") == 0) return link;
    if (strcmp(aether_connect_link_status(link), "pending") != 0) {
      fprintf(stderr, "the connect link ended %s\n", aether_connect_link_status(link));
      aether_connect_link_free(link);
      return NULL;
    }
    aether_connect_link_free(link);
    sleep_seconds(1);
  }
  fprintf(stderr, "nobody opened the connect link\n");
  return NULL;
}

int main(int argc, char **argv) {
  const char *video = argc > 1 ? argv[1] : "./video.mp4";
  aether_client *client = NULL;
  aether_connect_link *link = NULL, *connected = NULL;
  aether_media *media = NULL;
  aether_post_builder *builder = NULL;
  aether_post *post = NULL, *done = NULL;
  aether_error *error = NULL;
  aether_upload_options upload = AETHER_UPLOAD_OPTIONS_INIT;
  int status = 1;

  /* ANCHOR: client */
  /* The API key comes from AETHER_API_KEY (and the base URL from AETHER_BASE_URL). */
  if (aether_client_new(NULL, &client, &error) != AETHER_OK) {
    return fail("creating the client", error);
  }
  /* ANCHOR_END: client */

  /* ANCHOR: connect */
  /* 1. Connect a TikTok account. */
  if (aether_connect_link_create(client, "tiktok", "https://yourapp.com/oauth/tiktok/callback",
                                 NULL, &link, &error) != AETHER_OK) {
    status = fail("creating the connect link", error);
    goto done;
  }
  printf("connect link: %s\n", aether_connect_link_url(link));
  fflush(stdout);
  connected = wait_for_connection(client, aether_connect_link_id(link));
  if (connected == NULL) goto done;
  printf("connected profile %s\n", aether_connect_link_profile_id(connected));
  /* ANCHOR_END: connect */

  /* ANCHOR: upload */
  /* 2. Upload the video: returns a media key to reference at publish time. */
  upload.mime_type = "video/mp4";
  upload.on_progress = on_progress;
  if (aether_media_upload(client, video, &upload, &media, &error) != AETHER_OK) {
    status = fail("uploading the video", error);
    goto done;
  }
  printf("media key: %s\n", aether_media_key(media));
  /* ANCHOR_END: upload */

  /* ANCHOR: publish */
  /* 3. Publish the post. */
  if (aether_post_builder_new(&builder, &error) != AETHER_OK ||
      aether_post_builder_set_profile_id(builder, aether_connect_link_profile_id(connected),
                                         &error) != AETHER_OK ||
      aether_post_builder_set_text(builder, "My first TikTok via API! #coding #developer",
                                   &error) != AETHER_OK ||
      aether_post_builder_add_media_key(builder, aether_media_key(media), &error) != AETHER_OK ||
      aether_post_builder_set_platform(builder, "tiktok", "{}", &error) != AETHER_OK ||
      aether_post_create(client, builder, &post, &error) != AETHER_OK) {
    status = fail("creating the post", error);
    goto done;
  }
  printf("post %s is %s\n", aether_post_id(post), aether_post_status(post));
  fflush(stdout);
  /* ANCHOR_END: publish */

  /* ANCHOR: wait */
  /* 4. Wait until TikTok has processed the video (polls when the server expects a change). */
  if (aether_post_wait(client, aether_post_id(post), NULL, &done, &error) != AETHER_OK) {
    status = fail("waiting for the post", error);
    goto done;
  }
  printf("%s\n", aether_post_status(done));
  if (aether_post_result_count(done) > 0) {
    const char *url = aether_target_result_url(aether_post_result(done, 0));
    if (url != NULL) printf("live at %s\n", url);
  }
  status = strcmp(aether_post_status(done), "published") == 0 ? 0 : 1;
  /* ANCHOR_END: wait */

done:
  aether_post_free(done);
  aether_post_free(post);
  aether_post_builder_free(builder);
  aether_media_free(media);
  aether_connect_link_free(connected);
  aether_connect_link_free(link);
  aether_client_free(client);
  return status;
}
