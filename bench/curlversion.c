/*
 * curlversion.c - bench-curlversion: which libcurl this build compiled
 * against (LIBCURL_VERSION, from the headers) and which one it runs with
 * (curl_version_info(), from the library the loader found).
 * scripts/curl8.sh checks a build against libcurl 8 with it; bench/run
 * prints it per build.
 *
 *   bench-curlversion     prints "compiled 7.88.1, running 7.88.1"
 */
#include <curl/curl.h>
#include <stdio.h>

int main(void)
{
  curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
  printf("compiled %s, running %s\n", LIBCURL_VERSION, v->version);
  return 0;
}
