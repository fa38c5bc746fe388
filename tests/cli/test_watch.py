#!/usr/bin/env python3
"""test_watch.py - a run of the sluice command you can watch, stop and
resume, against sluice-fixture: input read as it comes (a slow producer
on a pipe served line by line, timers and --deadline going on while it
is quiet), records written out as they come (kill -9 loses at most the
last 200 ms), no output file that is an input.

Usage: test_watch.py SLUICE FIXTURE [unittest arguments]

The fixture, the helpers and the record checks are test_cli.py's; what
is asserted about requests is asserted from the fixture's side (its
/_stats: requests, in flight, arrival times).
"""

import contextlib
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli as cli  # noqa: E402
from test_cli import (Base, control, host_key, parse, scratch_dir,  # noqa: E402
                      url, write_list)


def setUpModule():
    cli.setUpModule()


def tearDownModule():
    cli.tearDownModule()


def lines_in(path):
    """Whole lines in the file at path (0 when there is none yet)."""
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0


def host_stats():
    """The fixture's counters of our host (requests, in flight, ...)."""
    return control("/_stats?arrivals=1")["hosts"].get(host_key(), {})


def wait_for(cond, timeout, what):
    """Polls cond() every 10 ms until it is true; fails after timeout."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return time.monotonic()
        time.sleep(0.01)
    raise AssertionError("%s: not within %.1f s" % (what, timeout))


@contextlib.contextmanager
def started(args, **kw):
    """sluice running with args (stdin a pipe unless kw says otherwise),
    killed if it is still running when the block ends."""
    kw.setdefault("stdin", subprocess.PIPE)
    kw.setdefault("stdout", subprocess.PIPE)
    p = subprocess.Popen([cli.SLUICE] + list(args), stderr=subprocess.PIPE,
                         **kw)
    try:
        yield p
    finally:
        if p.poll() is None:
            p.kill()
        finish(p)  # and its pipes closed


def finish(p, timeout=10):
    """Waits for p; returns (status, stdout bytes, stderr text)."""
    if p.stdin and p.stdin.closed:
        p.stdin = None  # closed by the test: communicate() would flush it
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, (err or b"").decode("utf-8", "replace")


class TestLiveInput(Base):
    def test_slow_producer_line_by_line(self):
        """(echo URL; sleep; echo URL) | sluice: each request reaches the
        server as soon as its line is written, not when the pipe
        closes."""
        control("/_stats/reset")
        with started([]) as p:
            for i in range(3):
                t0 = time.monotonic()
                p.stdin.write((url("/bytes/%d" % i) + "\n").encode())
                p.stdin.flush()  # and keep the pipe open
                seen = wait_for(lambda: host_stats().get("requests") == i + 1,
                                2, "request %d at the server" % i)
                self.assertLess(seen - t0, 0.5)
                time.sleep(0.3)
            self.assertIsNone(p.poll(), "sluice waits for more input")
            p.stdin.close()
            rc, out, err = finish(p)
        self.assertEqual(rc, 0, err)
        recs = self.by_index(parse(out), 3)
        for i in range(3):
            self.assertEqual(recs[i]["bytes"], i)

    def test_deadline_while_input_is_quiet(self):
        """A quiet pipe stalls nothing: --deadline cancels the transfer in
        time while the pipe stays open (the rest of the input is read
        once it closes, as after any --deadline)."""
        control("/_stats/reset")
        with started(["--deadline", "1s"]) as p:
            t0 = time.monotonic()
            p.stdin.write((url("/hang") + "\n").encode())
            p.stdin.flush()
            wait_for(lambda: host_stats().get("in_flight") == 1, 2,
                     "the transfer in flight")
            done = wait_for(lambda: host_stats().get("in_flight") == 0, 3,
                            "the transfer cancelled")
            self.assertLess(done - t0, 1.8)
            p.stdin.write((url("/bytes/1") + "\n").encode())
            p.stdin.close()
            rc, out, err = finish(p)
        self.assertEqual(rc, 1, err)
        recs = self.by_index(parse(out), 2)
        for rec in recs.values():
            self.assertEqual(rec["error"]["kind"], "cancelled", rec)
            self.assertEqual(rec["error"]["message"],
                             "run deadline (1s) passed")
        self.assertEqual(host_stats().get("requests"), 1)


class TestCrashSafe(Base):
    def test_records_written_as_they_come(self):
        """Records go out every 200 ms: kill -9 while a URL hangs leaves
        every finished URL's record in --results, whole."""
        res = os.path.join(scratch_dir(), "r.jsonl")
        urls = [url("/bytes/%d" % i) for i in range(20)] + [url("/hang")]
        with started(["-j", "4", "-i", write_list(urls), "--results", res],
                     stdin=subprocess.DEVNULL) as p:
            wait_for(lambda: lines_in(res) == 20, 2, "20 records in the file")
            self.assertIsNone(p.poll(), "still running (one URL hangs)")
            p.kill()
            p.wait()
        with open(res, "rb") as f:
            recs = self.by_index(parse(f.read()), 20)
        for i in range(20):
            self.assertEqual(recs[i]["bytes"], i)


