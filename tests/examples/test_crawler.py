#!/usr/bin/env python3
"""test_crawler.py - examples/crawler.c, built against the INSTALLED
library, crawls sluice-fixture's generated site exactly.

Usage: test_crawler.py BUILD SOURCE SANITIZE CC [CC-ARGS...]

`meson install --destdir` puts the build into a temporary directory; the
installed files are checked (libsluice.so with its versioned soname,
libsluice.a, sluice.h, sluice.pc, both programs and both manual pages),
the example is compiled with nothing but `pkg-config --cflags --libs
sluice` (PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR pointing there; in a
sanitized build the sanitizers' flags too, which the installed library
needs), and run against the installed library (LD_LIBRARY_PATH, checked
with ldd); so is a small program that runs its own libev loop and calls
libcurl too, with what the README says to add (-lev, pkg-config's
libcurl), against libsluice.so and against libsluice.a.  They run
against the installed sluice-fixture, which serves the site of
--site on every host name and stands as the crawler's HTTP proxy
(http_proxy), so that a.test, www.a.test and b.test need no DNS.

What the crawler must fetch is worked out here from the site's map
(GET /_site: every page, its status, type, redirect and links as absolute
URLs, and each host's robots.txt): breadth-first from the seeds, same-site
links of HTML pages only, down to the depth asked, robots.txt (an RFC 9309
matcher written here) with --robots.  Asserted from the fixture's side:
the requests journaled are exactly those, each once (and robots.txt once
per host, or never without --robots); the most in flight per host and in
all are the caps; the Crawl-delay of the www. hosts spaces their
requests.  The crawler's own lines must say each page's depth and status.
A site whose pages fail is given up after 8 failures.
"""

import glob
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

BUILD = SOURCE = SANITIZE = None
CC = []
TMP = None
CRAWLER = FIXTURE = None
ENV = None
PORT = None
FIXTURE_PROC = None

OWN_LOOP = r"""
#include <curl/curl.h>
#include <ev.h>
#include <sluice.h>
#include <stdio.h>

static void done(sl_task *t, void *ud)
{
  const struct sl_response *r;
  (void)ud;
  if(sl_task_response(t, &r) == SL_OK)
    printf("%ld\n", r->status);
  sl_task_free(t);
}

int main(int argc, char **argv)
{
  struct sl_options o = {.loop = ev_loop_new(0), .quiet = 1};
  struct sl_request req = {.url = argc > 1 ? argv[1] : "", .timeout_ms = 9000};
  sl_ctx *ctx = sl_ctx_new(&o);
  printf("%s\n", curl_version());
  if(!ctx || sl_task_on_done(sl_fetch(ctx, &req), done, NULL))
    return 1;
  ev_run(o.loop, 0); /* returns once sluice's work is done */
  sl_ctx_free(ctx);
  ev_loop_destroy(o.loop);
  return 0;
}
"""

PAGES = 24          # --site N
SLOW_MS = 150       # --site-slow
CRAWL_DELAY = 0.15  # --site-crawl-delay, seconds


def install():
    """meson install into TMP; returns (prefix dir, lib dir)."""
    subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild",
                    "--quiet", "--destdir", TMP], check=True,
                   stdout=subprocess.DEVNULL)
    pcs = glob.glob(os.path.join(TMP, "**", "pkgconfig", "sluice.pc"),
                    recursive=True)
    if len(pcs) != 1:
        raise RuntimeError("sluice.pc installed %d times" % len(pcs))
    libdir = os.path.dirname(os.path.dirname(pcs[0]))
    return libdir


def pkg_config(libdir, *args):
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(libdir, "pkgconfig"),
               PKG_CONFIG_SYSROOT_DIR=TMP)
    out = subprocess.run(["pkg-config"] + list(args) + ["sluice"], env=env,
                         check=True, stdout=subprocess.PIPE, text=True)
    return out.stdout.split()


def compile_c(src, out, flags):
    """src compiled and linked with flags (and the sanitizers' of this
    build, which an installed sanitized library needs), warnings fatal."""
    san = ["-fsanitize=" + SANITIZE] if SANITIZE not in ("", "none") else []
    subprocess.run(CC + ["-std=gnu11", "-Wall", "-Wextra", "-Werror"] + san +
                   [src, "-o", out] + flags, check=True)


