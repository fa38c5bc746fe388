/*
 * savename.h - the name a body is saved under, below --output-dir: made
 * from its URL by a template of {index}, {host}, {path}, {hash} and {ext}.
 * Pure (bytes in, a relative name out), so it can be tested and fuzzed
 * on its own; the file system is save.c's.
 *
 * Whatever the URL holds, a name is components joined by '/', each
 * non-empty, never starting with '.' (so never "." or ".."), of
 * SAVENAME_SAFE bytes and %XX escapes of every other byte (in the parts
 * that come from the URL), at most SAVENAME_COMPONENT_MAX bytes long: it
 * cannot leave the directory, nor be a hidden or temporary file there.
 */
#ifndef SLUICE_CMD_SAVENAME_H
#define SLUICE_CMD_SAVENAME_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* The default template: a directory per host, the path in one name. */
#define SAVENAME_DEFAULT "{host}/{path}"

/* The bytes a part from the URL keeps as they are. */
#define SAVENAME_SAFE                                                         \
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+=,@&"

/* The longest component (NAME_MAX is 255: room is left for "~N" and
   ".part"); a longer one keeps its start and extension around a hash. */
#define SAVENAME_COMPONENT_MAX 200

/* The longest template. */
#define SAVENAME_TEMPLATE_MAX 256

/* Why tpl cannot be a template (a static message), or NULL when it can:
   relative, no empty component, no "." or ".." component, no control
   byte, every '{' a known placeholder closed by '}'. */
const char *savename_template_check(const char *tpl);

/*
 * Appends the name of url[0..len) (the index-th record) by tpl, which
 * savename_template_check() accepted.  The placeholders:
 *   {index} the record's index;
 *   {host}  the host, lower case, with "_PORT" when the URL names a port;
 *   {path}  the path and query in one component: escapes decoded, dot
 *           segments resolved, '/' and '\' between segments become '_',
 *           "index.html" when the path ends with a directory (or is
 *           empty), the query after an '@';
 *   {hash}  16 hex digits of a hash of the URL (the same in every run);
 *   {ext}   the extension of the path's last segment (".html"), or "".
 * 0, or -1 when memory ran out.
 */
int savename_make(struct sl_buf *out, const char *tpl, const char *url,
                  size_t len, uint64_t index);

/* Appends name's n-th variant (n >= 1), for when name is taken: "~n"
   before the extension of its last component ("a/b~2.html"). */
int savename_variant(struct sl_buf *out, const char *name, unsigned n);

#endif
