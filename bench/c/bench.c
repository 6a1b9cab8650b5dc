/*
 * The C binding (libaether) under the benchmark: one JSON line per run, the same contract as
 * the Rust, Python and Node programs of bench/. Built by bench/run (see bench/README.md):
 *
 *   gcc -O2 -std=c11 -pthread -Iinclude bench/c/bench.c -Ltarget/release -laether \
 *       -Wl,-rpath,$PWD/target/release -o target/bench/c_bench
 *
 *   c_bench upload URL KEY FILE [PARALLELISM] [PART_MIB]
 *   c_bench get URL KEY POST_ID CALLS
 *   c_bench concurrent URL KEY PROFILE_IDS COUNT [THREADS] [PLATFORM]
 *   c_bench wait-latency URL KEY PROFILE_IDS COUNT
 *
 * upload: aether_media_upload() with no progress callback. get: CALLS aether_post_get() on
 * one client (kept-alive connections) after one call outside the measurement. concurrent:
 * THREADS (default 16) pthreads share one client; each creates its share of the COUNT posts,
 * then waits each one to a terminal status with aether_post_wait(). PROFILE_IDS is one id or
 * several separated by commas (the emulator's daily quota is per profile), used in turn.
 * wait-latency: COUNT posts one after another, each created and waited for; the median time
 * from the post's change (its latest results[].publishedAt, on the emulator's clock, which is
 * this machine's) to aether_post_wait() returning, in ms.
 */
#define _DEFAULT_SOURCE /* timegm */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "aether.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_mib(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024; /* kilobytes on Linux */
}

/* CPU-seconds (user + system, every thread) this process has used so far: the upload reports
 * the difference around aether_media_upload(), so start-up and the client are not counted. */
static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

static int fail(const char *what, aether_status status, aether_error *error) {
    fprintf(stderr, "%s failed: %s: %s\n", what, aether_error_code_str((int)status),
            error ? aether_error_message(error) : "");
    aether_error_free(error);
    return 1;
}

static aether_client *new_client(const char *url, const char *key) {
    aether_client_options options = AETHER_CLIENT_OPTIONS_INIT;
    options.api_key = key;
    options.base_url = url;
    options.request_timeout_ms = 600000;
    aether_client *client = NULL;
    aether_error *error = NULL;
    aether_status status = aether_client_new(&options, &client, &error);
    if (status != AETHER_OK) {
        fail("aether_client_new", status, error);
        exit(1);
    }
    return client;
}