class TestClobber(Base):
    def check_refused(self, args, lst, stdin=subprocess.DEVNULL):
        with open(lst, "rb") as f:
            before = f.read()
        control("/_stats/reset")
        with started(args, stdin=stdin) as p:
            rc, out, err = finish(p)
        self.assertEqual(rc, 2, err)
        self.assertIn("is the same file as", err)
        with open(lst, "rb") as f:
            self.assertEqual(f.read(), before, "the input is intact")
        self.assertEqual(host_stats().get("requests", 0), 0)

    def test_results_is_the_input(self):
        """-i list --results list, and the same through a symlink, a hard
        link, another spelling, and standard input redirected from it."""
        d = scratch_dir()
        lst = write_list([url("/bytes/1")] * 3)
        os.symlink(lst, os.path.join(d, "sym"))
        os.link(lst, os.path.join(d, "hard"))
        for res in (lst, os.path.join(d, "sym"), os.path.join(d, "hard"),
                    os.path.join(os.path.dirname(lst), ".", "urls.txt")):
            self.check_refused(["-i", lst, "--results", res], lst)
        for args in (["-i", "-"], []):
            with open(lst, "rb") as f:
                self.check_refused(args + ["--results", lst], lst, stdin=f)

    def test_other_results_are_fine(self):
        lst = write_list([url("/bytes/1")])
        res = os.path.join(scratch_dir(), "new.jsonl")
        with started(["-i", lst, "--results", res],
                     stdin=subprocess.DEVNULL) as p:
            rc, out, err = finish(p)
        self.assertEqual(rc, 0, err)
        self.assertEqual(lines_in(res), 1)


