#!/usr/bin/env python3
"""test_requests.py - the sluice command's requests and bodies against
sluice-fixture: redirects (-L, --max-redirs), HEAD, methods and bodies (-X, -d,
--data-binary), --max-filesize, the curl-spelled aliases (-m, --retry), -s,
--compressed with brotli and zstd, the fields records gained, cancelled
records that keep what had come, usage errors of the new options, and
bodies to disk (--output-dir, --output-template, --keep-partial), with a
traversal test: hostile URLs and planted symlinks, after which nothing is
written outside the directory and every ok record names a file holding
exactly its bytes; --robots. What goes on the wire (headers, bodies,
codings, TLS, proxies, other hosts) is checked against nginx in
tests/nginx.

Usage: test_requests.py SLUICE FIXTURE [unittest arguments]

The fixture, the helpers and the record checks are test_cli.py's.
"""

import http.client
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli as cli  # noqa: E402
from test_cli import (Base, dns_server, host_key, parse, run,  # noqa: E402
                      scratch_dir, url, write_list)


def setUpModule():
    cli.setUpModule()


def tearDownModule():
    cli.tearDownModule()


class TestRedirects(Base):
    def test_location(self):
        rc, out, err = run(["-L", url("/redirect/3")])
        self.assertEqual(rc, 0, err)
        rec = self.only_record(out, (200, True, 1))
        self.assertEqual(rec["redirects"], 3)
        self.assertEqual(rec["bytes"], 10)
        self.assertEqual(rec["final_url"], url("/bytes/10"))
        self.assertEqual(rec["url"], url("/redirect/3"))

    def test_not_followed_without_l(self):
        rc, out, err = run([url("/redirect/2")])
        self.assertEqual(rc, 0, err)
        rec = self.only_record(out, (302, True, 1))
        self.assertEqual(rec["redirects"], 0)
        self.assertEqual(rec["final_url"], url("/redirect/2"))

    def test_max_redirs(self):
        for args, path, ok in ((["--max-redirs", "2"], "/redirect/2", True),
                               (["--max-redirs", "2"], "/redirect/3", False),
                               (["--max-redirs", "0"], "/redirect/1", False),
                               ([], "/redirect/10", True),
                               ([], "/redirect/11", False)):
            rc, out, err = run(["-L"] + args + [url(path)])
            self.assertEqual(rc, 0 if ok else 1, (args, path, err))
            rec = self.by_index(parse(out), 1)[0]
            self.check_shape(rec)
            if not ok:
                self.assertEqual(rec["status"], 302, rec)
                self.assertEqual(rec["error"]["kind"], "redirect", rec)
                self.assertIn("redirects (the next to '", rec["error"]
                              ["message"])


