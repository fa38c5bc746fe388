#!/usr/bin/env python3
"""test_cli.py - end-to-end tests of the sluice command against
sluice-fixture.

Usage: test_cli.py SLUICE FIXTURE [unittest arguments]

Every assertion about concurrency, rates, retries and DNS is made from
the server's side (the fixture's /_stats: requests, in flight, arrival
times, DNS queries), never from sluice's own output.  The fixture also
answers DNS for every name under .test (127.0.0.1), and sluice is pointed
at it with --dns-server, so tests use real host names (a.test, b.test)
and the per-host limits key on them.  Python standard library only.
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SLUICE = None
FIXTURE = None
PORT = None
DNS_PORT = None
FIXTURE_PROC = None

# The fixture's DNS zone: every name under .test is 127.0.0.1 with a TTL
# of 5 s, under .cache.test with 600 s (so that a slow run still sees one
# answer), and gone.test is never answered.
DNS_ARGS = ["--dns-port", "0", "--zone", ".test=127.0.0.1,5",
            "--zone", ".cache.test=127.0.0.1,600", "--dns-drop", "gone.test"]

# Paths used as a neutral Host for control requests, so that /_stats and
# /_stats/reset never count against the host sluice is fetching from.
CONTROL_HOST = "control.invalid"

RECORD_KEYS = ["index", "url", "status", "ok", "bytes", "time_ms",
               "attempts", "error", "final_url", "content_type", "redirects",
               "http_version", "ip", "file", "timing"]
TIMING_KEYS = ["queued", "dns", "connect", "tls", "ttfb", "total"]


def start_fixture():
    global FIXTURE_PROC, PORT, DNS_PORT
    FIXTURE_PROC = subprocess.Popen(
        [FIXTURE, "--port", "0", "--lifetime", "150"] + DNS_ARGS,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
    )
    first = FIXTURE_PROC.stdout.readline().decode().split()
    second = FIXTURE_PROC.stdout.readline().decode().split()
    if len(first) != 2 or first[0] != "http" or len(second) != 2 or \
            second[0] != "dns":
        FIXTURE_PROC.kill()
        raise RuntimeError("sluice-fixture said %r %r, not 'http PORT' and "
                           "'dns PORT'" % (first, second))
    PORT = int(first[1])
    DNS_PORT = int(second[1])

    # keep draining its stdout so that it can never block on a full pipe
    def drain():
        for _ in FIXTURE_PROC.stdout:
            pass

    threading.Thread(target=drain, daemon=True).start()


def stop_fixture():
    if FIXTURE_PROC and FIXTURE_PROC.poll() is None:
        FIXTURE_PROC.terminate()
        try:
            FIXTURE_PROC.wait(5)
        except subprocess.TimeoutExpired:
            FIXTURE_PROC.kill()
            FIXTURE_PROC.wait()


# Every scratch file of this module lives under one directory, made in
# setUpModule and removed with everything in it in tearDownModule.
SCRATCH = None


def scratch_dir():
    """A fresh directory under SCRATCH (removed when the module ends)."""
    return tempfile.mkdtemp(prefix="t-", dir=SCRATCH)


def setUpModule():
    global SCRATCH
    SCRATCH = tempfile.mkdtemp(prefix="sluice-cli-")
    start_fixture()


def tearDownModule():
    stop_fixture()
    shutil.rmtree(SCRATCH, ignore_errors=True)


def control(path):
    """GET a fixture control path with a neutral Host; returns the JSON."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": CONTROL_HOST})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError("%s: HTTP %d" % (path, resp.status))
        return json.loads(body) if body.strip() else None
    finally:
        conn.close()


def url(path, host="127.0.0.1"):
    return "http://%s:%d%s" % (host, PORT, path)


def host_key(host="127.0.0.1"):
    return "%s:%d" % (host, PORT)


def dns_server():
    """The --dns-server arguments that send sluice's queries to the
    fixture."""
    return ["--dns-server", "127.0.0.1:%d" % DNS_PORT]


def arrivals(host="127.0.0.1"):
    """The arrival times (seconds, sorted) of the requests to host."""
    stats = control("/_stats?arrivals=1")
    return sorted(stats["hosts"].get(host_key(host), {}).get("arrivals", []))


def dns_counts(name):
    """{"A": n, "AAAA": m} of the queries the fixture saw for name."""
    return control("/_stats")["dns"]["by_name"].get(name, {})


