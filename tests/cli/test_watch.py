#!/usr/bin/env python3
"""test_watch.py - a run of the sluice command you can watch, stop and
resume, against sluice-fixture: input read as it comes (a slow producer
on a pipe served line by line, timers and --deadline going on while it
is quiet), records written out as they come (kill -9 loses at most the
last 200 ms), no output file that is an input, the summary (percentiles
of known delays, counts, --summary-json), the progress line on a
pseudo-terminal (and not elsewhere), SIGUSR1's list of what is in
flight, SIGHUP.

Usage: test_watch.py SLUICE FIXTURE [unittest arguments]

The fixture, the helpers and the record checks are test_cli.py's; what
is asserted about requests is asserted from the fixture's side (its
/_stats: requests, in flight, arrival times).
"""

import contextlib
import fcntl
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
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
        self.check_refused(["-i", lst, "--summary-json",
                            os.path.join(d, "sym")], lst)

    def test_summary_json_is_the_results(self):
        lst = write_list([url("/bytes/1")])
        res = os.path.join(scratch_dir(), "out")
        with open(res, "w") as f:
            f.write("keep\n")
        for other in (res, os.path.join(os.path.dirname(res), "./out")):
            self.check_refused(["-i", lst, "--results", res,
                                "--summary-json", other], res)

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


def read_all(fd):
    """Everything a pseudo-terminal's master gives until the other side
    is closed by every process."""
    data = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the slave side is closed
            break
        if not chunk:
            break
        data += chunk
    return data


