/*
 * Crash and resume through the C API (issue 20, item 3): a process uploading with
 * options.resume_state_file is killed with SIGKILL while part 3 is on its way (the emulator
 * stalls that part on arrival, so the kill lands there every time), then a new process given
 * the same state file continues the session. The emulator's journal shows that at most one part
 * was sent twice and that no second session was opened; the media's SHA-256 (asked for) is the
 * file's, computed here with OpenSSL.
 *
 * `crash_resume` runs the test (against AETHER_MOCK_URL, like test_aether); it starts itself as
 * `crash_resume upload FILE STATE` for each uploading process (exec'd, so each is a new process
 * with nothing of the parent's), which prints the media's SHA-256 and exits 0.
 */
#define _POSIX_C_SOURCE 200809L
#include <openssl/sha.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "aether.h"
#include "support.h"

#define MIB (1024u * 1024u)
#define PARTS 4
#define SIZE ((PARTS - 1) * 5 * MIB + 12345)

static int upload(const char *file, const char *state) {
  aether_upload_options options = AETHER_UPLOAD_OPTIONS_INIT;
  aether_client *client = mock_client();
  aether_media *media = NULL;
  aether_error *err = NULL;
  if (client == NULL) return 2;
  options.part_size = 5 * MIB;
  options.parallelism = 1;
  options.resume_state_file = state;
  options.sha256 = 1;
  if (aether_media_upload(client, file, &options, &media, &err) != AETHER_OK) {
    fprintf(stderr, "upload: %s\n", aether_error_message(err));
    aether_error_free(err);
    aether_client_free(client);
    return 1;
  }
  printf("%s\n", aether_media_sha256(media));
  aether_media_free(media);
  aether_client_free(client);
  return 0;
}

/* Occurrences of `needle` in `haystack`. */
static int count(const char *haystack, const char *needle) {
  int n = 0;
  const char *at = haystack;
  while ((at = strstr(at, needle)) != NULL) {
    n++;
    at += strlen(needle);
  }
  return n;
}

/* Part PUTs the journal holds for part `part` (0: any part). */
static int part_puts(int part) {
  char needle[32];
  char *journal = mock_admin("GET", "/_mock/journal", NULL);
  int n;
  if (journal == NULL) return -1;
  if (part == 0) snprintf(needle, sizeof needle, "/parts/");
  else snprintf(needle, sizeof needle, "/parts/%d\"", part);
  n = count(journal, needle);
  free(journal);
  return n;
}

static pid_t start(const char *self, const char *file, const char *state, int out_fd) {
  pid_t child = fork();
  if (child == 0) {
    if (out_fd >= 0) dup2(out_fd, STDOUT_FILENO);
    execl(self, self, "upload", file, state, (char *)NULL);
    _exit(127);
  }
  return child;
}

static void test_a_killed_upload_is_continued_from_its_state_file(const char *self) {
  char dir[] = "/tmp/aether-crash-c-XXXXXX";
  char file[128], state[160], out[128] = {0}, expected[65];
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned char *data = malloc(SIZE);
  int pipe_fds[2], status = 0, waited = 0, i;
  pid_t first, second;
  FILE *f;
  char *journal;

  CHECK(data != NULL && mkdtemp(dir) != NULL);
  for (i = 0; i < (int)SIZE; i++) data[i] = (unsigned char)((i * 131) % 251);
  snprintf(file, sizeof file, "%s/big.mp4", dir);
  snprintf(state, sizeof state, "%s/big.upload.json", dir);
  f = fopen(file, "wb");
  CHECK(f != NULL && fwrite(data, 1, SIZE, f) == SIZE);
  fclose(f);
  SHA256(data, SIZE, digest);
  for (i = 0; i < SHA256_DIGEST_LENGTH; i++) snprintf(expected + 2 * i, 3, "%02x", digest[i]);
  free(data);

  CHECK(mock_reset(NULL) == 0);
  journal = mock_admin("POST", "/_mock/faults",
                       "{\"method\":\"PUT\",\"path\":\"/v1/media/uploads/*/parts/3\",\"times\":1,"
                       "\"action\":{\"type\":\"stall_request_body\",\"afterBytes\":0,\"ms\":60000}}");
  CHECK(journal != NULL);
  free(journal);

  fflush(NULL);
  first = start(self, file, state, -1);
  CHECK(first > 0);
  while (part_puts(3) < 1) {
    CHECK(waitpid(first, &status, WNOHANG) == 0); /* still uploading */
    CHECK(waited++ < 1500);                       /* 30 s */
    sleep_ms(20);
  }
  CHECK(kill(first, SIGKILL) == 0);
  CHECK(waitpid(first, &status, 0) == first && WIFSIGNALED(status));
  CHECK(access(state, F_OK) == 0); /* the killed process left its state file */

  CHECK(pipe(pipe_fds) == 0);
  second = start(self, file, state, pipe_fds[1]);
  close(pipe_fds[1]);
  CHECK(second > 0);
  {
    size_t got = 0;
    ssize_t n;
    while ((n = read(pipe_fds[0], out + got, sizeof out - 1 - got)) > 0) got += (size_t)n;
  }
  close(pipe_fds[0]);
  CHECK(waitpid(second, &status, 0) == second && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  out[strcspn(out, "\n")] = '\0';
  CHECK_STR(out, expected);
  CHECK(access(state, F_OK) != 0); /* removed after completion */

  journal = mock_admin("GET", "/_mock/journal", NULL);
  CHECK(journal != NULL);
  /* One session: the second process opened none. */
  CHECK(count(journal, "\"path\":\"/v1/media/uploads\"") == 1);
  free(journal);
  /* Four parts, each sent once, but for part 3, which the kill interrupted. */
  CHECK(part_puts(0) <= PARTS + 1);
  for (i = 1; i <= PARTS; i++) CHECK(part_puts(i) >= 1);
  unlink(file);
  rmdir(dir);
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "upload") == 0) {
    if (mock_load() != 0) return 2;
    return upload(argv[2], argv[3]);
  }
  if (mock_load() != 0) {
    fprintf(stderr, "no emulator (AETHER_MOCK_URL)\n");
    return 1;
  }
  printf("test crash_resume ... ");
  fflush(stdout);
  test_reset_failed();
  test_a_killed_upload_is_continued_from_its_state_file(argv[0]);
  printf("%s\n\n%d passed, %d failed\n", test_failed() ? "FAILED" : "ok", !test_failed(),
         test_failed());
  return test_failed() ? 1 : 0;
}