def run(args, stdin_data=None, timeout=60):
    """Runs sluice; returns (exit status, stdout bytes, stderr text)."""
    p = subprocess.run(
        [SLUICE] + list(args),
        input=stdin_data if stdin_data is not None else b"",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=timeout,
    )
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def run_measured(args, env, timeout):
    """Runs sluice with output to files and waits for it with wait4(2), so
    that its own peak RSS is known.  Returns (exit status, stderr text,
    seconds, peak RSS in KiB)."""
    with tempfile.TemporaryFile() as errf:
        t0 = time.monotonic()
        p = subprocess.Popen([SLUICE] + list(args), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=errf, env=env)
        killer = threading.Timer(timeout, p.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - t0
        errf.seek(0)
        err = errf.read().decode("utf-8", "replace")
    return p.returncode, err, elapsed, usage.ru_maxrss


def wait_in_flight(n, timeout=10):
    """Waits until the fixture has n requests of ours in flight."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        host = control("/_stats")["hosts"].get(host_key(), {})
        if host.get("in_flight", 0) >= n:
            return
        time.sleep(0.02)
    raise AssertionError("the server never saw %d requests in flight" % n)


def wait_stalled(timeout=15):
    """Waits until the fixture has seen requests of ours and no new one
    for half a second: a sluice blocked writing its results makes none."""
    end = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < end:
        n = requests_seen()
        if n != last:
            last, since = n, time.monotonic()
        elif n > 0 and time.monotonic() - since >= 0.5:
            return n
        time.sleep(0.05)
    raise AssertionError("sluice never stopped making requests")


def requests_seen():
    return control("/_stats")["hosts"].get(host_key(), {}).get("requests", 0)


def parse(out):
    """Parses JSON Lines output strictly (valid UTF-8, one object a line)."""
    text = out.decode("utf-8")  # raises on invalid UTF-8
    records = []
    for line in text.splitlines():
        rec = json.loads(line)
        records.append(rec)
    if text and not text.endswith("\n"):
        raise AssertionError("output does not end with a newline")
    return records


def write_list(lines, name="urls.txt"):
    d = scratch_dir()
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        for line in lines:
            f.write(line if isinstance(line, bytes) else line.encode())
            f.write(b"\n")
    return path


def is_sanitized():
    """True when the sluice binary was built with ASan (slower, bigger)."""
    with open(SLUICE, "rb") as f:
        data = f.read()
    return b"__asan_init" in data or b"libasan" in data


class Base(unittest.TestCase):
    def by_index(self, records, n):
        """Checks one record per index 0..n-1 and returns them by index."""
        indexes = [r["index"] for r in records]
        self.assertEqual(len(indexes), n, "one record per URL")
        self.assertEqual(set(indexes), set(range(n)), "every index once")
        return {r["index"]: r for r in records}

    def only_record(self, out, outcome):
        """The one record of a run of one URL, its shape checked and its
        (status, ok, attempts) those of outcome."""
        rec = self.by_index(parse(out), 1)[0]
        self.check_shape(rec)
        self.assertEqual((rec["status"], rec["ok"], rec["attempts"]),
                         outcome, rec)
        return rec

    def check_shape(self, rec):
        self.assertEqual(list(rec.keys()), RECORD_KEYS)
        self.assertIsInstance(rec["index"], int)
        self.assertIsInstance(rec["url"], str)
        self.assertIsInstance(rec["ok"], bool)
        self.assertIsInstance(rec["bytes"], int)
        self.assertIsInstance(rec["attempts"], int)
        self.assertGreaterEqual(rec["attempts"], 0)
        if rec["status"] is not None:
            self.assertIsInstance(rec["status"], int)
            self.assertIsInstance(rec["time_ms"], (int, float))
            self.assertGreaterEqual(rec["time_ms"], 0)
            self.assertGreaterEqual(rec["attempts"], 1)
        self.assertEqual(
            rec["ok"], rec["status"] is not None and rec["status"] < 400
            and rec["error"] is None
        )
        if rec["error"] is not None:
            self.assertFalse(rec["ok"])
            self.assertEqual(sorted(rec["error"].keys()), ["kind", "message"])
            self.assertIsInstance(rec["error"]["kind"], str)
            self.assertIsInstance(rec["error"]["message"], str)
        self.assertIsInstance(rec["redirects"], int)
        for key in ("final_url", "content_type", "ip", "file"):
            self.assertIsInstance(rec[key], (str, type(None)), key)
        self.assertIn(rec["http_version"], ("1.0", "1.1", "2", "3", None))
        if rec["status"] is None:
            self.assertIsNone(rec["timing"])
            self.assertIsNone(rec["final_url"])
        else:
            self.assertEqual(list(rec["timing"].keys()), TIMING_KEYS)
            t = rec["timing"]
            self.assertTrue(all(isinstance(t[k], (int, float)) and t[k] >= 0
                                for k in TIMING_KEYS), t)
            self.assertLessEqual(t["connect"], t["total"])
            self.assertLessEqual(t["ttfb"], t["total"])
            self.assertEqual(t["total"], rec["time_ms"])
            self.assertIsInstance(rec["final_url"], str)


class TestFetch(Base):
    def test_mixed_list(self):
        """2000 URLs of several kinds: one correct record each, exit 1."""
        urls, expect = [], []
        for i in range(2000):
            if i % 50 == 7:
                urls.append(url("/status/404"))
                expect.append((404, None))
            elif i % 50 == 13:
                urls.append(url("/status/500"))
                expect.append((500, None))
            elif i % 10 == 3:
                urls.append(url("/delay/20"))
                expect.append((200, None))
            else:
                n = (i * 37) % 3000
                urls.append(url("/bytes/%d" % n))
                expect.append((200, n))
        path = write_list(urls)
        rc, out, err = run(["-j", "100", "--per-host", "100", "-i", path])
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), len(urls))
        for i, rec in recs.items():
            self.check_shape(rec)
            status, nbytes = expect[i]
            self.assertEqual(rec["url"], urls[i])
            self.assertEqual(rec["status"], status, rec)
            self.assertEqual(rec["ok"], status < 400)
            self.assertIsNone(rec["error"], rec)
            if nbytes is not None:
                self.assertEqual(rec["bytes"], nbytes, rec)
        self.assertIn("2000 URLs", err)
        self.assertIn("1920 ok", err)
        self.assertIn("80 http errors", err)
        self.assertIn("0 failed", err)

    def test_all_ok_exits_0(self):
        urls = [url("/bytes/%d" % (i % 100)) for i in range(300)]
        rc, out, err = run(["-i", write_list(urls)])
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 300)
        self.assertTrue(all(r["ok"] for r in recs.values()))
        self.assertIn("300 ok", err)

    def test_concurrency_is_exact_at_the_server(self):
        """-j 8 over 400 slow URLs: the server sees exactly 8 at once."""
        control("/_stats/reset")
        urls = [url("/delay/50") for _ in range(400)]
        rc, out, err = run(["-j", "8", "--per-host", "100", "-i",
                            write_list(urls)])
        self.assertEqual(rc, 0, err)
        self.by_index(parse(out), 400)
        stats = control("/_stats")
        host = stats["hosts"][host_key()]
        self.assertEqual(host["requests"], 400, stats)
        self.assertEqual(host["max_in_flight"], 8, stats)
        self.assertEqual(host["in_flight"], 0, stats)

    def test_per_host_default_is_6(self):
        """Issue 4: one host gets 6 transfers at once by default, whatever
        -j allows."""
        control("/_stats/reset")
        urls = [url("/delay/50") for _ in range(60)]
        rc, out, err = run(["-j", "50", "-i", write_list(urls)])
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 60)
        self.assertTrue(all(r["attempts"] == 1 for r in recs.values()))
        stats = control("/_stats")
        self.assertEqual(stats["hosts"][host_key()]["max_in_flight"], 6,
                         stats)

    def test_invalid_urls_in_the_middle(self):
        bad = {5: "notaurl", 11: "ftp://x/", 17: "file:///etc/passwd"}
        urls = []
        for i in range(25):
            urls.append(bad.get(i, url("/bytes/%d" % i)))
        rc, out, err = run(["-i", write_list(urls)])
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), 25)
        for i, rec in recs.items():
            self.check_shape(rec)
            self.assertEqual(rec["url"], urls[i])
            if i in bad:
                self.assertIsNone(rec["status"])
                self.assertFalse(rec["ok"])
                self.assertEqual(rec["error"]["kind"], "invalid_url", rec)
                self.assertTrue(rec["error"]["message"])
                self.assertEqual(rec["attempts"], 0, rec)
            else:
                self.assertTrue(rec["ok"], rec)
                self.assertEqual(rec["bytes"], i)
                self.assertEqual(rec["attempts"], 1, rec)
        self.assertIn("3 failed (invalid_url 3)", err)

    def test_connection_refused_is_a_failure(self):
        # port 1 on loopback: nothing listens there
        rc, out, err = run(["http://127.0.0.1:1/", url("/bytes/1")])
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), 2)
        self.check_shape(recs[0])
        self.assertIsNone(recs[0]["status"])
        self.assertEqual(recs[0]["error"]["kind"], "connect", recs[0])
        self.assertTrue(recs[1]["ok"])


class TestInput(Base):
    def test_blank_lines_comments_and_whitespace(self):
        lines = [
            b"# a comment",
            b"",
            ("  " + url("/bytes/1") + "  ").encode(),
            b"   ",
            b"\t# indented comment",
            (url("/bytes/2") + "\r").encode(),  # CRLF
            b"\r",
            ("\t" + url("/bytes/3")).encode(),
        ]
        rc, out, err = run(["-i", write_list(lines)])
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 3)
        for i in range(3):
            self.assertEqual(recs[i]["url"], url("/bytes/%d" % (i + 1)))
            self.assertEqual(recs[i]["bytes"], i + 1)

    def test_last_line_without_newline(self):
        data = (url("/bytes/4") + "\n" + url("/bytes/5")).encode()
        rc, out, err = run([], stdin_data=data)
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 2)
        self.assertEqual(recs[1]["bytes"], 5)

    def test_stdin_by_default_and_dash(self):
        data = "".join(url("/bytes/%d" % i) + "\n" for i in range(20))
        for args in ([], ["-i", "-"], ["--input", "-"]):
            rc, out, err = run(args, stdin_data=data.encode())
            self.assertEqual(rc, 0, (args, err))
            recs = self.by_index(parse(out), 20)
            self.assertEqual(recs[7]["bytes"], 7)

    def test_arguments_then_input_files(self):
        f1 = write_list([url("/bytes/10"), url("/bytes/11")])
        f2 = write_list([url("/bytes/12")])
        rc, out, err = run([url("/bytes/1"), url("/bytes/2"),
                            "-i", f1, "--input", f2])
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 5)
        self.assertEqual([recs[i]["bytes"] for i in range(5)],
                         [1, 2, 10, 11, 12])

    def test_empty_input_exits_0(self):
        rc, out, err = run([], stdin_data=b"# nothing\n\n")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"")
        self.assertIn("0 URLs", err)

    def test_overlong_line_is_one_invalid_url(self):
        long_line = url("/bytes/1?") + "a" * 70000
        lines = [url("/bytes/1"), long_line, url("/bytes/2"),
                 "#" + "c" * 100000, url("/bytes/3")]
        rc, out, err = run(["-i", write_list(lines)])
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), 4)
        self.assertEqual(recs[1]["error"]["kind"], "invalid_url")
        self.assertIn("65536", recs[1]["error"]["message"])
        self.assertTrue(long_line.startswith(recs[1]["url"]))
        self.assertLessEqual(len(recs[1]["url"]), 256)
        for i in (0, 2, 3):
            self.assertTrue(recs[i]["ok"], recs[i])
        self.assertEqual(recs[3]["bytes"], 3)

    def test_json_escaping_of_any_bytes(self):
        raw = [
            b'notaurl "quoted" back\\slash',
            b"ctl\x01\x1f\x7f tab\tin",
            b"bad utf8 \xff\xfe \xc3( end",
            "good utf8 h\u00e9llo \u2603 \U0001F600".encode(),
            b"nul\x00byte",
        ]
        rc, out, err = run(["-i", write_list(raw)])
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), len(raw))  # strict UTF-8 + JSON
        for i, line in enumerate(raw):
            self.check_shape(recs[i])
            self.assertEqual(recs[i]["error"]["kind"], "invalid_url")
        self.assertEqual(recs[0]["url"], 'notaurl "quoted" back\\slash')
        self.assertEqual(recs[1]["url"], "ctl\x01\x1f\x7f tab\tin")
        self.assertEqual(recs[2]["url"],
                         "bad utf8 \ufffd\ufffd \ufffd( end")
        self.assertEqual(recs[3]["url"], raw[3].decode())
        self.assertEqual(recs[4]["url"], "nul\x00byte")
        # control characters never appear raw in the output
        for b in range(0x20):
            if b != 0x0A:
                self.assertNotIn(bytes([b]), out)


class TestOutput(Base):
    def test_results_file(self):
        d = scratch_dir()
        res = os.path.join(d, "out.jsonl")
        with open(res, "w") as f:
            f.write("old content that must go\n" * 1000)
        urls = [url("/bytes/%d" % i) for i in range(50)]
        rc, out, err = run(["--results", res, "-i", write_list(urls)])
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"")
        with open(res, "rb") as f:
            recs = self.by_index(parse(f.read()), 50)
        self.assertEqual(recs[49]["bytes"], 49)

    @unittest.skipUnless(os.path.exists("/dev/full"), "needs /dev/full")
    def test_unwritable_results_exit_3(self):
        urls = [url("/bytes/100") for _ in range(20000)]
        rc, out, err = run(["--results", "/dev/full", "-i", write_list(urls)])
        self.assertEqual(rc, 3, err)
        self.assertIn("sluice: writing results: No space left on device",
                      err)

    def test_user_agent_is_accepted(self):
        rc, out, err = run(["--user-agent", "tester/1.0", url("/bytes/3")])
        self.assertEqual(rc, 0, err)
        self.by_index(parse(out), 1)

    def test_user_agent_with_a_line_break_is_a_usage_error(self):
        for ua in ("a\r\nX-Injected: 1", "a\nb"):
            rc, out, err = run(["--user-agent", ua, url("/bytes/3")])
            self.assertEqual(rc, 2)
            self.assertIn("--user-agent: contains a line break", err)
            self.assertFalse(out)

    def test_summary_on_stderr(self):
        rc, out, err = run([url("/bytes/1000"), url("/status/404"),
                            "notaurl"])
        self.assertEqual(rc, 1)
        self.assertRegex(
            err,
            r"^sluice: 3 URLs in \d+\.\d\d s: 1 ok, "
            r"1 http error, 1 failed \(invalid_url 1\); "
            r"[0-9.]+ (bytes?|kB) received\n"
            r"sluice: 2 requests sent \(\d+/s\), 0 retries; "
            r"responses: 2xx 1, 4xx 1\n"
            r"sluice: latency p50 [0-9.]+ ms, p90 [0-9.]+ ms, "
            r"p99 [0-9.]+ ms, max [0-9.]+ ms\n"
            r"sluice: most failures: 127\.0\.0\.1:\d+ 1\n$")


class TestUsage(Base):
    def usage_error(self, args, *needles, hint=True):
        rc, out, err = run(args)
        self.assertEqual(rc, 2, (args, err))
        self.assertEqual(out, b"", args)
        for n in needles:
            self.assertIn(n, err, args)
        if hint:
            self.assertIn("--help", err, args)
        return err

    def test_bad_concurrency(self):
        err = self.usage_error(["-j", "abc", url("/")], "--concurrency",
                               "'abc'", "1 and 100000")
        self.assertEqual(
            err.splitlines()[0],
            "sluice: --concurrency: 'abc' is not a number between 1 and "
            "100000")
        self.usage_error(["-j", "0", url("/")], "--concurrency", "'0'")
        self.usage_error(["-j", "100001", url("/")], "--concurrency")
        self.usage_error(["-j", "-5", url("/")], "--concurrency")
        self.usage_error(["--concurrency=8x", url("/")], "--concurrency")
        self.usage_error(["-j", ""], "--concurrency")

    def test_bad_durations(self):
        for opt in ("--timeout", "--connect-timeout", "--deadline"):
            for bad in ("10x", "-1", "", "ms", "s", "1.2.3", "inf", "nan",
                        "1e3", " 1", "1 s", "10S", "0x10", "+1", "1000h"):
                err = self.usage_error([opt, bad, url("/bytes/1")], opt,
                                       "'%s' is not a duration" % bad)
                self.assertTrue(err.startswith("sluice: %s: " % opt), err)
            self.usage_error(["%s=5y" % opt, url("/bytes/1")], opt)
            self.usage_error([opt], opt, "missing")

    def test_good_durations(self):
        for good in ("250ms", "10s", "2m", "1h", "1.5", "0.5s", ".5", "7",
                     "0", "1.25m"):
            rc, out, err = run(["--timeout", good, "--connect-timeout", good,
                                "--deadline", good, url("/bytes/1")])
            self.assertEqual(rc, 0, (good, err))
            self.by_index(parse(out), 1)

    def test_bad_politeness_values(self):
        err = self.usage_error(["--rate", "fast", url("/")], "--rate",
                               "'fast'", "N/s")
        self.assertTrue(err.startswith("sluice: --rate: "), err)
        for bad in ("0/s", "10", "10/d", "-1/s", "1e3/s", ""):
            self.usage_error(["--rate", bad, url("/")], "--rate")
            self.usage_error(["--host-rate", bad, url("/")], "--host-rate")
        self.usage_error(["--per-host", "0", url("/")], "--per-host", "'0'",
                         "1 and 100000")
        for bad in ("100001", "-1", "x", "", "6x"):
            self.usage_error(["--per-host", bad, url("/")], "--per-host")
        self.usage_error(["--burst", "x", url("/")], "--burst", "'x'")
        self.usage_error(["--burst", "0", url("/")], "--burst")
        self.usage_error(["--retries", "-1", url("/")], "--retries", "'-1'",
                         "0 and 100")
        self.usage_error(["--retries", "101", url("/")], "--retries")
        for opt in ("--retry-max-delay", "--dns-timeout"):
            self.usage_error([opt, "5x", url("/")], opt,
                             "'5x' is not a duration")
            self.usage_error([opt, "0", url("/")], opt, "more than 0")
        self.usage_error(["--dns-timeout", "2h", url("/")], "--dns-timeout",
                         "too long")

    def test_bad_name_values(self):
        for bad, why in (("nocolon", "HOST:PORT:ADDR"),
                         ("a.test:80", "HOST:PORT:ADDR"),
                         ("a.test:0:127.0.0.1", "PORT"),
                         ("a.test:http:127.0.0.1", "PORT"),
                         (":80:127.0.0.1", "HOST"),
                         ("-a.test:80:127.0.0.1", "HOST"),
                         ("a.test:80:", "ADDR"),
                         ("a.test:80:localhost", "ADDR"),
                         ("a.test:80:127.0.0.1,", "ADDR"),
                         ("a.test:80:127.0.0.1,::1x", "ADDR")):
            err = self.usage_error(["--resolve", "b.test:80:::1", "--resolve",
                                    bad, url("/")], "--resolve",
                                   "'%s'" % bad, why)
            self.assertTrue(err.startswith("sluice: --resolve: '%s': " % bad),
                            err)
        for bad in ("foo", "1.2.3.4:0", "1.2.3.4:x", "[::1", "[::1]:99999",
                    "[1.2.3.4]", "::1x", "", "1.2.3.4,"):
            self.usage_error(["--dns-server", bad, url("/")], "--dns-server",
                             "'%s'" % bad)

    def test_good_name_values(self):
        rc, out, err = run(["--resolve", "x.test:%d:127.0.0.1" % PORT,
                            "--resolve", "y.test:80:[::1],127.0.0.1",
                            "--resolve", "z.test:80:::1",
                            "--dns-server", "127.0.0.1:%d" % DNS_PORT,
                            "--dns-server", "::1,[::1]:53,127.0.0.2",
                            "--dns-timeout", "1s", url("/bytes/2", "x.test")])
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.by_index(parse(out), 1)[0]["bytes"], 2)

    def test_fail_fast_and_first_conflict(self):
        self.usage_error(["--fail-fast", "--first", url("/")], "--fail-fast",
                         "--first")

    def test_unknown_option(self):
        self.usage_error(["--bogus"], "--bogus", "unknown")
        self.usage_error(["--bogus=1"], "--bogus:", "unknown")
        self.usage_error(["-z"], "-z", "unknown")

    def test_prefixes_are_not_options(self):
        """Long options match whole names only: a prefix, even one that
        names a single option, is unknown (once --retry meant
        --retry-max-delay, and --fail --fail-fast)."""
        for prefix in ("--re", "--conc", "--fail", "--time", "--http1",
                       "--max-redir", "--outp", "--data-bin"):
            self.usage_error([prefix, "3", url("/")],
                             "sluice: %s: unknown option" % prefix)

    def test_options_after_urls(self):
        """argv is read as GNU getopt reads it: options may follow the
        URLs and "--" ends them."""
        rc, out, err = run([url("/bytes/1"), "--concurrency", "2", "--",
                            url("/bytes/2")])
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 2)
        self.assertEqual(sorted(r["bytes"] for r in recs.values()), [1, 2])

    def test_missing_value(self):
        self.usage_error(["-j"], "-j", "missing")
        self.usage_error(["--concurrency"], "--concurrency", "missing")
        self.usage_error(["--results"], "--results", "missing")
        self.usage_error(["-i"], "-i", "missing")

    def test_missing_input_file(self):
        err = self.usage_error(["-i", "/nonexistent/urls.txt"], "--input",
                               "/nonexistent/urls.txt", hint=False)
        self.assertIn("No such file", err)

    def test_unwritable_results_file(self):
        self.usage_error(["--results", "/nonexistent/dir/out", url("/")],
                         "--results", "/nonexistent/dir/out", hint=False)

    def test_help_and_version(self):
        rc, out, err = run(["--help"])
        self.assertEqual(rc, 0)
        text = out.decode()
        for needle in ("--concurrency", "--input", "--results",
                       "--user-agent", "--ordered", "--timeout",
                       "--connect-timeout", "--deadline", "--fail-fast",
                       "--first", "--per-host", "--rate", "--host-rate",
                       "--burst", "--retries", "--retry-max-delay",
                       "--dns-server", "--dns-timeout", "--resolve",
                       "attempts", "Exit status", "130"):
            self.assertIn(needle, text)
        self.assertTrue(all(len(l) <= 79 for l in text.splitlines()))
        rc, out, err = run(["-h"])
        self.assertEqual(rc, 0)
        rc, out, err = run(["-V"])
        self.assertEqual(rc, 0)
        self.assertRegex(out.decode(), r"^sluice \S+ \(libsluice \S+\)\n$")


class TestPoliteness(Base):
    """--per-host, --rate, --host-rate, Retry-After and --retries, seen
    from the fixture."""

    def per_host_three(self, names, extra):
        control("/_stats/reset")
        urls = [url("/delay/50", h) for _ in range(30) for h in names]
        rc, out, err = run(["-j", "50", "--per-host", "3"] + extra +
                           ["-i", write_list(urls)])
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), len(urls))
        for rec in recs.values():
            self.check_shape(rec)
            self.assertTrue(rec["ok"], rec)
        stats = control("/_stats")
        for h in names:
            host = stats["hosts"][host_key(h)]
            self.assertEqual(host["requests"], 30, stats)
            self.assertEqual(host["max_in_flight"], 3, stats)
        # the control request of /_stats itself is the only other one
        self.assertEqual(stats["total"]["max_in_flight"], 9, stats)

    def test_per_host_by_dns_names(self):
        """--per-host 3 over a.test, b.test and c.test (resolved by the
        fixture's DNS): 3 at once on each host, 9 in all, with -j 50."""
        self.per_host_three(["a.test", "b.test", "c.test"], dns_server())

    def test_per_host_by_resolve(self):
        """The same with --resolve: no DNS query at all."""
        names = ["ra.test", "rb.test", "rc.test"]
        extra = []
        for h in names:
            extra += ["--resolve", "%s:%d:127.0.0.1" % (h, PORT)]
        # the fixture's DNS would answer these names too: it must not be
        # asked
        extra += dns_server()
        self.per_host_three(names, extra)
        for h in names:
            self.assertEqual(dns_counts(h), {}, h)

    def test_many_resolve_entries(self):
        """Hundreds of --resolve entries (a crawl gives thousands): each
        name gets its own, found without asking DNS; of two for one
        host:port (case aside) the last given counts, as with curl."""
        names = ["n%d.test" % i for i in range(500)]
        extra = []
        for h in names:
            extra += ["--resolve", "%s:%d:127.0.0.1" % (h, PORT)]
        extra += ["--resolve", "dup.test:%d:127.0.0.3" % PORT,
                  "--resolve", "DUP.test:%d:127.0.0.1" % PORT]
        extra += dns_server()
        picked = [names[0], names[250], names[499], "dup.test"]
        rc, out, err = run(extra + ["-i", write_list(
            [url("/bytes/3", h) for h in picked])])
        self.assertEqual(rc, 0, err)
        recs = parse(out)
        self.assertEqual(len(recs), len(picked))
        for r in recs:
            self.assertTrue(r["ok"], r)
            self.assertEqual(r["ip"], "127.0.0.1", r)
        for h in picked:
            self.assertEqual(dns_counts(h), {}, h)

    def test_rate(self):
        """--rate 50/s over 200 requests: first to last arrival 199/50 =
        3.98 s (within 2 %), and no one-second window holds more than
        50 + the burst of 1."""
        control("/_stats/reset")
        urls = [url("/bytes/1") for _ in range(200)]
        rc, out, err = run(["-j", "50", "--per-host", "50", "--rate", "50/s",
                            "-i", write_list(urls)])
        self.assertEqual(rc, 0, err)
        self.by_index(parse(out), 200)
        times = arrivals()
        self.assertEqual(len(times), 200)
        span = times[-1] - times[0]
        self.assertAlmostEqual(span, 3.98, delta=3.98 * 0.02)
        j, busiest = 0, 0
        for i, t in enumerate(times):
            while times[j] <= t - 1.0:
                j += 1
            busiest = max(busiest, i - j + 1)
        sys.stderr.write("\n  [--rate 50/s: 200 requests over %.3f s, "
                         "busiest second %d] " % (span, busiest))
        self.assertLessEqual(busiest, 51, "requests in one second")

    def test_host_rate_is_per_host(self):
        """--host-rate 10/s: hra.test's 30 requests take 2.9 s, and
        hrb.test, listed after them, is not held up behind that queue: its
        10 requests arrive at its own 10/s, within about 1 s of the start.
        (--host-rate applies to every host, so no host of the run is free
        of it; what runs free is each host from the others.)"""
        control("/_stats/reset")
        urls = [url("/bytes/1", "hra.test") for _ in range(30)]
        urls += [url("/bytes/1", "hrb.test") for _ in range(10)]
        rc, out, err = run(["-j", "50", "--host-rate", "10/s"] +
                           dns_server() + ["-i", write_list(urls)])
        self.assertEqual(rc, 0, err)
        self.by_index(parse(out), 40)
        a, b = arrivals("hra.test"), arrivals("hrb.test")
        self.assertEqual((len(a), len(b)), (30, 10))
        self.assertAlmostEqual(a[-1] - a[0], 2.9, delta=2.9 * 0.02)
        self.assertAlmostEqual(b[-1] - b[0], 0.9, delta=0.9 * 0.05)
        self.assertLess(b[-1] - a[0], 1.1, "b.test waited behind a.test")

    def test_retry_after_pauses_the_host(self):
        """A 429 with Retry-After: 2 pauses its whole host: the 5 URLs
        queued behind it arrive at least 2 s after it.  Without --retries
        the 429 is the URL's record."""
        control("/_stats/reset")
        h = "pause.test"
        urls = [url("/retry-after/2", h)] + [url("/bytes/1", h)] * 5
        rc, out, err = run(["--per-host", "1"] + dns_server() + urls)
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), 6)
        self.check_shape(recs[0])
        self.assertEqual(recs[0]["status"], 429, recs[0])
        self.assertFalse(recs[0]["ok"])
        self.assertIsNone(recs[0]["error"])
        self.assertEqual(recs[0]["attempts"], 1)
        for i in range(1, 6):
            self.assertTrue(recs[i]["ok"], recs[i])
        times = arrivals(h)
        self.assertEqual(len(times), 6)
        for t in times[1:]:
            self.assertGreaterEqual(t - times[0], 2.0 - 0.001, times)

    def test_retry_after_retried(self):
        control("/_stats/reset")
        u = url("/retry-after/2", "again.test")
        t0 = time.monotonic()
        rc, out, err = run(["--retries", "1"] + dns_server() + [u])
        self.assertGreaterEqual(time.monotonic() - t0, 2.0)
        self.assertEqual(rc, 0, err)
        self.only_record(out, (200, True, 2))
        times = arrivals("again.test")
        self.assertEqual(len(times), 2)
        self.assertGreaterEqual(times[1] - times[0], 2.0 - 0.001)

    def test_retries(self):
        """/flaky/2 answers 500 twice: --retries 3 gets it on the third
        try; /flaky/10 is still 500 after --retries 2 (3 tries)."""
        control("/_stats/reset")
        t0 = time.monotonic()
        rc, out, err = run(["--retries", "3", "--retry-max-delay", "50ms",
                            url("/flaky/2", "flaky.test")] + dns_server())
        self.assertLess(time.monotonic() - t0, 2.0)
        self.assertEqual(rc, 0, err)
        self.only_record(out, (200, True, 3))
        stats = control("/_stats")
        self.assertEqual(stats["hosts"][host_key("flaky.test")]["requests"],
                         3, stats)

        rc, out, err = run(["--retries", "2", "--retry-max-delay", "50ms",
                            url("/flaky/10", "flaky2.test")] + dns_server())
        self.assertEqual(rc, 1, err)
        rec = self.only_record(out, (500, False, 3))
        self.assertIsNone(rec["error"])
        stats = control("/_stats")
        self.assertEqual(stats["hosts"][host_key("flaky2.test")]["requests"],
                         3, stats)