class TestRequestOptions(Base):
    def test_head(self):
        for flag in ("-I", "--head"):
            rc, out, err = run([flag, url("/bytes/100")])
            self.assertEqual(rc, 0, err)
            rec = self.only_record(out, (200, True, 1))
            self.assertEqual(rec["bytes"], 0)

    def test_methods_and_bodies_are_sent(self):
        d = scratch_dir()
        body = os.path.join(d, "body.bin")
        with open(body, "wb") as f:
            f.write(os.urandom(300000))
        for args in (["-X", "DELETE"], ["-d", "a=1"], ["-X", "PUT", "-d",
                                                        "@" + body],
                     ["--data-binary", "@" + body], ["-d", ""],
                     ["-d", "a", "--data-binary", "b", "-d", "@" + body]):
            rc, out, err = run(args + [url("/bytes/7")])
            self.assertEqual(rc, 0, (args, err))
            self.only_record(out, (200, True, 1))

    def test_data_from_stdin(self):
        rc, out, err = run(["-d", "@-", url("/bytes/7")],
                           stdin_data=b"a=1\nb=2\n")
        self.assertEqual(rc, 0, err)
        self.only_record(out, (200, True, 1))
        # the URLs come from stdin: it cannot be the body as well
        rc, out, err = run(["-d", "@-"], stdin_data=url("/").encode())
        self.assertEqual(rc, 2)
        self.assertIn("standard input is where the URLs come from", err)

    def test_unreadable_data_file(self):
        for opt in ("-d", "--data-binary"):
            rc, out, err = run([opt, "@/nonexistent/body", url("/")])
            self.assertEqual(rc, 2, err)
            self.assertIn("cannot read '/nonexistent/body'", err)
            self.assertEqual(out, b"")

    def test_max_filesize(self):
        rc, out, err = run(["--max-filesize", "4k", url("/bytes/4096"),
                            url("/bytes/4097"), url("/chunked/5000")])
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), 3)
        self.assertTrue(recs[0]["ok"], recs[0])
        for i in (1, 2):
            self.check_shape(recs[i])
            self.assertEqual(recs[i]["error"]["kind"], "too_large", recs[i])
            self.assertEqual(recs[i]["status"], 200)
            self.assertIn("4096 bytes", recs[i]["error"]["message"])

    def test_curl_aliases(self):
        rc, out, err = run(["-m", "300ms", url("/hang")])
        self.assertEqual(rc, 1)
        self.assertEqual(self.by_index(parse(out), 1)[0]["error"]["kind"],
                         "timeout")
        rc, out, err = run(["--retry", "3", "--retry-max-delay", "10ms",
                            url("/flaky/2?alias")])
        self.assertEqual(rc, 0, err)
        self.only_record(out, (200, True, 3))

    def test_silent(self):
        for args, status in (([url("/bytes/1")], 0),
                             ([url("/status/500"), "notaurl"], 1)):
            rc, out, err = run(["-s"] + args)
            self.assertEqual(rc, status)
            self.assertEqual(err, "")
            self.assertTrue(out)
        rc, out, err = run(["--silent", "--bogus"])
        self.assertEqual(rc, 2)
        self.assertIn("--bogus", err)

    def test_accepted(self):
        """Options whose effect tests/nginx checks on the wire."""
        rc, out, err = run(["--compressed", "-k", "--http2", "-A", "t/1",
                            "-e", "http://from/", "-H", "X-A: 1", "-H",
                            "Accept:", "-x", "", url("/bytes/3")])
        self.assertEqual(rc, 0, err)
        self.only_record(out, (200, True, 1))

    def test_bad_values(self):
        cases = (
            (["-X", "GE T"], "--request: 'GE T'"),
            (["-X", ""], "--request"),
            (["-H", "no colon"], "--header: 'no colon'"),
            (["-H", "X-A: 1\r\nX-B: 2"], "--header"),
            (["-H", "X A: 1"], "--header"),
            (["-e", "a\nb"], "--referer: contains a line break"),
            (["-x", "http://p\r\n"], "--proxy: contains a line break"),
            (["-A", "a\nb"], "--user-agent: contains a line break"),
            (["-I", "-d", "x"], "cannot send a body"),
            (["-X", "HEAD", "-d", "x"], "cannot send a body"),
            (["-I", "-X", "POST"], "-I and -X"),
            (["--max-redirs", "-1"], "--max-redirs"),
            (["--max-redirs", "1001"], "--max-redirs"),
            (["--max-filesize", "1.5M"], "--max-filesize: '1.5M'"),
            (["--max-filesize", "10T"], "--max-filesize"),
            (["--output-template", "{index}"], "need --output-dir"),
            (["--keep-partial"], "need --output-dir"),
            (["--output-dir", "x", "--output-template", "../{index}"],
             "--output-template: '../{index}'"),
            (["--output-dir", "x", "--output-template", "{nope}"],
             "unknown placeholder"),
            (["-o", "file"], "--output-dir DIR"),
            (["-O"], "--output-dir DIR"),
        )
        for args, needle in cases:
            rc, out, err = run(args + [url("/")])
            self.assertEqual(rc, 2, (args, err))
            self.assertIn(needle, err, args)
            self.assertEqual(out, b"")

    def test_help_groups_the_options(self):
        rc, out, err = run(["--help"])
        text = out.decode()
        sections = ["Options:", "Requests", "TLS and proxies:", "Limits:",
                    "Bodies to disk:", "Politeness", "Names:"]
        at = [text.index(s) for s in sections]
        self.assertEqual(at, sorted(at))
        for opt in ("-X, --request", "-H, --header", "-d, --data",
                    "--data-binary", "-A, --user-agent", "-e, --referer",
                    "-L, --location", "--max-redirs", "--compressed",
                    "-k, --insecure", "--cacert", "-x, --proxy", "--http1.1",
                    "--http2", "-m, --max-time", "--retry ", "-s, --silent",
                    "--max-filesize", "--output-dir", "--output-template",
                    "--keep-partial", "-I, --head"):
            self.assertIn(opt, text)
        self.assertTrue(all(len(line) <= 79 for line in text.splitlines()))


