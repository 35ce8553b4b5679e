#ifndef TREATY_CCURLSHIM_H
#define TREATY_CCURLSHIM_H
// curl_easy_setopt and curl_easy_getinfo are variadic and unavailable to Swift: these typed
// wrappers map each use 1:1. Nothing here holds state.
#include <curl/curl.h>
#include <stddef.h>

typedef size_t (*treaty_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

CURLcode treaty_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode treaty_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode treaty_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode treaty_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode treaty_curl_setopt_callback(CURL *handle, CURLoption option, treaty_curl_data_callback value);
CURLcode treaty_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);

CURLMcode treaty_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

CURLcode treaty_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode treaty_curl_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode treaty_curl_getinfo_string(CURL *handle, CURLINFO info, const char **value);
CURLcode treaty_curl_getinfo_socket(CURL *handle, CURLINFO info, curl_socket_t *value);

#endif