class TestNames(Base):
    """--dns-server, --dns-timeout and --resolve, against the fixture's
    DNS."""

    def test_one_query_per_name(self):
        """1000 URLs to one name: one A and one AAAA query in all."""
        name = "once.cache.test"
        urls = [url("/bytes/1", name) for _ in range(1000)]
        rc, out, err = run(["-j", "50", "--per-host", "50", "-i",
                            write_list(urls)] + dns_server())
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 1000)
        self.assertTrue(all(r["ok"] for r in recs.values()))
        self.assertEqual(dns_counts(name), {"A": 1, "AAAA": 1})

    def test_dns_timeout(self):
        """A name the server never answers fails with kind dns after
        --dns-timeout (two tries); the other URLs are fine."""
        urls = [url("/bytes/1", "d.test"), url("/bytes/2", "gone.test"),
                url("/bytes/3")]
        t0 = time.monotonic()
        rc, out, err = run(["--dns-timeout", "200ms"] + dns_server() + urls)
        elapsed = time.monotonic() - t0
        self.assertEqual(rc, 1, err)
        self.assertLess(elapsed, 1.5)
        recs = self.by_index(parse(out), 3)
        for rec in recs.values():
            self.check_shape(rec)
        self.assertIsNone(recs[1]["status"])
        self.assertEqual(recs[1]["error"]["kind"], "dns", recs[1])
        self.assertIn("timeout", recs[1]["error"]["message"])
        self.assertEqual(recs[1]["attempts"], 0)
        self.assertTrue(recs[0]["ok"], recs[0])
        self.assertTrue(recs[2]["ok"], recs[2])
        self.assertIn("failed (dns 1)", err)

    def test_no_such_name(self):
        rc, out, err = run(dns_server() + ["http://nope.invalid/",
                                           url("/bytes/1", "e.test")])
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), 2)
        self.check_shape(recs[0])
        self.assertEqual(recs[0]["error"]["kind"], "dns", recs[0])
        self.assertIn("no such name", recs[0]["error"]["message"])
        self.assertTrue(recs[1]["ok"], recs[1])

    def test_resolve_wins_and_takes_lists(self):
        """--resolve with two addresses (the first refuses) and a name
        the DNS would not know."""
        name = "fixed.example"
        rc, out, err = run(["--resolve", "%s:%d:127.0.0.2,127.0.0.1"
                            % (name, PORT), url("/bytes/4", name)])
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.by_index(parse(out), 1)[0]["bytes"], 4)

    def test_several_dns_servers(self):
        """--dns-server is repeatable; a list that holds the fixture
        works."""
        rc, out, err = run(["--dns-server", "127.0.0.1:%d" % DNS_PORT,
                            "--dns-server", "[::1]:%d" % DNS_PORT,
                            url("/bytes/5", "f.test")])
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.by_index(parse(out), 1)[0]["bytes"], 5)