class TestCodings(Base):
    """--compressed with the codings beyond gzip and deflate (those are
    checked against nginx): brotli and zstd bodies from a stub of the
    fixture, decoded when the libcurl in use offers them."""

    # "sluice says hello in brotli, hello hello hello\n" compressed by
    # libbrotlienc (quality 9), and the zstd line by zstd(1)
    CODED = {
        "br": ("1b2e0000446ff87baef57b2f72ac44016cc08143164abacbdd509eaa9b"
               "4f0ffca4d2f7030b367d49958b02",
               b"sluice says hello in brotli, hello hello hello\n"),
        "zstd": ("28b52ffd0458250100d8736c7569636520736179732068656c6c6f20"
                 "696e207a7374642c0a0200290628d91c03161befc0",
                 b"sluice says hello in zstd, hello hello hello\n"),
    }

    def stub(self, body):
        conn = http.client.HTTPConnection("127.0.0.1", cli.PORT, timeout=10)
        try:
            conn.request("DELETE" if body is None else "POST", "/_routes",
                         body=json.dumps(body) if body else None,
                         headers={"Host": cli.CONTROL_HOST})
            self.assertLess(conn.getresponse().status, 300)
        finally:
            conn.close()

    def offered(self, path):
        """The codings of the Accept-Encoding the fixture received."""
        reqs = cli.control("/_requests?path=" + path)
        ae = [v for r in reqs for k, v in r["headers"]
              if k.lower() == "accept-encoding"]
        self.assertEqual(len(ae), 1, reqs)
        return [c.strip() for c in ae[0].split(",")]

    def test_brotli_and_zstd(self):
        d = scratch_dir()
        decoded = 0
        try:
            for coding, (hexdata, plain) in self.CODED.items():
                path = "/coded-%s" % coding
                f = os.path.join(d, coding)
                with open(f, "wb") as out:
                    out.write(bytes.fromhex(hexdata))
                self.stub({"path": path, "body_file": f,
                           "headers": {"Content-Encoding": coding}})
                cli.control("/_requests/reset")
                rc, out, err = run(["--compressed", "--output-dir",
                                    os.path.join(d, "o"), url(path)])
                if coding not in self.offered(path):
                    continue  # this libcurl does not decode it
                rec = self.only_record(out, (200, True, 1))
                self.assertEqual((rc, rec["bytes"]), (0, len(plain)), err)
                with open(os.path.join(d, "o", rec["file"]), "rb") as got:
                    self.assertEqual(got.read(), plain)
                decoded += 1
        finally:
            self.stub(None)
        if not decoded:
            self.skipTest("this libcurl offers neither br nor zstd")