class TestProgress(Base):
    def on_terminal(self, args, cols=60, urls=None):
        """Runs sluice -j 2 over urls (ten of 200 ms by default) with
        stderr on a pseudo-terminal cols wide; returns (status, stdout
        bytes, what the terminal got, seconds)."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ,
                    struct.pack("HHHH", 24, cols, 0, 0))
        if urls is None:
            urls = [url("/delay/200?%d" % i) for i in range(10)]
        lst = write_list(urls)
        t0 = time.monotonic()
        try:
            p = subprocess.Popen([cli.SLUICE, "-j", "2", "-i", lst] + args,
                                 stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=slave)
            os.close(slave)
            term = read_all(master)
            out, _ = p.communicate(timeout=10)
        finally:
            os.close(master)
        return p.returncode, out, term, time.monotonic() - t0

    def test_drawn_on_a_terminal(self):
        """One line, redrawn at most 10 times a second, never wider than
        the terminal, erased before the summary."""
        rc, out, term, took = self.on_terminal([])
        self.assertEqual(rc, 0, term)
        self.by_index(parse(out), 10)
        text = term.decode()
        draws = [d.split("\x1b[K")[0] for d in text.split("\r")[1:]
                 if d.startswith("sluice: ") and "in flight" in d]
        self.assertGreaterEqual(len(draws), 3, text)
        self.assertLessEqual(len(draws), 10 * took + 2, text)
        for d in draws:
            self.assertLessEqual(len(d), 59, d)
        self.assertRegex(draws[-1], r"^sluice: \d+/10 URLs: \d+ ok, 0 not ok")
        self.assertRegex(text, r"\r\x1b\[Ksluice: 10 URLs in [0-9.]+ s: "
                         r"10 ok")  # erased, then the summary

    def test_wide_terminal_shows_rates_and_oldest(self):
        rc, out, term, took = self.on_terminal([], cols=300)
        self.assertEqual(rc, 0)
        self.assertRegex(term.decode(), r"sluice: \d+/10 URLs: \d+ ok, 0 not "
                         r"ok, [12] in flight, [0-9]+ req/s, [0-9.]+ \w+/s, "
                         r"ETA \d:\d\d, oldest [0-9.]+ s http://127")

    def test_absent_when_asked_or_not_a_terminal(self):
        for args in (["--no-progress"], ["-s"], ["-q"]):
            rc, out, term, took = self.on_terminal(args, urls=[url("/delay/"
                                                                   "300")])
            self.assertEqual(rc, 0, args)
            self.assertNotIn(b"in flight", term, args)
            self.assertNotIn(b"\x1b[K", term, args)
        rc, out, err = cli.run([url("/delay/300")])  # stderr: a pipe
        self.assertNotIn("in flight", err)
        self.assertNotIn("\r", err)
        rc, out, err = cli.run(["--progress", url("/delay/300")])
        self.assertIn("\rsluice: 0/1 URLs: 0 ok, 0 not ok, 1 in flight", err)

    def test_urls_cannot_drive_the_terminal(self):
        """Control and non-ASCII bytes of a URL are shown escaped."""
        rc, out, term, took = self.on_terminal(
            [], cols=300,
            urls=[url("/delay/400").encode() + b"?\x9b31m\xe2\x80\xae"])
        self.assertEqual(rc, 0)
        self.assertIn(b"?\\x9b31m\\xe2\\x80\\xae", term)
        self.assertNotIn(b"\x9b", term)
        self.assertNotIn(b"\xe2\x80\xae", term)


class TestWatchSignals(Base):
    def test_sigusr1_lists_what_is_in_flight(self):
        """SIGUSR1: every URL in flight with its index, state, age and
        bytes so far; the run goes on to the end."""
        urls = [url("/drip/300/5?%d" % i) for i in range(4)]  # 1.5 s each
        control("/_stats/reset")
        with started(["-j", "2", "-i", write_list(urls)],
                     stdin=subprocess.DEVNULL) as p:
            wait_for(lambda: host_stats().get("in_flight") == 2, 2,
                     "two transfers running")
            time.sleep(0.5)
            p.send_signal(signal.SIGUSR1)
            time.sleep(0.2)
            p.send_signal(signal.SIGUSR1)
            rc, out, err = finish(p)
        self.assertEqual(rc, 0, err)
        self.by_index(parse(out), 4)
        self.assertEqual(err.count("sluice: 4 URLs in flight (SIGUSR1):\n"), 2,
                         err)
        lines = re.findall(r"sluice:   #(\d) (\w+) ([0-9.]+) s (\d+) bytes "
                           r"(\S+)\n", err)
        self.assertEqual(len(lines), 8, err)
        for index, state, age, got, u in lines[:4]:
            self.assertEqual(u, urls[int(index)])
            self.assertGreaterEqual(float(age), 0.5)
            if state == "running":
                self.assertGreater(int(got), 0)
            else:
                self.assertEqual((state, got), ("pending", "0"))
        self.assertEqual(sorted(s for _, s, _, _, _ in lines[:4]),
                         ["pending", "pending", "running", "running"])

    def test_sighup_ends_the_run_keeping_every_record(self):
        """A closed terminal: as SIGTERM, every URL read gets its record,
        the summary is printed, exit 129."""
        res = os.path.join(scratch_dir(), "r.jsonl")
        urls = [url("/bytes/1")] * 3 + [url("/hang")] * 20
        control("/_stats/reset")
        # SIGHUP as a terminal leaves it, even when the tests themselves
        # run under nohup (sluice keeps an ignored SIGHUP ignored)
        with started(["-j", "5", "-i", write_list(urls), "--results", res],
                     stdin=subprocess.DEVNULL,
                     preexec_fn=lambda: signal.signal(signal.SIGHUP,
                                                      signal.SIG_DFL)) as p:
            wait_for(lambda: host_stats().get("in_flight") == 5, 2,
                     "five transfers hanging")
            p.send_signal(signal.SIGHUP)
            rc, out, err = finish(p)
        self.assertEqual(rc, 129, err)
        with open(res, "rb") as f:  # 3 done, then a window of 10 read
            recs = self.by_index(parse(f.read()), 13)
        self.assertEqual(sum(r["ok"] for r in recs.values()), 3)
        for rec in recs.values():
            if not rec["ok"]:
                self.assertEqual(rec["error"]["message"],
                                 "terminated by SIGHUP")
        self.assertIn("sluice: stopped: terminated by SIGHUP", err)
        self.assertIn("sluice: 13 URLs in", err)

    def test_sighup_ignored_under_nohup(self):
        """A SIGHUP ignored when sluice starts (nohup) stays ignored."""
        control("/_stats/reset")
        with started([url("/hang")], stdin=subprocess.DEVNULL,
                     preexec_fn=lambda: signal.signal(signal.SIGHUP,
                                                      signal.SIG_IGN)) as p:
            wait_for(lambda: host_stats().get("in_flight") == 1, 2,
                     "the transfer hanging")
            p.send_signal(signal.SIGHUP)
            time.sleep(0.3)
            self.assertIsNone(p.poll(), "SIGHUP ignored")
            p.send_signal(signal.SIGTERM)
            rc, out, err = finish(p)
        self.assertEqual(rc, 143, err)


def journal():
    """The fixture's journal: the requests received since the last
    /_requests/reset, as (path, arrival time: the wall clock)."""
    return [(e["path"], e["time"]) for e in control("/_requests")]


def whole_records(path):
    """The records of the whole lines of a results file (a torn last line
    left out), by index; fails on a repeated index."""
    recs = {}
    with open(path, "rb") as f:
        for line in f.read().split(b"\n")[:-1]:
            rec = json.loads(line)
            assert rec["index"] not in recs, rec
            recs[rec["index"]] = rec
    return recs


class TestResume(Base):
    N = 400

    def kill_midway(self, extra):
        """Runs the list (N URLs of 20 ms, -j 8: one second) and kills it
        with SIGKILL once 100 records are in the file.  Returns (the
        list, the results file, the records then, the run's requests,
        when it was killed)."""
        lst = write_list([url("/delay/20?i=%d" % i) for i in range(self.N)])
        res = os.path.join(scratch_dir(), "r.jsonl")
        control("/_requests/reset")
        with started(["-j", "8", "--per-host", "8", "-i", lst, "--results",
                      res] + extra, stdin=subprocess.DEVNULL) as p:
            wait_for(lambda: lines_in(res) >= 100, 5, "100 records")
            killed = time.time()
            p.kill()
            p.wait()
        first = journal()
        control("/_requests/reset")
        return lst, res, whole_records(res), first, killed

    def resume_after_kill(self, extra):
        lst, res, done, first, killed = self.kill_midway(extra)
        self.assertGreaterEqual(len(done), 100)
        self.assertLess(len(done), self.N, "killed before the end")
        rc, out, err = cli.run(["-j", "8", "--per-host", "8", "-i", lst,
                                "--results", res, "--resume"] + extra)
        self.assertEqual(rc, 0, err)
        self.assertIn("sluice: --resume: %d URLs had records already"
                      % len(done), err)
        with open(res, "rb") as f:  # strict: the torn line was cut
            final = parse(f.read())
        self.by_index(final, self.N)
        second = journal()
        path_of = {i: "/delay/20?i=%d" % i for i in range(self.N)}
        asked = {p for p, _ in second}
        # nothing with a record was fetched again ...
        self.assertFalse(asked & {path_of[i] for i in done})
        # ... and each URL fetched again had gone out in the last moments
        # before the kill: in flight, or done within the flush interval
        again = {p: t for p, t in first if p in asked}
        for p, t in again.items():
            self.assertGreater(t, killed - 0.2 - 0.02 - 0.15, (p, killed))
        self.assertLessEqual(len(again), 8 + 0.4 * 400)
        sys.stderr.write("\n  [killed after %d records; %d URLs fetched "
                         "again] " % (len(done), len(again)))
        return [r["index"] for r in final], done

    def test_kill_9_then_resume(self):
        """kill -9 mid-run, then --resume: one record per input URL over
        both runs; the server sees no URL again but those in flight at the
        kill or finished within its last flush interval."""
        self.resume_after_kill([])

    def test_kill_9_then_resume_ordered(self):
        """The same with --ordered: the file ends in input order whole."""
        order, done = self.resume_after_kill(["--ordered"])
        self.assertEqual(sorted(done), list(range(len(done))))
        self.assertEqual(order, list(range(self.N)))

    def test_another_list_is_refused(self):
        """A list that is not the one the file was made from: exit 2, the
        file untouched; so is a file that is not sluice's."""
        lst = write_list([url("/bytes/%d" % i) for i in range(5)])
        res = os.path.join(scratch_dir(), "r.jsonl")
        rc, out, err = cli.run(["-i", lst, "--results", res])
        self.assertEqual(rc, 0, err)
        with open(res, "ab") as f:
            f.write(b'{"index":5,"url":"http://torn')  # a torn last line
        with open(res, "rb") as f:
            before = f.read()
        control("/_stats/reset")
        for other in ([url("/bytes/%d" % i) for i in (0, 1, 9, 3, 4)],
                      [url("/bytes/%d" % i) for i in range(3)]):
            rc, out, err = cli.run(["-i", write_list(other), "--results",
                                    res, "--resume"])
            self.assertEqual(rc, 2, err)
            self.assertIn("it was made from another list", err)
        with open(res, "wb") as f:
            f.write(b"not json\n" + before)
        rc, out, err = cli.run(["-i", lst, "--results", res, "--resume"])
        self.assertEqual(rc, 2, err)
        self.assertIn("line 1 is not a record of sluice", err)
        with open(res, "rb") as f:
            self.assertEqual(f.read(), b"not json\n" + before)
        self.assertEqual(host_stats().get("requests", 0), 0)

    def test_urls_as_records_hold_them(self):
        """Records hold invalid UTF-8 as U+FFFD, a long line's first bytes,
        a NUL escaped: the check compares the input as they hold it."""
        lst = write_list([url("/bytes/1").encode() + b"?\xff\xe2\x80",
                          b"x" * 70000, b"a\x00b", url("/bytes/2")])
        res = os.path.join(scratch_dir(), "r.jsonl")
        rc, out, err = cli.run(["-i", lst, "--results", res])
        self.assertEqual(rc, 1, err)
        with open(res, "rb") as f:
            lines = [ln for ln in f.read().split(b"\n")[:-1]
                     if json.loads(ln)["index"] != 3]
        with open(res, "wb") as f:
            f.write(b"\n".join(lines) + b"\n")
        control("/_requests/reset")
        rc, out, err = cli.run(["-i", lst, "--results", res, "--resume"])
        self.assertEqual(rc, 0, err)  # only the last one was fetched
        self.assertEqual([p for p, _ in journal()], ["/bytes/2"])
        with open(res, "rb") as f:
            self.by_index(parse(f.read()), 4)

    def test_resume_of_nothing_and_usage(self):
        """--resume with no results yet is a fresh run; without --results,
        a usage error."""
        lst = write_list([url("/bytes/1"), url("/bytes/2")])
        res = os.path.join(scratch_dir(), "new.jsonl")
        rc, out, err = cli.run(["-i", lst, "--results", res, "--resume"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(lines_in(res), 2)
        rc, out, err = cli.run(["-i", lst, "--results", res, "--resume"])
        self.assertEqual(rc, 0, err)  # everything done: nothing to fetch
        self.assertEqual(lines_in(res), 2)
        self.assertIn("2 URLs had records already", err)
        rc, out, err = cli.run(["-i", lst, "--resume"])
        self.assertEqual(rc, 2)
        self.assertIn("--resume needs --results FILE", err)


if __name__ == "__main__":
    sys.exit(cli.main(__doc__))