class TestOrdered(Base):
    def test_records_in_input_order(self):
        """Later URLs finish first; --ordered still writes 0, 1, 2, ..."""
        urls = [url("/delay/300"), url("/bytes/1"), "notaurl",
                url("/delay/100"), url("/status/404")]
        urls += [url("/bytes/%d" % i) for i in range(25)]
        rc, out, err = run(["--ordered"] + urls)
        self.assertEqual(rc, 1, err)
        recs = parse(out)
        self.assertEqual([r["index"] for r in recs], list(range(len(urls))))
        for i, rec in enumerate(recs):
            self.check_shape(rec)
            self.assertEqual(rec["url"], urls[i])
        self.assertTrue(recs[0]["ok"])
        self.assertEqual(recs[2]["error"]["kind"], "invalid_url")
        self.assertEqual(recs[4]["status"], 404)
        # the same list without --ordered comes out in completion order
        rc, out, err = run(urls)
        self.assertNotEqual(parse(out)[0]["index"], 0)

    def test_window_is_bounded(self):
        """A slow first URL holds back at most the window (2 x -j) of
        later URLs: the server sees no more than that until it is done."""
        control("/_stats/reset")
        urls = [url("/delay/1500")] + [url("/bytes/1")] * 50
        p = subprocess.Popen([SLUICE, "--ordered", "-j", "4"] + urls,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        time.sleep(0.4)
        seen = requests_seen()
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 0, err)
        self.assertLessEqual(seen, 8, "requests while the first URL ran")
        recs = parse(out)
        self.assertEqual([r["index"] for r in recs], list(range(51)))
        self.assertTrue(all(r["ok"] for r in recs))

    def test_small_window_many_urls(self):
        urls = []
        for i in range(200):
            urls.append(url("/delay/%d" % ((i * 7) % 30)) if i % 3 else
                        url("/bytes/%d" % i))
        rc, out, err = run(["--ordered", "-j", "3", "-i", write_list(urls)])
        self.assertEqual(rc, 0, err)
        recs = parse(out)
        self.assertEqual([r["index"] for r in recs], list(range(200)))
        self.assertEqual([r["url"] for r in recs], urls)