class TestRecords(Base):
    def test_fields(self):
        rc, out, err = run([url("/bytes/20"), "notaurl"])
        recs = self.by_index(parse(out), 2)
        ok, bad = recs[0], recs[1]
        for rec in recs.values():
            self.check_shape(rec)
        self.assertEqual(ok["content_type"], "application/octet-stream")
        self.assertEqual(ok["http_version"], "1.1")
        self.assertEqual(ok["ip"], "127.0.0.1")
        self.assertEqual(ok["redirects"], 0)
        self.assertIsNone(ok["file"])
        self.assertGreater(ok["timing"]["total"], 0)
        for key in ("final_url", "content_type", "http_version", "ip", "file",
                    "timing"):
            self.assertIsNone(bad[key], key)
        self.assertEqual(bad["redirects"], 0)

    def test_cancelled_keeps_what_came(self):
        """A body cut by --deadline keeps its status and bytes."""
        rc, out, err = run(["--deadline", "400ms", url("/drip/100/50")])
        self.assertEqual(rc, 1, err)
        rec = self.by_index(parse(out), 1)[0]
        self.check_shape(rec)
        self.assertEqual(rec["error"]["kind"], "cancelled", rec)
        self.assertEqual(rec["status"], 200, rec)
        self.assertGreater(rec["bytes"], 0)
        self.assertLess(rec["bytes"], 100)
        self.assertEqual(rec["ip"], "127.0.0.1")


def files_below(d):
    """Every file and symlink below d, relative, as a set."""
    out = set()
    for root, dirs, files in os.walk(d):
        for n in files + [x for x in dirs if os.path.islink(
                os.path.join(root, x))]:
            out.add(os.path.relpath(os.path.join(root, n), d))
    return out