static int run_upload(aether_client *client, int argc, char **argv) {
    const char *file = argv[4];
    aether_upload_options options = AETHER_UPLOAD_OPTIONS_INIT;
    options.mime_type = "video/mp4";
    options.parallelism = argc > 5 ? (uint32_t)atoi(argv[5]) : 4;
    options.part_size = (uint64_t)(argc > 6 ? atoi(argv[6]) : 8) * 1024 * 1024;
    options.on_progress = NULL;
    FILE *f = fopen(file, "rb");
    if (!f) {
        perror(file);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    double size = (double)ftell(f);
    fclose(f);
    aether_media *media = NULL;
    aether_error *error = NULL;
    double cpu_started = cpu_seconds();
    double started = now_seconds();
    aether_status status = aether_media_upload(client, file, &options, &media, &error);
    double seconds = now_seconds() - started;
    double cpu = cpu_seconds() - cpu_started;
    if (status != AETHER_OK) return fail("aether_media_upload", status, error);
    printf("{\"tool\": \"aether-c\", \"op\": \"upload\", \"mediaKey\": \"%s\", \"seconds\": %.3f, "
           "\"cpuSeconds\": %.4f, \"mibPerSec\": %.1f, \"peakRssMiB\": %ld}\n",
           aether_media_key(media), seconds, cpu, size / 1048576.0 / seconds, peak_rss_mib());
    aether_media_free(media);
    return 0;
}

static int run_get(aether_client *client, char **argv) {
    const char *post_id = argv[4];
    long calls = atol(argv[5]);
    aether_post *post = NULL;
    aether_error *error = NULL;
    aether_status status = aether_post_get(client, post_id, &post, &error);
    if (status != AETHER_OK) return fail("aether_post_get", status, error);
    aether_post_free(post);
    double started = now_seconds();
    for (long i = 0; i < calls; i++) {
        post = NULL;
        status = aether_post_get(client, post_id, &post, &error);
        if (status != AETHER_OK) return fail("aether_post_get", status, error);
        aether_post_free(post);
    }
    double seconds = now_seconds() - started;
    printf("{\"tool\": \"aether-c\", \"op\": \"get\", \"calls\": %ld, \"seconds\": %.3f, "
           "\"microsPerCall\": %.1f, \"peakRssMiB\": %ld}\n",
           calls, seconds, seconds * 1e6 / (double)calls, peak_rss_mib());
    return 0;
}

struct worker {
    aether_client *client;
    char **profiles;
    size_t profile_count;
    const char *platform;
    long first, count;
    long published;
    int failed;
};

static void *run_worker(void *arg) {
    struct worker *w = arg;
    char **ids = calloc((size_t)w->count, sizeof *ids);
    aether_post_builder *builder = NULL;
    aether_error *error = NULL;
    char text[64];
    if (aether_post_builder_new(&builder, &error) != AETHER_OK ||
        aether_post_builder_set_platform(builder, w->platform, "{}", &error) != AETHER_OK) {
        w->failed = fail("builder", AETHER_ERROR_INVALID_ARGUMENT, error);
        return NULL;
    }
    for (long i = 0; i < w->count; i++) {
        long n = w->first + i;
        snprintf(text, sizeof text, "bench %ld", n);
        aether_post *post = NULL;
        aether_status status;
        if ((status = aether_post_builder_set_text(builder, text, &error)) != AETHER_OK ||
            (status = aether_post_builder_set_profile_id(
                 builder, w->profiles[(size_t)n % w->profile_count], &error)) != AETHER_OK ||
            (status = aether_post_create(w->client, builder, &post, &error)) != AETHER_OK) {
            w->failed = fail("aether_post_create", status, error);
            return NULL;
        }
        ids[i] = strdup(aether_post_id(post));
        aether_post_free(post);
    }
    aether_post_builder_free(builder);
    for (long i = 0; i < w->count; i++) {
        aether_post *post = NULL;
        aether_status status = aether_post_wait(w->client, ids[i], NULL, &post, &error);
        if (status != AETHER_OK) {
            w->failed = fail("aether_post_wait", status, error);
            return NULL;
        }
        if (strcmp(aether_post_status(post), "published") == 0) w->published++;
        aether_post_free(post);
        free(ids[i]);
    }
    free(ids);
    return NULL;
}

static int run_concurrent(aether_client *client, int argc, char **argv) {
    char *list = strdup(argv[4]);
    long count = atol(argv[5]);
    long threads = argc > 6 ? atol(argv[6]) : 16;
    const char *platform = argc > 7 ? argv[7] : "linkedin";
    if (threads < 1) threads = 1;
    if (threads > count) threads = count;
    char *profiles[4096];
    size_t profile_count = 0;
    for (char *save = NULL, *p = strtok_r(list, ",", &save); p && profile_count < 4096;
         p = strtok_r(NULL, ",", &save))
        profiles[profile_count++] = p;
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    struct worker *workers = calloc((size_t)threads, sizeof *workers);
    double started = now_seconds();
    for (long t = 0, first = 0; t < threads; t++) {
        long share = count / threads + (t < count % threads ? 1 : 0);
        workers[t] = (struct worker){client, profiles, profile_count, platform, first, share, 0, 0};
        first += share;
        pthread_create(&tids[t], NULL, run_worker, &workers[t]);
    }
    long published = 0;
    int failed = 0;
    for (long t = 0; t < threads; t++) {
        pthread_join(tids[t], NULL);
        published += workers[t].published;
        failed |= workers[t].failed;
    }
    double seconds = now_seconds() - started;
    if (failed || published != count) {
        fprintf(stderr, "%ld of %ld posts published\n", published, count);
        return 1;
    }
    printf("{\"tool\": \"aether-c\", \"op\": \"concurrent\", \"count\": %ld, \"threads\": %ld, "
           "\"seconds\": %.3f, \"peakRssMiB\": %ld}\n",
           count, threads, seconds, peak_rss_mib());
    free(tids);
    free(workers);
    free(list);
    return 0;
}

static double unix_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* "2026-12-04T20:53:11.123Z" (the API's form) as Unix milliseconds; -1 when it is not that. */
static double utc_ms(const char *text) {
    struct tm tm = {0};
    int ms = 0;
    if (!text || sscanf(text, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm) * 1e3 + ms;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int run_wait_latency(aether_client *client, char **argv) {
    const char *profile = strtok(argv[4], ","); /* one profile is enough for 150 posts */
    long count = atol(argv[5]);
    if (count < 1) return 2;
    double *latencies = calloc((size_t)count, sizeof *latencies);
    aether_post_builder *builder = NULL;
    aether_error *error = NULL;
    aether_status status;
    if ((status = aether_post_builder_new(&builder, &error)) != AETHER_OK ||
        (status = aether_post_builder_set_platform(builder, "linkedin", "{}", &error)) != AETHER_OK ||
        (status = aether_post_builder_set_profile_id(builder, profile, &error)) != AETHER_OK)
        return fail("builder", status, error);
    for (long i = 0; i < count; i++) {
        char text[64];
        snprintf(text, sizeof text, "latency %ld", i);
        aether_post *post = NULL, *done = NULL;
        if ((status = aether_post_builder_set_text(builder, text, &error)) != AETHER_OK ||
            (status = aether_post_create(client, builder, &post, &error)) != AETHER_OK)
            return fail("aether_post_create", status, error);
        status = aether_post_wait(client, aether_post_id(post), NULL, &done, &error);
        double returned = unix_ms();
        aether_post_free(post);
        if (status != AETHER_OK) return fail("aether_post_wait", status, error);
        double changed = -1;
        for (size_t r = 0; r < aether_post_result_count(done); r++) {
            double at = utc_ms(aether_target_result_published_at(aether_post_result(done, r)));
            if (at > changed) changed = at;
        }
        aether_post_free(done);
        if (changed < 0) {
            fprintf(stderr, "a published post without publishedAt\n");
            return 1;
        }
        latencies[i] = returned - changed;
    }
    aether_post_builder_free(builder);
    qsort(latencies, (size_t)count, sizeof *latencies, by_value);
    double median = count % 2 ? latencies[count / 2]
                              : (latencies[count / 2 - 1] + latencies[count / 2]) / 2;
    printf("{\"tool\": \"aether-c\", \"op\": \"wait-latency\", \"count\": %ld, "
           "\"medianMs\": %.1f, \"peakRssMiB\": %ld}\n",
           count, median, peak_rss_mib());
    free(latencies);
    return 0;
}

int main(int argc, char **argv) {
    int upload = argc > 1 && strcmp(argv[1], "upload") == 0;
    if (argc < (upload ? 5 : 6) ||
        (!upload && strcmp(argv[1], "get") && strcmp(argv[1], "concurrent") &&
         strcmp(argv[1], "wait-latency"))) {
        fprintf(stderr,
                "usage: %s upload URL KEY FILE [PARALLELISM] [PART_MIB]\n"
                "       %s get URL KEY POST_ID CALLS\n"
                "       %s concurrent URL KEY PROFILE_IDS COUNT [THREADS] [PLATFORM]\n"
                "       %s wait-latency URL KEY PROFILE_IDS COUNT\n",
                argv[0], argv[0], argv[0], argv[0]);
        return 2;
    }
    aether_client *client = new_client(argv[2], argv[3]);
    int rc;
    if (upload) rc = run_upload(client, argc, argv);
    else if (strcmp(argv[1], "get") == 0) rc = run_get(client, argv);
    else if (strcmp(argv[1], "wait-latency") == 0) rc = run_wait_latency(client, argv);
    else rc = run_concurrent(client, argc, argv);
    aether_client_free(client);
    return rc;
}