class TestLimits(Base):
    def test_timeout_on_hang(self):
        t0 = time.monotonic()
        rc, out, err = run(["--timeout", "300ms", url("/hang"),
                            url("/bytes/5")])
        elapsed = time.monotonic() - t0
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), 2)
        self.check_shape(recs[0])
        self.assertIsNone(recs[0]["status"])
        self.assertEqual(recs[0]["error"]["kind"], "timeout", recs[0])
        self.assertTrue(recs[1]["ok"], recs[1])
        self.assertLess(elapsed, 2.0)
        self.assertIn("failed (timeout 1)", err)

    def test_timeout_covers_the_queue(self):
        """-j 1: the URL queued behind a hanging one times out too, its
        deadline counting from when it was queued."""
        t0 = time.monotonic()
        rc, out, err = run(["-j", "1", "--timeout", "0.3", url("/hang"),
                            url("/bytes/1")])
        self.assertLess(time.monotonic() - t0, 2.0)
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), 2)
        for rec in recs.values():
            self.assertEqual(rec["error"]["kind"], "timeout", rec)

    def test_connect_timeout_is_accepted(self):
        rc, out, err = run(["--connect-timeout", "2s", "--timeout", "1m",
                            url("/bytes/7")])
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.by_index(parse(out), 1)[0]["bytes"], 7)

    def test_deadline(self):
        """At the deadline, what runs is cancelled and the lines not yet
        read get a cancelled record each, without being fetched."""
        control("/_stats/reset")
        urls = []
        for i in range(13):
            urls.append(url("/hang") if i % 4 == 0 else
                        url("/bytes/%d" % i))
        urls += [url("/hang")] * 100  # more than the window of 20
        n = len(urls)
        t0 = time.monotonic()
        rc, out, err = run(["-j", "10", "--per-host", "10", "--deadline",
                            "500ms", "-i",
                            write_list(urls)])
        elapsed = time.monotonic() - t0
        self.assertEqual(rc, 1, err)
        self.assertLess(elapsed, 2.0)
        self.assertGreaterEqual(elapsed, 0.45)
        recs = self.by_index(parse(out), n)
        for i, rec in recs.items():
            self.check_shape(rec)
            self.assertEqual(rec["url"], urls[i])
            if "/bytes/" in urls[i]:
                self.assertTrue(rec["ok"], rec)
            else:
                self.assertEqual(rec["error"]["kind"], "cancelled", rec)
                self.assertEqual(rec["error"]["message"],
                                 "run deadline (500ms) passed")
        self.assertIn("sluice: stopped: run deadline (500ms) passed", err)
        self.assertIn("%d URLs" % n, err)
        # the unread lines were never fetched: at most the window ran
        self.assertLessEqual(requests_seen(), 20)

    def test_deadline_not_reached(self):
        t0 = time.monotonic()
        rc, out, err = run(["--deadline", "1h", url("/bytes/1")])
        self.assertEqual(rc, 0, err)
        self.assertLess(time.monotonic() - t0, 2.0)
        self.assertNotIn("stopped", err)

    def test_deadline_ordered(self):
        urls = [url("/hang"), url("/bytes/1"), url("/delay/50")] * 3
        rc, out, err = run(["--ordered", "--deadline", "0.3s"] + urls)
        self.assertEqual(rc, 1, err)
        recs = parse(out)
        self.assertEqual([r["index"] for r in recs], list(range(9)))
        for i, rec in enumerate(recs):
            if i % 3 == 0:
                self.assertEqual(rec["error"]["kind"], "cancelled", rec)
            else:
                self.assertTrue(rec["ok"], rec)