class TestOutputDir(Base):
    def check_saved(self, d, recs, fetched=None):
        """Every record with a file names one inside d holding exactly its
        bytes (and, given, the bytes fetched); no temporary file is left.
        """
        real = os.path.realpath(d)
        for rec in recs.values():
            if rec["file"] is None:
                continue
            path = os.path.join(d, rec["file"])
            self.assertFalse(os.path.islink(path), rec)
            self.assertTrue(os.path.realpath(path).startswith(real + "/"))
            self.assertEqual(os.path.getsize(path), rec["bytes"], rec)
        self.assertFalse([f for f in files_below(d)
                          if os.path.basename(f).startswith(".sluice-")])

    def test_bodies_saved(self):
        d = os.path.join(scratch_dir(), "out")  # made by sluice
        urls = [url("/bytes/%d?i=%d" % (i * 100, i)) for i in range(20)]
        urls += [url("/chunked/5000"), url("/bytes/0"), url("/redirect/1")]
        rc, out, err = run(["--output-dir", d, "-L", "-i", write_list(urls)])
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), len(urls))
        self.check_saved(d, recs)
        host = "127.0.0.1_%d" % cli.PORT
        self.assertEqual(recs[3]["file"], host + "/bytes_300@i=3")
        self.assertEqual(recs[20]["file"], host + "/chunked_5000")
        self.assertEqual(recs[21]["file"], host + "/bytes_0")
        self.assertEqual(recs[22]["file"], host + "/redirect_1")
        self.assertEqual(os.path.getsize(os.path.join(d, recs[22]["file"])),
                         10)
        self.assertTrue(all(r["file"] for r in recs.values()))

    def test_names_taken_get_variants(self):
        d = scratch_dir()
        old = os.path.join(d, "127.0.0.1_%d" % cli.PORT)
        os.makedirs(old)
        with open(os.path.join(old, "bytes_9"), "w") as f:
            f.write("from an earlier run")
        rc, out, err = run(["--output-dir", d] + [url("/bytes/9")] * 4)
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 4)
        self.check_saved(d, recs)
        names = sorted(r["file"] for r in recs.values())
        self.assertEqual(len(set(names)), 4)
        self.assertTrue(all("bytes_9~" in n for n in names), names)
        with open(os.path.join(old, "bytes_9")) as f:
            self.assertEqual(f.read(), "from an earlier run")

    def test_templates(self):
        d = scratch_dir()
        u = url("/bytes/12?x=1")
        for tpl, want in (("{index}{ext}", "0"),
                          ("{host}/{index}", "127.0.0.1_%d/0" % cli.PORT),
                          ("x/{path}.bin", "x/bytes_12@x=1.bin")):
            rc, out, err = run(["--output-dir", d, "--output-template", tpl,
                                u])
            self.assertEqual(rc, 0, err)
            rec = self.by_index(parse(out), 1)[0]
            self.assertEqual(rec["file"], want)
            self.check_saved(d, {0: rec})
        rc, out, err = run(["--output-dir", d, "--output-template", "{hash}",
                            u, u])
        names = [r["file"] for r in parse(out)]
        self.assertEqual(len(names[0]), 16)
        self.assertEqual(names[1][:16], names[0])  # then a variant

    def test_failed_bodies_removed_or_kept(self):
        for keep in (False, True):
            d = scratch_dir()
            args = ["--output-dir", d] + (["--keep-partial"] if keep else [])
            rc, out, err = run(args + [url("/truncate/2000"), url("/hang"),
                                       "-m", "500ms"])
            self.assertEqual(rc, 1, err)
            recs = self.by_index(parse(out), 2)
            cut = recs[0]
            self.assertEqual(cut["error"]["kind"], "io", cut)
            self.assertIsNone(recs[1]["file"])  # no byte came
            if keep:
                self.assertEqual(cut["file"], "127.0.0.1_%d/truncate_2000."
                                 "part" % cli.PORT)
                self.assertEqual(cut["bytes"], 1000)
                self.check_saved(d, recs)
            else:
                self.assertIsNone(cut["file"])
                self.assertEqual(files_below(d), set())

    def test_retry_starts_the_file_over(self):
        d = scratch_dir()
        rc, out, err = run(["--output-dir", d, "--retries", "3",
                            "--retry-max-delay", "10ms",
                            url("/flaky/2?file")])
        self.assertEqual(rc, 0, err)
        rec = self.only_record(out, (200, True, 3))
        with open(os.path.join(d, rec["file"]), "rb") as f:
            self.assertEqual(f.read(), b"OK\n")

    def test_head_saves_nothing(self):
        d = scratch_dir()
        rc, out, err = run(["--output-dir", d, "-I", url("/bytes/5")])
        self.assertEqual(rc, 0, err)
        self.assertIsNone(self.by_index(parse(out), 1)[0]["file"])
        self.assertEqual(files_below(d), set())

    def test_unusable_dir(self):
        d = scratch_dir()
        afile = os.path.join(d, "file")
        open(afile, "w").close()
        for bad in (afile, os.path.join(d, "no", "parent")):
            rc, out, err = run(["--output-dir", bad, url("/")])
            self.assertEqual(rc, 2)
            self.assertIn("--output-dir", err)

    def test_traversal(self):
        """Hostile URLs and planted symlinks: nothing is written outside
        the directory, and every ok record names a file inside it holding
        exactly its bytes."""
        top = scratch_dir()
        d = os.path.join(top, "out")
        outside = os.path.join(top, "outside")
        os.makedirs(outside)
        victim = os.path.join(top, "victim")
        with open(victim, "w") as f:
            f.write("keep me")
        host = "127.0.0.1_%d" % cli.PORT
        os.makedirs(os.path.join(d, host))
        # a symlink where a body's name goes, one where a host's
        # directory goes
        os.symlink(victim, os.path.join(d, host, "bytes_11"))
        os.symlink(outside, os.path.join(d, "evil.test_%d" % cli.PORT))
        before = files_below(top)
        hostile = [
            "/bytes/11", "/x/../bytes/12", "/x/../../../../bytes/13",
            "/%2e%2e/%2e%2e/bytes/14", "/..%2f..%2fbytes/15",
            "/bytes/16?/../../../victim", "/bytes/17?%00%0a",
            "/bytes/18#/../../x", "/bytes/19/", "/bytes/20\\..\\..\\x",
            "/" + "a" * 400, "/" + "%2e" * 300, "//bytes/21",
            "/.hidden", "/%2Fetc%2Fpasswd", "/bytes/22?" + "b" * 5000,
        ]
        urls = [url(p) for p in hostile]
        urls.append(url("/bytes/23", host="evil.test"))
        urls.append("http://" + "..%2f" * 3 + "@127.0.0.1:%d/bytes/24"
                    % cli.PORT)
        rc, out, err = run(["--output-dir", d, "--resolve",
                            "evil.test:%d:127.0.0.1" % cli.PORT, "-i",
                            write_list(urls)])
        recs = self.by_index(parse(out), len(urls))
        self.check_saved(d, recs)
        # nothing new outside the directory, the victim untouched
        after = files_below(top)
        self.assertEqual({f for f in after if not f.startswith("out/")},
                         {f for f in before if not f.startswith("out/")})
        self.assertEqual(os.listdir(outside), [])
        with open(victim) as f:
            self.assertEqual(f.read(), "keep me")
        for i, rec in recs.items():
            if rec["ok"]:
                self.assertIsNotNone(rec["file"], rec)
        # the symlinked host directory is never entered
        evil = recs[len(urls) - 2]
        self.assertEqual(evil["error"]["kind"], "io", evil)
        self.assertIn("evil.test_%d" % cli.PORT, evil["error"]["message"])
        # the planted file name got a variant
        self.assertEqual(recs[0]["file"], host + "/bytes_11~1")


