/*
 * fixture_proc.c - start sluice-fixture and read its stats.  See
 * fixture_proc.h.
 */
#include "fixture_proc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int fixture_start(struct fixture *fx, const char *bin, int lifetime_s)
{
  return fixture_start_dns(fx, bin, lifetime_s, NULL);
}

int fixture_start_dns(struct fixture *fx, const char *bin, int lifetime_s,
                      const char *const *extra)
{
  int fds[2], argc = 0;
  char life[16], line[64];
  char *argv[64];
  posix_spawn_file_actions_t fa;
  FILE *f;
  int rc;

  argv[argc++] = (char *)bin;
  argv[argc++] = "--port";
  argv[argc++] = "0";
  argv[argc++] = "--lifetime";
  argv[argc++] = life;
  argv[argc++] = "--quiet";
  if(extra) {
    argv[argc++] = "--dns-port";
    argv[argc++] = "0";
    while(*extra && argc < 62)
      argv[argc++] = (char *)*extra++;
  }
  argv[argc] = NULL;
  fx->dns_port = 0;

  snprintf(life, sizeof(life), "%d", lifetime_s);
  if(pipe(fds))
    return -1;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  rc = posix_spawn(&fx->pid, bin, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if(rc) {
    close(fds[0]);
    return -1;
  }
  f = fdopen(fds[0], "r");
  if(!f || !fgets(line, sizeof(line), f) ||
     sscanf(line, "http %d", &fx->port) != 1 ||
     (extra && (!fgets(line, sizeof(line), f) ||
                sscanf(line, "dns %d", &fx->dns_port) != 1))) {
    if(f)
      fclose(f);
    fixture_stop(fx);
    return -1;
  }
  fclose(f); /* the fixture never writes again before exit */
  snprintf(fx->host, sizeof(fx->host), "127.0.0.1:%d", fx->port);
  fx->dns_server[0] = '\0';
  if(extra)
    snprintf(fx->dns_server, sizeof(fx->dns_server), "127.0.0.1:%d",
             fx->dns_port);
  return 0;
}

int fixture_stop(struct fixture *fx)
{
  int st;
  if(fx->pid <= 0)
    return -1;
  kill(fx->pid, SIGTERM);
  if(waitpid(fx->pid, &st, 0) != fx->pid)
    return -1;
  fx->pid = 0;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A blocking request (GET, or POST of body when it is not NULL) on a
   fresh connection; the response body into buf. */
static int call(const struct fixture *fx, const char *path, const char *body,
                char *buf, size_t size)
{
  struct sockaddr_in sa;
  char head[512];
  size_t got = 0;
  ssize_t n;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  char *start;

  if(fd < 0)
    return -1;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((unsigned short)fx->port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if(connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
    close(fd);
    return -1;
  }
  n = snprintf(head, sizeof(head),
               "%s %s HTTP/1.1\r\nHost: stats\r\nConnection: close\r\n"
               "Content-Length: %zu\r\n\r\n",
               body ? "POST" : "GET", path, body ? strlen(body) : 0);
  if(write(fd, head, (size_t)n) != n ||
     (body && write(fd, body, strlen(body)) != (ssize_t)strlen(body))) {
    close(fd);
    return -1;
  }
  while(got + 1 < size && (n = read(fd, buf + got, size - got - 1)) > 0)
    got += (size_t)n;
  close(fd);
  buf[got] = '\0';
  start = strstr(buf, "\r\n\r\n");
  if(!start || strncmp(buf, "HTTP/1.1 2", 10))
    return -1;
  memmove(buf, start + 4, strlen(start + 4) + 1);
  return 0;
}

static int get(const struct fixture *fx, const char *path, char *buf,
               size_t size)
{
  return call(fx, path, NULL, buf, size);
}

int fixture_add_route(const struct fixture *fx, const char *stub)
{
  char buf[4096];
  return call(fx, "/_routes", stub, buf, sizeof(buf));
}

static long field(const char *obj, const char *name)
{
  char key[64];
  const char *p;
  snprintf(key, sizeof(key), "\"%s\":", name);
  p = strstr(obj, key);
  return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

int fixture_stats(const struct fixture *fx, const char *host,
                  struct fixture_counters *out)
{
  static char buf[1 << 20];
  char key[300];
  const char *obj;

  memset(out, 0, sizeof(*out));
  if(get(fx, "/_stats", buf, sizeof(buf)))
    return -1;
  if(host) {
    snprintf(key, sizeof(key), "\"%s\":{", host);
    obj = strstr(buf, key);
    if(!obj)
      return 0;
  } else if(!(obj = strstr(buf, "\"total\":{")))
    return -1;
  out->requests = field(obj, "requests");
  out->in_flight = field(obj, "in_flight");
  out->max_in_flight = field(obj, "max_in_flight");
  return 0;
}

long fixture_open_connections(const struct fixture *fx)
{
  static char buf[1 << 20];
  const char *p;
  if(get(fx, "/_stats", buf, sizeof(buf)))
    return -1;
  p = strstr(buf, "\"connections\":{");
  return p ? field(p, "open") : -1;
}

long fixture_arrivals(const struct fixture *fx, const char *host, double *out,
                      long max)
{
  static char buf[1 << 22];
  char key[300];
  const char *p;
  long n = 0;
  snprintf(key, sizeof(key), "\"%s\":{", host);
  if(get(fx, "/_stats?arrivals=1", buf, sizeof(buf)))
    return -1;
  p = strstr(buf, key);
  if(!p)
    return 0;
  p = strstr(p, "\"arrivals\":[");
  if(!p)
    return -1;
  p += strlen("\"arrivals\":[");
  while(*p && *p != ']' && n < max) {
    char *end;
    out[n++] = strtod(p, &end);
    if(end == p)
      return -1;
    p = end;
    if(*p == ',')
      p++;
  }
  return n;
}

long fixture_dns_queries(const struct fixture *fx, const char *name,
                         const char *type)
{
  static char buf[1 << 20];
  char key[300];
  const char *p, *end, *q;
  if(get(fx, "/_stats", buf, sizeof(buf)))
    return -1;
  p = strstr(buf, "\"dns\":{");
  if(!p)
    return -1;
  snprintf(key, sizeof(key), "\"%s\":{", name);
  p = strstr(p, key);
  if(!p)
    return 0;
  end = strchr(p + strlen(key), '}');
  snprintf(key, sizeof(key), "\"%s\":", type);
  q = strstr(p, key);
  return q && q < end ? strtol(q + strlen(key), NULL, 10) : 0;
}

long fixture_paths(const struct fixture *fx, const char *prefix,
                   char (*out)[FIXTURE_PATH_MAX], long max)
{
  static char buf[1 << 22];
  char q[300];
  const char *p = buf;
  long n = 0;
  snprintf(q, sizeof(q), "/_requests?path=%s", prefix);
  if(get(fx, q, buf, sizeof(buf)))
    return -1;
  /* each entry starts {"method":..,"path":"..." (no escapes in ours) */
  while(n < max && (p = strstr(p, "\"path\":\""))) {
    size_t len;
    p += strlen("\"path\":\"");
    len = strcspn(p, "\"");
    if(len >= FIXTURE_PATH_MAX)
      len = FIXTURE_PATH_MAX - 1;
    memcpy(out[n], p, len);
    out[n++][len] = '\0';
  }
  return n;
}

int fixture_journal_reset(const struct fixture *fx)
{
  char buf[4096];
  return get(fx, "/_requests/reset", buf, sizeof(buf));
}

int fixture_reset(const struct fixture *fx)
{
  char buf[4096];
  return get(fx, "/_stats/reset", buf, sizeof(buf));
}

const char *fixture_url(const struct fixture *fx, const char *path)
{
  return fixture_url_host(fx, "127.0.0.1", path);
}

const char *fixture_url_host(const struct fixture *fx, const char *name,
                             const char *path)
{
  static char bufs[8][512];
  static unsigned i;
  char *b = bufs[i++ % 8];
  snprintf(b, sizeof(bufs[0]), "http://%s:%d%s", name, fx->port, path);
  return b;
}