class TestStopEarly(Base):
    def test_fail_fast(self):
        control("/_stats/reset")
        urls = [url("/delay/2000")] * 10 + [url("/status/500")]
        urls += [url("/delay/2000")] * 60  # past the window of 40
        failed = url("/status/500")
        t0 = time.monotonic()
        rc, out, err = run(["-j", "20", "--per-host", "20", "--fail-fast",
                            "-i",
                            write_list(urls)])
        elapsed = time.monotonic() - t0
        self.assertEqual(rc, 1, err)
        self.assertLess(elapsed, 1.0)
        recs = self.by_index(parse(out), len(urls))
        self.assertEqual(recs[10]["status"], 500)
        self.assertIsNone(recs[10]["error"])
        for i, rec in recs.items():
            self.check_shape(rec)
            if i != 10:
                self.assertEqual(rec["error"]["kind"], "cancelled", rec)
                self.assertIn(failed, rec["error"]["message"])
                self.assertIn("--fail-fast", rec["error"]["message"])
        self.assertIn("sluice: stopped: --fail-fast: %s failed (status 500)"
                      % failed, err)
        self.assertLessEqual(requests_seen(), 21)

    def test_fail_fast_on_an_error(self):
        urls = [url("/delay/2000"), "notaurl", url("/delay/2000")]
        t0 = time.monotonic()
        rc, out, err = run(["--fail-fast"] + urls)
        self.assertLess(time.monotonic() - t0, 1.0)
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), 3)
        self.assertEqual(recs[1]["error"]["kind"], "invalid_url")
        for i in (0, 2):
            self.assertEqual(recs[i]["error"]["kind"], "cancelled")
            self.assertIn("notaurl failed (invalid_url",
                          recs[i]["error"]["message"])

    def test_fail_fast_all_ok(self):
        rc, out, err = run(["--fail-fast"] +
                           [url("/bytes/%d" % i) for i in range(30)])
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 30)
        self.assertTrue(all(r["ok"] for r in recs.values()))

    def test_first(self):
        urls = [url("/delay/1000"), url("/delay/10"), url("/delay/1500")]
        t0 = time.monotonic()
        rc, out, err = run(["--first"] + urls)
        self.assertLess(time.monotonic() - t0, 0.9)
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 3)
        self.assertTrue(recs[1]["ok"], recs[1])
        for i in (0, 2):
            self.check_shape(recs[i])
            self.assertEqual(recs[i]["error"]["kind"], "cancelled")
            self.assertIn(urls[1], recs[i]["error"]["message"])
        self.assertIn("1 ok", err)

    def test_first_none_ok(self):
        rc, out, err = run(["--first", url("/status/404"), "notaurl"])
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), 2)
        self.assertEqual(recs[0]["status"], 404)
        self.assertEqual(recs[1]["error"]["kind"], "invalid_url")

    def test_first_skips_unread_lines(self):
        urls = [url("/bytes/1")] + [url("/hang")] * 50
        t0 = time.monotonic()
        rc, out, err = run(["-j", "1", "--first", "-i", write_list(urls)])
        self.assertLess(time.monotonic() - t0, 2.0)
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 51)
        self.assertTrue(recs[0]["ok"])
        for i in range(1, 51):
            self.assertEqual(recs[i]["error"]["kind"], "cancelled")


