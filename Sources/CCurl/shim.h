// CCurl shim: libcurl's easy interface, with typed wrappers for its variadic setopt and getinfo
// (Swift does not import C variadic functions).
#include <curl/curl.h>

typedef size_t (*runner_curl_write_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*runner_curl_progress_callback)(void *context, curl_off_t total, curl_off_t now,
                                             curl_off_t upload_total, curl_off_t upload_now);

static inline CURLcode runner_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode runner_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode runner_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode runner_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode runner_curl_set_write_callback(CURL *handle, runner_curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode runner_curl_set_progress_callback(CURL *handle, runner_curl_progress_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
static inline CURLcode runner_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode runner_curl_get_offset(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
/* CURL_GLOBAL_DEFAULT is a composite macro Swift does not import. */
static inline CURLcode runner_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}
