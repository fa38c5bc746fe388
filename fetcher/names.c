/*
 * names.c - printable names for states, error kinds and return codes, as
 * they appear in JSON records and messages.  Each comes from its list in
 * sluice.h, so no value lacks a name.
 */
#include "sluice.h"

#include "base/container_of.h"

#include <stddef.h>

/* v[i], or dflt for a value no list has. */
static const char *pick(const char *const *v, size_t n, long i,
                        const char *dflt)
{
  return i >= 0 && (size_t)i < n && v[i] ? v[i] : dflt;
}

static const char *const state_names[] = {
#define SL_XX(name, str) str,
    SL_STATE_MAP(SL_XX)
#undef SL_XX
};

static const char *const kind_names[] = {
#define SL_XX(name, str) str,
    SL_ERROR_KIND_MAP(SL_XX)
#undef SL_XX
};

const char *sl_state_name(enum sl_state s)
{
  return pick(state_names, SL_COUNTOF(state_names), (long)s, "unknown");
}

const char *sl_error_kind_name(enum sl_error_kind k)
{
  return pick(kind_names, SL_COUNTOF(kind_names), (long)k, "unknown");
}

const char *sl_strerror(int rc)
{
  /* the codes are 0, -1, -2, ...: indexed by -rc */
  static const char *const msgs[] = {
#define SL_XX(name, value, msg) [-(value)] = msg,
      SL_RC_MAP(SL_XX)
#undef SL_XX
  };
  return pick(msgs, SL_COUNTOF(msgs), -(long)rc, "unknown error");
}

const char *sl_version(void)
{
  return SL_VERSION;
}