class TestSignals(Base):
    def start(self, args, **kw):
        return subprocess.Popen([SLUICE] + args, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, **kw)

    def interrupt(self, signum, status, message):
        """-j 5 over 20 hanging URLs: 10 are read (the window), the signal
        cancels them, each gets its record, the summary is printed."""
        control("/_stats/reset")
        p = self.start(["-j", "5", "-i",
                        write_list([url("/hang")] * 20)],
                       stdin=subprocess.DEVNULL)
        try:
            wait_in_flight(5)
            t0 = time.monotonic()
            p.send_signal(signum)
            out, err = p.communicate(timeout=10)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        err = err.decode()
        self.assertLess(time.monotonic() - t0, 2.0)
        self.assertEqual(p.returncode, status, err)
        recs = self.by_index(parse(out), 10)
        for rec in recs.values():
            self.check_shape(rec)
            self.assertEqual(rec["error"]["kind"], "cancelled")
            self.assertEqual(rec["error"]["message"], message)
        self.assertIn("sluice: stopped: " + message, err)
        self.assertRegex(err, r"sluice: 10 URLs in .*10 failed "
                         r"\(cancelled 10\)")

    def test_sigint(self):
        self.interrupt(signal.SIGINT, 130, "interrupted by SIGINT")

    def test_sigterm(self):
        self.interrupt(signal.SIGTERM, 143, "terminated by SIGTERM")

    def test_sigint_while_reading_a_pipe(self):
        """The signal ends a blocking read of standard input too."""
        p = self.start([], stdin=subprocess.PIPE)
        try:
            p.stdin.write(("%s\n%s\n" % (url("/hang"), url("/bytes/2")))
                          .encode())
            p.stdin.flush()  # and keep it open: sluice waits for more
            time.sleep(0.5)
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=10)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertEqual(p.returncode, 130, err)
        self.by_index(parse(out), 2)
        self.assertIn(b"2 URLs in", err)

    def test_second_sigint_exits_at_once(self):
        """Blocked writing to a full pipe: the first SIGINT cannot finish
        the run, the second one ends it at once, without a summary."""
        urls = [url("/bytes/1")] * 5000  # ~600 kB of records, unread
        control("/_stats/reset")
        p = self.start(["-i", write_list(urls)], stdin=subprocess.DEVNULL)
        try:
            self.assertLess(wait_stalled(), 5000)
            self.assertIsNone(p.poll(), "sluice should be blocked writing")
            p.send_signal(signal.SIGINT)
            time.sleep(0.3)
            self.assertIsNone(p.poll(), "one SIGINT, still blocked")
            p.send_signal(signal.SIGINT)
            rc = p.wait(timeout=5)
            err = p.stderr.read().decode()
        finally:
            if p.poll() is None:
                p.kill()
            p.communicate()
        self.assertEqual(rc, 130, err)
        self.assertNotIn("URLs in", err)