def build_crawler(libdir):
    """The example, compiled and linked with pkg-config's flags only."""
    global CRAWLER
    CRAWLER = os.path.join(TMP, "crawler")
    compile_c(os.path.join(SOURCE, "examples", "crawler.c"), CRAWLER,
              pkg_config(libdir, "--cflags", "--libs"))


def start_fixture():
    global FIXTURE_PROC, PORT
    FIXTURE_PROC = subprocess.Popen(
        [FIXTURE, "--port", "0", "--lifetime", "150", "--quiet",
         "--journal-max", "100000", "--site", str(PAGES), "--site-slow",
         str(SLOW_MS), "--site-crawl-delay", str(CRAWL_DELAY)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    line = FIXTURE_PROC.stdout.readline().split()
    if len(line) != 2 or line[0] != "http":
        raise RuntimeError("sluice-fixture said %r" % line)
    PORT = int(line[1])


def setUpModule():
    global TMP, FIXTURE, ENV
    TMP = tempfile.mkdtemp(prefix="sluice-examples-")
    libdir = install()
    build_crawler(libdir)
    FIXTURE = glob.glob(os.path.join(TMP, "**", "bin", "sluice-fixture"),
                        recursive=True)[0]
    ENV = dict(os.environ, LD_LIBRARY_PATH=libdir,
               http_proxy="http://127.0.0.1:%d" % 0)
    start_fixture()
    ENV["http_proxy"] = "http://127.0.0.1:%d" % PORT
    ENV.pop("no_proxy", None)
    ENV.pop("NO_PROXY", None)


def tearDownModule():
    if FIXTURE_PROC:
        FIXTURE_PROC.terminate()
        FIXTURE_PROC.wait()
    shutil.rmtree(TMP, ignore_errors=True)


def control(path, method="GET", body=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    try:
        conn.request(method, path, body=body,
                     headers={"Host": "control.invalid"})
        resp = conn.getresponse()
        data = resp.read()
        if resp.status >= 300:
            raise RuntimeError("%s: HTTP %d" % (path, resp.status))
        return json.loads(data)
    finally:
        conn.close()


def url(host, path):
    return "http://%s:%d%s" % (host, PORT, path)


# ---- what the crawler must do -------------------------------------------

def robots_rules(text, agent):
    """The rules (allow, pattern) of the groups naming agent's product
    token, else of the "*" groups (RFC 9309 2.2.1)."""
    token = re.match(r"[A-Za-z0-9_-]*", agent).group(0).lower()
    groups, agents, in_agents = [], None, False
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        if ":" not in line:
            continue
        key, value = (x.strip() for x in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if not in_agents:
                agents = []
                groups.append((agents, []))
            agents.append(value.lower())
            in_agents = True
            continue
        in_agents = False
        if key in ("allow", "disallow") and value and groups:
            groups[-1][1].append((key == "allow", value))
    ours = [r for a, rules in groups if token in a for r in rules]
    if any(token in a for a, _ in groups):
        return ours
    return [r for a, rules in groups if "*" in a for r in rules]


def allowed(rules, path):
    """The longest matching pattern decides, Allow winning a tie."""
    best = None
    for allow, pat in rules:
        end = pat.endswith("$")
        rx = "".join(".*" if c == "*" else re.escape(c)
                     for c in (pat[:-1] if end else pat))
        if re.match(rx + ("$" if end else ""), path, re.S):
            if best is None or len(pat) > len(best[1]) or \
                    (len(pat) == len(best[1]) and allow):
                best = (allow, pat)
    return best is None or best[0] or path == "/robots.txt"


def site_of(u):
    return ".".join(urllib.parse.urlsplit(u).hostname.split(".")[-2:])


class Site:
    """The fixture's maps, one per host, fetched as needed."""

    def __init__(self):
        self.maps = {}

    def host(self, u):
        h = urllib.parse.urlsplit(u).netloc
        if h not in self.maps:
            m = control("/_site?host=" + urllib.parse.quote(h))
            m["pages"] = {p["path"]: p for p in m["pages"]}
            self.maps[h] = m
        return self.maps[h]

    def page(self, u):
        s = urllib.parse.urlsplit(u)
        path = s.path + ("?" + s.query if s.query else "")
        return path, self.host(u)["pages"].get(path)


def expected(seeds, depth, agent=None):
    """What a breadth-first crawl must do: {url: (depth, status)} of the
    pages fetched, the (host, path) requests the server must see, and the
    URLs robots.txt refuses.  The seeds of one site are its depth 0; a
    redirect is not followed by the library: its target (same site, not
    seen) is a page of the redirect's own level."""
    site, fetched, requests, refused = Site(), {}, [], []
    level, seen = list(dict.fromkeys(seeds)), set(seeds)
    for d in range(depth + 1):
        nxt = []
        for u in level:  # grows as redirects add their targets
            path, page = site.page(u)
            host = urllib.parse.urlsplit(u).netloc
            if agent and not allowed(
                    robots_rules(site.host(u)["robots"], agent), path):
                refused.append(u)
                continue
            requests.append((host, path))
            fetched[u] = (d, page["status"] if page else 404)
            loc = page and page["location"]
            if loc and site_of(loc) == site_of(u) and loc not in seen:
                seen.add(loc)
                level.append(loc)
            if d == depth or not page or page["status"] != 200 or \
                    page["type"] != "text/html":
                continue
            for link in page["links"]:
                if site_of(link) == site_of(u) and link not in seen:
                    seen.add(link)
                    nxt.append(link)
        level = nxt
    return fetched, requests, refused


# ---- the runs -------------------------------------------------------------

def crawl(args, timeout=60):
    control("/_stats/reset")
    control("/_requests/reset")
    p = subprocess.run([CRAWLER] + args, env=ENV, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=timeout)
    lines = {}
    for line in p.stdout.splitlines():
        d, status, u, nbytes = line.split(" ")
        if u in lines:
            raise AssertionError("fetched twice: " + u)
        lines[u] = (int(d), int(status))
    return p.returncode, lines, p.stderr


def journal():
    """(host, path) of every request the fixture saw, in order."""
    out = []
    for e in control("/_requests"):
        host = next(v for k, v in e["headers"] if k.lower() == "host")
        out.append((host, e["path"]))
    return out


def arrivals(host):
    stats = control("/_stats?arrivals=1")["hosts"]
    return stats.get("%s:%d" % (host, PORT), {}).get("arrivals", [])


class TestInstalled(unittest.TestCase):
    def test_files(self):
        libdir = os.path.dirname(glob.glob(os.path.join(
            TMP, "**", "libsluice.a"), recursive=True)[0])
        self.assertTrue(os.path.islink(os.path.join(libdir, "libsluice.so")))
        so = os.path.realpath(os.path.join(libdir, "libsluice.so"))
        dyn = subprocess.run(["readelf", "-d", so], check=True, text=True,
                             stdout=subprocess.PIPE).stdout
        self.assertIn("Library soname: [libsluice.so.0]", dyn)
        self.assertTrue(os.path.exists(os.path.join(libdir,
                                                    "libsluice.so.0")))
        for name in ("include/sluice.h", "bin/sluice", "bin/sluice-fixture",
                     "share/man/man1/sluice.1",
                     "share/man/man1/sluice-fixture.1"):
            self.assertTrue(glob.glob(os.path.join(TMP, "**", name),
                                      recursive=True), name)
        ldd = subprocess.run(["ldd", CRAWLER], env=ENV, check=True,
                             text=True, stdout=subprocess.PIPE).stdout
        self.assertIn(os.path.join(libdir, "libsluice.so.0"), ldd)
        with open(os.path.join(SOURCE, "examples", "crawler.c")) as f:
            self.assertLessEqual(len(f.read().splitlines()), 200)

    def test_own_loop_and_libcurl(self):
        """What the README says a program adds when it also uses ev.h
        (-lev) or libcurl (pkg-config libcurl) itself, and what
        libsluice.a wants after it, are enough."""
        libdir = os.path.dirname(glob.glob(os.path.join(
            TMP, "**", "libsluice.a"), recursive=True)[0])
        src = os.path.join(TMP, "own_loop.c")
        with open(src, "w") as f:
            f.write(OWN_LOOP)
        curl = subprocess.run(["pkg-config", "--cflags", "--libs", "libcurl"],
                              check=True, stdout=subprocess.PIPE,
                              text=True).stdout.split()
        shared = os.path.join(TMP, "own_loop")
        compile_c(src, shared, pkg_config(libdir, "--cflags", "--libs") +
                  ["-lev"] + curl)
        static = os.path.join(TMP, "own_loop_static")
        deps = subprocess.run(["pkg-config", "--libs", "libcurl", "libcares",
                               "libpsl", "libidn2"], check=True, text=True,
                              stdout=subprocess.PIPE).stdout.split()
        compile_c(src, static, pkg_config(libdir, "--cflags") +
                  [os.path.join(libdir, "libsluice.a")] + deps +
                  ["-lev", "-lm"])
        for prog in (shared, static):
            p = subprocess.run([prog, url("own.test", "/status/204")],
                               env=ENV, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout.splitlines()[1:], ["204"], p.stdout)
            self.assertTrue(p.stdout.startswith("libcurl/"), p.stdout)

    def test_usage(self):
        for args in ([], ["-p", "0", "http://a.test/"], ["--bogus", "x"]):
            p = subprocess.run([CRAWLER] + args, env=ENV, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("usage: crawler", p.stderr)


class TestCrawl(unittest.TestCase):
    seeds = None

    def setUp(self):
        self.seeds = [url("a.test", "/s/0"), url("b.test", "/s/0")]

    def check(self, args, depth, agent=None):
        rc, lines, err = crawl(args + self.seeds)
        self.assertEqual(rc, 0, err)
        fetched, requests, refused = expected(self.seeds, depth, agent)
        self.assertEqual(lines, fetched, err)
        seen = journal()
        pages = sorted(r for r in seen if r[1] != "/robots.txt")
        self.assertEqual(pages, sorted(requests))
        robots = sorted(h for h, p in seen if p == "/robots.txt")
        hosts = {urllib.parse.urlsplit(u).netloc for u in fetched}
        hosts |= {urllib.parse.urlsplit(u).netloc for u in refused}
        self.assertEqual(robots, sorted(hosts) if agent else [])
        return fetched, refused, err

    def test_without_robots(self):
        fetched, _, _ = self.check(["-d", "4", "-p", "2", "-g", "3"], 4)
        # the graph's parts were all reached
        for path in ("/s/private/2", "/s/hidden-2", "/s/doc.pdf",
                     "/s/notes.txt", "/s/moved", "/s/q?a=1&b=2", "/s/ent"):
            self.assertIn(url("a.test", path), fetched)
        self.assertIn(url("www.a.test", "/s/3"), fetched)
        # a redirect is a page; its target one more, at the same depth
        d = fetched[url("a.test", "/s/moved")][0]
        self.assertEqual(fetched[url("a.test", "/s/moved")], (d, 301))
        self.assertEqual(fetched[url("a.test", "/s/landing")], (d, 200))
        self.assertFalse([u for u in fetched if "off-" in u or "never" in u])
        stats = control("/_stats")
        most = max(h["max_in_flight"] for k, h in stats["hosts"].items()
                   if k != "control.invalid")
        self.assertEqual(most, 2)  # per host: reached, never over
        self.assertEqual(stats["total"]["max_in_flight"], 3)  # in all

    def test_depth(self):
        fetched, _, _ = self.check(["-d", "2", "-g", "8"], 2)
        self.assertEqual(max(d for d, _ in fetched.values()), 2)

    def test_seeds_of_one_site(self):
        """Seeds of one site are all its depth 0 (one breadth-first
        crawl); a seed given twice is fetched once."""
        self.seeds = [url("a.test", "/s/0"), url("a.test", "/s/2"),
                      url("www.a.test", "/s/3"), url("a.test", "/s/0")]
        fetched, _, _ = self.check(["-d", "2"], 2)
        for seed in self.seeds:
            self.assertEqual(fetched[seed][0], 0)
        self.assertEqual(fetched[url("a.test", "/s/5")][0], 1)
        self.assertEqual(fetched[url("www.a.test", "/s/7")][0], 1)

    def test_robots(self):
        fetched, refused, err = self.check(
            ["-d", "4", "-p", "3", "--robots", "-A", "TestBot/1.0"], 4,
            "TestBot/1.0")
        self.assertIn(url("a.test", "/s/private/2"), refused)
        self.assertIn(url("a.test", "/s/doc.pdf"), refused)
        self.assertIn(url("a.test", "/s/private/open-2"), fetched)
        self.assertIn("crawler: %s: robots: /s/private/2 is disallowed by "
                      "http://a.test:%d/robots.txt for \"testbot\": "
                      "Disallow: /s/private/" % (url("a.test", "/s/private/2"),
                                                 PORT), err)
        # Crawl-delay: one at a time, spaced (never under half of it)
        at = sorted(arrivals("www.a.test"))
        self.assertGreaterEqual(len(at), 4)
        gaps = [b - a for a, b in zip(at, at[1:])]
        self.assertGreaterEqual(min(gaps), CRAWL_DELAY / 2, gaps)
        stats = control("/_stats")["hosts"]
        self.assertEqual(stats["www.a.test:%d" % PORT]["max_in_flight"], 1)

    def test_robots_refuse_everything(self):
        _, refused, err = self.check(["--robots", "-A", "BadBot/2"], 2,
                                     "BadBot/2")
        self.assertEqual(sorted(refused), sorted(self.seeds))
        self.assertIn("for \"badbot\": Disallow: /", err)


def stub(host, path, **answer):
    """A stub of the fixture's for host only."""
    answer.update(path=path, request_headers={"Host": "%s:%d" % (host, PORT)})
    control("/_routes", "POST", json.dumps(answer))


class TestLinks(unittest.TestCase):
    """href attributes spelt the ways pages spell them, and redirects."""

    def test_spellings_and_redirects(self):
        host, html = "spell.test", {"Content-Type": "text/html"}
        links = ["'/x/single'", '"/x/spaced" ', "/x/bare", '"/x/caf&#233;"',
                 '"/x/&#x41;&#X42;&#67;"', '"/x/frag#top"',
                 '"../x/frag#other"', '"/x/q?a=1&amp;b=2"', '"/x/r-seen"',
                 '"/x/r-new"', '"/x/r-off"', '"%s"' % url("other.test", "/")]
        body = "".join("<A HREF = %s>%d</A>\n" % (v, i) if i == 1 else
                       "<a href=%s>%d</a>\n" % (v, i)
                       for i, v in enumerate(links))
        body += '<a data-href="/x/no">no</a> <p>href="/x/none"</p>'
        # stubs added at run time are tried newest first
        stub(host, "/x/*", headers=html, body='<a href="/x/deeper">d</a>')
        stub(host, "/s/0", headers=html, body=body)
        stub(host, "/x/r-seen", status=301, headers={"Location": "/x/single"})
        stub(host, "/x/r-new", status=302, headers={"Location": "landed"})
        stub(host, "/x/r-off", status=301,
             headers={"Location": url("off.test", "/x/1")})
        rc, lines, err = crawl(["-d", "1", url(host, "/s/0")])
        self.assertEqual(rc, 0, err)
        want = ["/x/single", "/x/spaced", "/x/bare", "/x/caf%C3%A9",
                "/x/ABC", "/x/frag", "/x/q?a=1&b=2", "/x/r-seen",
                "/x/r-new", "/x/r-off", "/x/landed"]
        self.assertEqual(sorted(journal()),
                         sorted([(host + ":%d" % PORT, p)
                                 for p in ["/s/0"] + want]))
        self.assertEqual(lines, dict(
            [(url(host, "/s/0"), (0, 200))] +
            [(url(host, p), (1, 200)) for p in want if "/r-" not in p] +
            [(url(host, "/x/r-seen"), (1, 301)),
             (url(host, "/x/r-new"), (1, 302)),
             (url(host, "/x/r-off"), (1, 301))]))


class TestFailingSite(unittest.TestCase):
    def test_given_up(self):
        body = "".join('<a href="/s/bad/%d">%d</a>' % (i, i)
                       for i in range(20))
        for stub in ({"path": "/s/0", "headers": {"Content-Type":
                                                  "text/html"},
                      "body": body},
                     {"path": "/s/bad/*", "fault": "reset"}):
            stub["request_headers"] = {"Host": "fail.test:%d" % PORT}
            control("/_routes", "POST", json.dumps(stub))
        rc, lines, err = crawl(["-p", "2", url("fail.test", "/s/0")])
        self.assertEqual(rc, 0, err)
        self.assertIn("given up after 9 failures", err)
        bad = [p for h, p in journal() if p.startswith("/s/bad/")]
        self.assertGreaterEqual(len(bad), 9)
        self.assertLess(len(bad), 20)  # the rest were not sent


def main():
    global BUILD, SOURCE, SANITIZE, CC
    if len(sys.argv) < 5:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    BUILD, SOURCE, SANITIZE = sys.argv[1:4]
    CC = sys.argv[4:]
    unittest.main(argv=[sys.argv[0]], verbosity=2)


if __name__ == "__main__":
    sys.exit(main())