def add_route(stub):
    """POST /_routes: one stub, ahead of the others."""
    conn = http.client.HTTPConnection("127.0.0.1", cli.PORT, timeout=10)
    try:
        conn.request("POST", "/_routes", body=json.dumps(stub),
                     headers={"Host": cli.CONTROL_HOST})
        resp = conn.getresponse()
        resp.read()
        if resp.status >= 300:
            raise RuntimeError("POST /_routes: HTTP %d" % resp.status)
    finally:
        conn.close()


class TestRobots(Base):
    """--robots: each origin's robots.txt fetched once, the group of -A's
    product token, a refused URL's record (kind robots, the rule named, no
    request), and without --robots no robots.txt at all."""

    def test_robots(self):
        add_route({"path": "/robots.txt",
                   "request_headers": {"Host": host_key("robots.test")},
                   "body": "User-agent: *\nDisallow: /\n\n"
                           "User-agent: testbot\nDisallow: /bytes/3\n"})
        urls = [url("/bytes/3", "robots.test"), url("/bytes/4", "robots.test"),
                url("/bytes/5", "robots.test")]
        for robots in (False, True):
            cli.control("/_requests/reset")
            rc, out, err = run(dns_server() + ["-A", "TestBot/1.0 (+x)"] +
                               (["--robots"] if robots else []) + urls)
            self.assertEqual(rc, 1 if robots else 0, err)
            recs = self.by_index(parse(out), 3)
            for r in recs.values():
                self.check_shape(r)
            paths = sorted(e["path"] for e in cli.control("/_requests"))
            if not robots:
                self.assertEqual(paths, ["/bytes/3", "/bytes/4", "/bytes/5"])
                continue
            self.assertEqual(paths, ["/bytes/4", "/bytes/5", "/robots.txt"])
            self.assertEqual((recs[0]["status"], recs[0]["attempts"]),
                             (None, 0))
            self.assertEqual(recs[0]["error"], {
                "kind": "robots",
                "message": "/bytes/3 is disallowed by http://%s/robots.txt "
                           "for \"testbot\": Disallow: /bytes/3"
                           % host_key("robots.test")})
            self.assertTrue(recs[1]["ok"] and recs[2]["ok"])
            self.assertIn("robots 1", err)  # the summary's kinds


if __name__ == "__main__":
    sys.exit(cli.main(__doc__))