class TestStreaming(Base):
    def test_large_list_constant_memory(self):
        """A long list runs in bounded memory, one record per URL."""
        sanitized = is_sanitized()
        n = 200000  # about 7 s (18 s with ASan)
        limit_mib = 256 if sanitized else 64
        growth_mib = 24 if sanitized else 8
        d = scratch_dir()
        src = os.path.join(d, "big.txt")
        res = os.path.join(d, "big.jsonl")
        with open(src, "w") as f:
            for i in range(n):
                f.write(url("/bytes/%d" % (i % 64)) + "\n")
        env = dict(os.environ)
        if sanitized:
            # ASan's quarantine would otherwise hold up to 256 MiB of
            # freed memory and hide whether the program's use is bounded
            env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") +
                                   ":quarantine_size_mb=16").lstrip(":")
        # the same run over the first 2000 lines gives the baseline
        small = os.path.join(d, "small.txt")
        with open(src) as f, open(small, "w") as g:
            for _ in range(2000):
                g.write(f.readline())
        rc, err, _, base_kib = run_measured(
            ["-j", "64", "--per-host", "64", "-i", small, "--results", res],
            env, timeout=30)
        self.assertEqual(rc, 0, err)
        rc, err, elapsed, peak_kib = run_measured(
            ["-j", "64", "--per-host", "64", "-i", src, "--results", res],
            env, timeout=90)
        self.assertEqual(rc, 0, err)
        seen = bytearray(n)
        count = 0
        with open(res, "rb") as f:
            for line in f:
                rec = json.loads(line)
                self.assertFalse(seen[rec["index"]], rec)
                seen[rec["index"]] = 1
                self.assertTrue(rec["ok"], rec)
                self.assertEqual(rec["bytes"], rec["index"] % 64)
                count += 1
        self.assertEqual(count, n)
        sys.stderr.write("\n  [%d URLs, -j 64: %.1f s, peak RSS %.1f MiB; "
                         "2000 URLs: %.1f MiB] %s\n"
                         % (n, elapsed, peak_kib / 1024, base_kib / 1024,
                            err.strip()))
        self.assertLess(peak_kib, limit_mib * 1024,
                        "peak RSS %d KiB" % peak_kib)
        # constant memory: many times the URLs, (nearly) the same peak
        self.assertLess(peak_kib - base_kib, growth_mib * 1024,
                        "peak RSS %d KiB, %d KiB with 2000 URLs"
                        % (peak_kib, base_kib))


def main(doc=__doc__, module="__main__"):
    """Every test file's main: SLUICE and FIXTURE from argv, the rest for
    unittest (the tests of `module`); 2 and the usage (doc) without
    them."""
    global SLUICE, FIXTURE
    if len(sys.argv) < 3:
        sys.stderr.write(doc)
        return 2
    SLUICE = os.path.abspath(sys.argv[1])
    FIXTURE = os.path.abspath(sys.argv[2])
    argv = [sys.argv[0]] + sys.argv[3:]
    prog = unittest.main(module=module, argv=argv, exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