def nearest_rank(values, q):
    """The nearest-rank quantile q of values (as base/hist defines it)."""
    v = sorted(values)
    k = max(1, -(-len(v) * q // 1))  # ceil(q n), at least 1
    return v[int(k) - 1]


class TestSummary(Base):
    def summary_run(self, urls, extra=()):
        """Runs the URLs with --summary-json; returns (records by index,
        the JSON summary, stderr)."""
        d = scratch_dir()
        sj = os.path.join(d, "summary.json")
        rc, out, err = cli.run(["-j", "100", "--per-host", "100", "-i",
                                write_list(urls), "--summary-json", sj]
                               + list(extra))
        with open(sj) as f:
            summary = json.load(f)
        return self.by_index(parse(out), len(urls)), summary, err

    def test_percentiles_of_known_delays(self):
        """50 URLs of 10 ms, 40 of 50 ms, 10 of 200 ms: p50, p90, p99 and
        max are those delays (plus the little a request takes), and agree
        with the records' own times within the histogram's 1 %."""
        urls = ([url("/delay/10?%d" % i) for i in range(50)] +
                [url("/delay/50?%d" % i) for i in range(40)] +
                [url("/delay/200?%d" % i) for i in range(10)])
        recs, s, err = self.summary_run(urls)
        lat = s["latency_ms"]
        self.assertEqual(lat["count"], 100)
        times = [r["time_ms"] for r in recs.values()]
        for name, q, low, high in (("p50", 0.5, 10, 40), ("p90", 0.9, 50, 90),
                                   ("p99", 0.99, 200, 300),
                                   ("max", 1.0, 200, 300)):
            self.assertGreaterEqual(lat[name], low, lat)
            self.assertLess(lat[name], high, lat)
            exact = nearest_rank(times, q)
            self.assertLessEqual(abs(lat[name] - exact), exact * 0.01 + 0.1,
                                 (name, lat, exact))
        self.assertRegex(err, r"sluice: latency p50 [0-9.]+ ms, p90 "
                         r"[0-9.]+ ms, p99 [0-9.]+ ms, max [0-9.]+ ms\n")

    def test_counts_bytes_requests(self):
        """Bytes of failed transfers count; requests are what was sent
        (retries too, a URL never sent not at all); status classes, error
        kinds and the hosts with most failures."""
        urls = [url("/bytes/1000"), url("/truncate/4000"),
                url("/status/503?x"), url("/flaky/2?y"), "notaurl",
                url("/status/404", host="b.cache.test"),
                url("/status/500", host="b.cache.test"),
                url("/redirect/1"), url("/status/403", host="b.cache.test")]
        recs, s, err = self.summary_run(
            urls, ["--retries", "2", "--retry-max-delay", "10ms"] +
            cli.dns_server())
        self.assertEqual(s["bytes"], sum(r["bytes"] for r in recs.values()))
        self.assertGreater(recs[1]["bytes"], 0)  # the truncated one counts
        self.assertEqual(s["requests"],
                         sum(r["attempts"] for r in recs.values()))
        self.assertEqual(s["requests"], 1 + 1 + 3 + 3 + 0 + 1 + 3 + 1 + 1)
        self.assertEqual(s["retries"], 2 + 2 + 2)
        self.assertEqual((s["urls"], s["ok"], s["http_errors"], s["failed"]),
                         (9, 3, 4, 2))
        self.assertEqual(s["errors"], {"io": 1, "invalid_url": 1})
        self.assertEqual(s["status"], {"1xx": 0, "2xx": 3, "3xx": 1,
                                       "4xx": 2, "5xx": 2, "other": 0})
        self.assertEqual(s["failing_hosts"], [
            {"host": "b.cache.test:%d" % cli.PORT, "failures": 3, "error": 0},
            {"host": "127.0.0.1:%d" % cli.PORT, "failures": 2, "error": 0}])
        self.assertFalse(s["failing_hosts_estimated"])
        self.assertIsNone(s["stopped"])
        self.assertIn("sluice: most failures: b.cache.test:%d 3, "
                      "127.0.0.1:%d 2\n" % (cli.PORT, cli.PORT), err)

    def test_summary_json_with_silent_and_stopped(self):
        """-s prints nothing, the file is still written; it says why the
        run stopped early."""
        d = scratch_dir()
        sj = os.path.join(d, "s.json")
        rc, out, err = cli.run(["-s", "--deadline", "200ms", "--summary-json",
                                sj, url("/hang")])
        self.assertEqual(rc, 1)
        self.assertEqual(err, "")
        with open(sj) as f:
            s = json.load(f)
        self.assertEqual(s["stopped"], "run deadline (200ms) passed")
        self.assertEqual(s["errors"], {"cancelled": 1})
        self.assertEqual(s["latency_ms"]["p50"], None)


if __name__ == "__main__":
    sys.exit(cli.main(__doc__))
