// The header from C++: compiles with g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror, links,
// and runs a few calls that need no emulator (the init macros, extern "C" linkage, enums,
// callbacks with C linkage). Run by scripts/test.d/40-c.sh.
#include "aether.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

int failures = 0;

void check(bool ok, const char *what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    failures++;
  }
}

}  // namespace

extern "C" void on_event(const aether_post_event *event, void *user_data) {
  (void)event;
  (void)user_data;
}

extern "C" void on_progress(const aether_upload_progress *progress, void *user_data) {
  (void)progress;
  (void)user_data;
}

int main() {
  check(std::string(aether_version()) == AETHER_VERSION_STRING, "aether_version()");
  check(std::string(aether_error_code_str(AETHER_ERROR_POST_LIMIT_REACHED)) ==
            "POST_LIMIT_REACHED",
        "aether_error_code_str");

  aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
  options.api_key = "sk_test_cpp";
  options.base_url = "not a url";
  aether_client *client = nullptr;
  aether_error *error = nullptr;
  aether_status status = aether_client_new(&options, &client, &error);
  check(status == AETHER_ERROR_INVALID_ARGUMENT, "a bad base URL is refused");
  check(client == nullptr, "no client on failure");
  check(aether_error_code(error) == AETHER_ERROR_INVALID_ARGUMENT, "aether_error_code");
  check(std::strstr(aether_error_message(error), "base URL") != nullptr, "the message says why");
  aether_error_free(error);
  error = nullptr;

  options.base_url = "http://127.0.0.1:9";
  check(aether_client_new(&options, &client, &error) == AETHER_OK, "a client");

  aether_upload_options upload = AETHER_UPLOAD_OPTIONS_INIT;
  upload.on_progress = on_progress;
  aether_media *media = nullptr;
  check(aether_media_upload(client, "/nonexistent/video.mp4", &upload, &media, nullptr) ==
            AETHER_ERROR_IO_ERROR,
        "a missing file is IO_ERROR");

  aether_wait_options wait = AETHER_WAIT_OPTIONS_INIT;
  wait.timeout_ms = AETHER_NO_TIMEOUT;
  aether_watch *watch = nullptr;
  check(aether_post_watch(client, "", &wait, on_event, nullptr, &watch, nullptr) ==
            AETHER_ERROR_INVALID_ARGUMENT,
        "an empty post id is refused");

  const char *events[] = {"post.published"};
  aether_webhook *hook = nullptr;
  check(aether_webhook_create(client, "http://127.0.0.1:9/hooks", events, 0, nullptr,
                              nullptr) == AETHER_ERROR_INVALID_ARGUMENT,
        "aether_webhook_create needs an out-parameter");
  check(hook == nullptr && aether_webhook_secret(hook) == nullptr, "no webhook, no secret");
  aether_webhook_free(hook);
  aether_client_free(client);

  std::printf("%d passed, %d failed\n", failures == 0 ? 1 : 0, failures == 0 ? 0 : 1);
  return failures == 0 ? 0 : 1;
}
