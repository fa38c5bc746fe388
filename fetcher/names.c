/*
 * names.c - printable names for states, error kinds and return codes, as
 * they appear in JSON records and messages.
 */
#include "sluice.h"

#include <curl/curl.h>

const char *sl_state_name(enum sl_state s)
{
  switch(s) {
    case SL_PENDING:
      return "pending";
    case SL_RUNNING:
      return "running";
    case SL_DONE:
      return "done";
    case SL_FAILED:
      return "failed";
    case SL_CANCELLED:
      return "cancelled";
  }
  return "unknown";
}

const char *sl_error_kind_name(enum sl_error_kind k)
{
  switch(k) {
    case SL_ERR_NONE:
      return "none";
    case SL_ERR_INVALID_URL:
      return "invalid_url";
    case SL_ERR_DNS:
      return "dns";
    case SL_ERR_CONNECT:
      return "connect";
    case SL_ERR_TLS:
      return "tls";
    case SL_ERR_TIMEOUT:
      return "timeout";
    case SL_ERR_HTTP:
      return "http";
    case SL_ERR_TOO_LARGE:
      return "too_large";
    case SL_ERR_CANCELLED:
      return "cancelled";
    case SL_ERR_IO:
      return "io";
    case SL_ERR_PROTOCOL:
      return "protocol";
    case SL_ERR_REDIRECT:
      return "redirect";
    case SL_ERR_INTERNAL:
      return "internal";
  }
  return "unknown";
}

const char *sl_strerror(int rc)
{
  switch(rc) {
    case SL_OK:
      return "success";
    case SL_EINVAL:
      return "invalid argument";
    case SL_ESTATE:
      return "the task is not in a state that allows this";
    case SL_ENOMEM:
      return "out of memory";
    case SL_EBUSY:
      return "not allowed here (inside a callback, or on a borrowed loop)";
    case SL_ENOENT:
      return "not found";
    case SL_EINTERNAL:
      return "internal error";
  }
  return "unknown error";
}

const char *sl_version(void)
{
  return SL_VERSION;
}
