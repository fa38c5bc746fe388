/*
 * names.c - printable names for states, error kinds and return codes, as
 * they appear in JSON records and messages.  Each comes from its list in
 * sluice.h, so no value lacks a name.
 */
#include "sluice.h"

const char *sl_state_name(enum sl_state s)
{
  switch(s) {
#define SL_XX(name, str)                                                      \
  case SL_##name:                                                             \
    return str;
    SL_STATE_MAP(SL_XX)
#undef SL_XX
  }
  return "unknown";
}

const char *sl_error_kind_name(enum sl_error_kind k)
{
  switch(k) {
#define SL_XX(name, str)                                                      \
  case SL_ERR_##name:                                                         \
    return str;
    SL_ERROR_KIND_MAP(SL_XX)
#undef SL_XX
  }
  return "unknown";
}

const char *sl_strerror(int rc)
{
  switch(rc) {
#define SL_XX(name, value, msg)                                               \
  case SL_##name:                                                             \
    return msg;
    SL_RC_MAP(SL_XX)
#undef SL_XX
  }
  return "unknown error";
}

const char *sl_version(void)
{
  return SL_VERSION;
}
