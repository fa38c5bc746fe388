#!/usr/bin/env python3
"""bench.py - the Python half of bench/run (stdlib only).

  bench.py urls OUT COUNT TEMPLATE [--curl CFG]
      write COUNT URLs to OUT, one a line, from TEMPLATE with {i} (0-based
      index) and {m} (i % 16) filled in; with --curl also a curl config
      (url = "..." / output = "/dev/null" per URL).

  bench.py measure --log LOG --section S --tool T [options] -- CMD ...
      run CMD under /usr/bin/time in its own session, bounded by
      --timeout, and append one JSON record to LOG: wall (monotonic clock),
      user, sys, peak RSS, exit status, plus what the options ask to
      check (--results FILE: one record per URL of --n; --wrk: parse
      wrk's Requests/sec; --bare: parse bench-bare's "bare: N ok, M
      failed"; --callgrind FILE: total Ir; --fixture URL: the fixture's
      /_stats around the run; --access-log FILE: the lines nginx appended
      to its "$server_protocol $status $connection" log during the run).
      One line of summary to stderr.

  bench.py report LOG [--json OUT]
      print the tables (medians per tool and section) and the problems.
"""
import argparse
import json
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

TIME_FMT = "%e %U %S %M"


# ---- urls -----------------------------------------------------------------

def cmd_urls(a):
    n = a.count
    with open(a.out, "w") as out:
        cfg = open(a.curl, "w") if a.curl else None
        try:
            for i in range(n):
                url = a.template.format(i=i, m=i % 16)
                out.write(url + "\n")
                if cfg:
                    cfg.write(f'url = "{url}"\noutput = "/dev/null"\n')
        finally:
            if cfg:
                cfg.close()


# ---- measure --------------------------------------------------------------

def check_results(path, expect):
    """One record per URL: every index 0..expect-1 exactly once."""
    seen = bytearray(expect)
    r = {"records": 0, "dupes": 0, "bad_index": 0, "bad_json": 0,
         "not_ok": 0, "status_not_200": 0, "kinds": {}}
    try:
        f = open(path, "rb")
    except OSError:
        r["missing"] = expect
        r["records"] = 0
        return r
    with f:
        for line in f:
            r["records"] += 1
            try:
                rec = json.loads(line)
            except ValueError:
                r["bad_json"] += 1
                continue
            i = rec.get("index")
            if not isinstance(i, int) or not 0 <= i < expect:
                r["bad_index"] += 1
            elif seen[i]:
                r["dupes"] += 1
            else:
                seen[i] = 1
            if rec.get("ok") is not True:
                r["not_ok"] += 1
                kind = (rec.get("error") or {}).get("kind") or \
                    f"status {rec.get('status')}"
                r["kinds"][kind] = r["kinds"].get(kind, 0) + 1
            if rec.get("status") != 200:
                r["status_not_200"] += 1
    r["missing"] = expect - sum(seen)
    return r


def fixture_stats(base, reset=False):
    url = base + ("/_stats/reset" if reset else "/_stats")
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return json.load(resp)
    except (OSError, ValueError) as e:
        return {"error": str(e)}


def callgrind_ir(path):
    try:
        with open(path) as f:
            for line in f:
                m = re.match(r"(summary|totals):\s+(\d+)", line)
                if m:
                    return int(m.group(2))
    except OSError:
        pass
    return None


def access_log_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def log_lines_since(path, offset, expect):
    """The lines appended to PATH after OFFSET, once there are EXPECT of
    them or 3 s have passed (nginx writes a line after the response has
    gone, and may buffer its log)."""
    deadline = time.monotonic() + 3
    while True:
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                data = f.read()
        except OSError:
            data = b""
        lines = data.splitlines()
        if len(lines) >= expect or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def access_log_since(path, offset, expect):
    """The lines nginx appended to PATH after OFFSET: requests, protocols,
    statuses, distinct connections.  nginx writes a line after the response
    has gone, so the last few can come a moment after the client ended:
    wait up to 3 s for EXPECT lines."""
    lines = log_lines_since(path, offset, expect)
    protos, statuses, conns = {}, {}, set()
    for line in lines:
        parts = line.decode(errors="replace").split()
        if len(parts) != 3:
            protos["?"] = protos.get("?", 0) + 1
            continue
        protos[parts[0]] = protos.get(parts[0], 0) + 1
        statuses[parts[1]] = statuses.get(parts[1], 0) + 1
        conns.add(parts[2])
    return {"server_requests": len(lines), "server_protocols": protos,
            "server_statuses": statuses, "server_connections": len(conns)}


def crawl_log_since(path, offset, expect):
    """The lines bench/crawl.sh's nginx appended to PATH after OFFSET
    ("$host $connection $ssl_session_reused $server_protocol $status
    $ssl_protocol"): requests, protocols, statuses, TLS versions, distinct
    connections, how many of them made a full TLS handshake (".") or
    resumed a session ("r"), and per host the connections opened.  nginx
    buffers this log (flush=100ms): wait up to 3 s for EXPECT lines."""
    lines = log_lines_since(path, offset, expect)
    protos, statuses, tlsv = {}, {}, {}
    conns, per_host = {}, {}
    bad = 0
    for line in lines:
        parts = line.decode(errors="replace").split()
        if len(parts) != 6:
            bad += 1
            continue
        host, conn, reused, proto, status, tls = parts
        protos[proto] = protos.get(proto, 0) + 1
        statuses[status] = statuses.get(status, 0) + 1
        tlsv[tls] = tlsv.get(tls, 0) + 1
        if conn not in conns:
            conns[conn] = reused
            per_host[host] = per_host.get(host, 0) + 1
    full = sum(1 for v in conns.values() if v == ".")
    resumed = sum(1 for v in conns.values() if v == "r")
    hosts = len(per_host)
    return {"server_requests": len(lines), "server_protocols": protos,
            "server_statuses": statuses, "server_tls": tlsv,
            "server_bad_lines": bad,
            "server_connections": len(conns), "tls_full": full,
            "tls_resumed": resumed, "server_hosts": hosts,
            "max_conns_per_host": max(per_host.values(), default=0),
            # a connection after a host's first could have resumed
            "resumable": len(conns) - hosts if full + resumed else 0}


def proc_cpu(pid_file):
    """user + system CPU seconds of the process whose pid is in PID_FILE
    (nginx's), from /proc; None when it cannot be read."""
    try:
        with open(pid_file) as f:
            pid = int(f.read().split()[0])
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def wait_exact(proc, timeout):
    """proc.wait(timeout), but returning as soon as proc has exited:
    Popen.wait with a timeout polls, sleeping up to 50 ms in between,
    which put every wall time on a 50 ms grid (8 % of a 0.6 s run).  A
    pidfd becomes readable the moment the process exits."""
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        return proc.wait(timeout)
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    if not ready:
        raise subprocess.TimeoutExpired(proc.args, timeout)
    return proc.wait()


def cmd_measure(a):
    rec = {"section": a.section, "tool": a.tool, "run": a.run, "n": a.n}
    for kv in a.tag or []:
        k, _, v = kv.partition("=")
        rec[k] = v
    tfile = a.stdout + ".time"
    if a.fixture:
        fixture_stats(a.fixture, reset=True)
    if a.access_log:
        log_offset = access_log_size(a.access_log)
    if a.crawl_log:
        crawl_offset = access_log_size(a.crawl_log)
    if a.server_pid_file:
        server_cpu0 = proc_cpu(a.server_pid_file)
    argv = ["/usr/bin/time", "-f", TIME_FMT, "-o", tfile] + a.argv
    proc = None
    timed_out = False

    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    try:
        with open(a.stdout, "wb") as so, open(a.stderr, "wb") as se:
            t0 = time.monotonic()
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=so,
                                    stderr=se, start_new_session=True)
            try:
                rc = wait_exact(proc, a.timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    rc = proc.wait(5)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    rc = proc.wait()
            wall = time.monotonic() - t0
    finally:
        # whatever happened (Ctrl-C, TERM, a bug here), nothing outlives us
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    rec.update(wall=wall, rc=rc, timed_out=timed_out)
    try:
        with open(tfile) as f:
            lines = f.read().strip().splitlines()
        # "Command exited with non-zero status N" may come first
        e, u, s, m = lines[-1].split()
        rec.update(user=float(u), sys=float(s), rss_kb=int(m))
    except (OSError, ValueError, IndexError):
        rec.update(user=None, sys=None, rss_kb=None)
    if a.results:
        rec.update(check_results(a.results, a.n))
        if not a.keep_results:
            try:
                os.unlink(a.results)
            except OSError:
                pass
    if a.wrk:
        with open(a.stdout, errors="replace") as f:
            out = f.read()
        m = re.search(r"Requests/sec:\s+([\d.]+)", out)
        rec["rps"] = float(m.group(1)) if m else None
        m = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
        if m:
            rec["requests"] = int(m.group(1))
        m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        rec["not_ok"] = int(m.group(1)) if m else 0
        m = re.search(r"Socket errors:.*", out)
        rec["socket_errors"] = m.group(0) if m else None
    elif a.n and wall > 0:
        rec["rps"] = a.n / wall
    if a.bare or a.aiohttp:
        who = "bare" if a.bare else "aiohttp"
        with open(a.stdout, errors="replace") as f:
            m = re.search(who + r": (\d+) ok, (\d+) failed", f.read())
        rec[who + "_ok"] = int(m.group(1)) if m else None
        rec[who + "_failed"] = int(m.group(2)) if m else None
    if a.crawl_log:
        rec.update(crawl_log_since(a.crawl_log, crawl_offset, a.n))
    if a.server_pid_file:
        # after the log is in: nginx has written its last lines by now
        c1 = proc_cpu(a.server_pid_file)
        rec["server_cpu"] = c1 - server_cpu0 \
            if c1 is not None and server_cpu0 is not None else None
    if a.access_log:
        rec.update(access_log_since(a.access_log, log_offset, a.n))
    if a.callgrind:
        rec["ir"] = callgrind_ir(a.callgrind)
    if a.timers:
        with open(a.stdout, errors="replace") as f:
            rec.update(timers_of(f.read()))
    if a.fixture:
        st = fixture_stats(a.fixture)
        tot = st.get("total", {})
        conns = st.get("connections", {})
        rec["server_requests"] = tot.get("requests")
        rec["server_max_in_flight"] = tot.get("max_in_flight")
        rec["server_accepted"] = conns.get("accepted")
    with open(a.stderr, errors="replace") as f:
        rec["stderr_tail"] = f.read()[-600:]
    with open(a.log, "a") as f:
        f.write(json.dumps(rec) + "\n")
    summary = f"  {a.section} {a.tool}"
    if a.n:
        summary += f" n={a.n}"
    summary += f" run {a.run}: wall {wall:.2f} s"
    if rec.get("rps"):
        summary += f", {rec['rps']:.0f} req/s"
    if rec.get("user") is not None:
        summary += f", cpu {rec['user'] + rec['sys']:.2f} s"
        summary += f", rss {rec['rss_kb'] / 1024:.1f} MiB"
    if rec.get("ir"):
        summary += f", Ir {rec['ir']:,}"
    if a.results:
        summary += f", records {rec['records']}/{a.n}"
        if rec["not_ok"]:
            summary += f", NOT OK {rec['not_ok']}"
    if a.bare:
        summary += f", {rec['bare_ok']} ok, {rec['bare_failed']} failed"
    if a.aiohttp:
        summary += (f", {rec['aiohttp_ok']} ok, {rec['aiohttp_failed']} "
                    "failed")
    if rec.get("server_cpu") is not None:
        summary += f", nginx cpu {rec['server_cpu']:.2f} s"
    if a.crawl_log:
        summary += (f", nginx: {rec['server_requests']} requests "
                    f"{rec['server_protocols']} over "
                    f"{rec['server_connections']} connections "
                    f"({rec['tls_full']} full handshakes, "
                    f"{rec['tls_resumed']} resumed; at most "
                    f"{rec['max_conns_per_host']} per host)")
    if a.access_log:
        summary += (f", nginx: {rec['server_requests']} requests "
                    f"{rec['server_protocols']} over "
                    f"{rec['server_connections']} connections")
    summary += f", exit {rc}" + (" TIMED OUT" if timed_out else "")
    print(summary, file=sys.stderr, flush=True)
    return 0


# ---- report ---------------------------------------------------------------

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec, width):
    if x is None:
        return "-".rjust(width)
    return format(x, spec).rjust(width)


def mib(kb):
    return None if kb is None else kb / 1024


def cpu(r):
    if r.get("user") is None:
        return None
    return r["user"] + r["sys"]


def problems_of(r, problems, expect_ok=True):
    where = f"{r['section']} {r['tool']} n={r['n']} run {r['run']}"
    if r.get("timed_out"):
        problems.append(f"{where}: timed out after {r['wall']:.0f} s")
    ok_rc = (0,) if expect_ok else (0, 1)
    if r["rc"] not in ok_rc:
        tail = r.get("stderr_tail", "").strip().splitlines()[-2:]
        how = f"exit status {r['rc']}" if r["rc"] >= 0 else \
            f"killed by signal {-r['rc']}"
        problems.append(f"{where}: {how}" +
                        (": " + " / ".join(tail) if tail else ""))
    if "records" in r:
        if r["missing"] or r["dupes"] or r["bad_index"] or r["bad_json"] \
                or r["records"] != r["n"]:
            problems.append(
                f"{where}: {r['records']} records for {r['n']} URLs "
                f"(missing {r['missing']}, duplicated {r['dupes']}, "
                f"bad index {r['bad_index']}, bad JSON {r['bad_json']})")
        if expect_ok and r["not_ok"]:
            problems.append(f"{where}: {r['not_ok']} records not ok: "
                            f"{r['kinds']}")
    if r["tool"] == "wrk" and (r.get("not_ok") or r.get("socket_errors")):
        problems.append(f"{where}: wrk saw non-2xx {r.get('not_ok')} "
                        f"{r.get('socket_errors') or ''}")
    if "bare_ok" in r and r["bare_ok"] != r["n"]:
        problems.append(f"{where}: bare says {r['bare_ok']} ok, "
                        f"{r['bare_failed']} failed, for {r['n']} URLs")
    if "aiohttp_ok" in r and r["aiohttp_ok"] != r["n"]:
        problems.append(f"{where}: aiohttp says {r['aiohttp_ok']} ok, "
                        f"{r['aiohttp_failed']} failed, for {r['n']} URLs")
    if "server_protocols" in r:
        want = r.get("want_proto", "HTTP/2.0")
        other = {k: v for k, v in r["server_protocols"].items()
                 if k != want}
        bad = {k: v for k, v in r["server_statuses"].items() if k != "200"}
        if r["server_requests"] != r["n"] or other or bad:
            problems.append(
                f"{where}: nginx logged {r['server_requests']} requests for "
                f"{r['n']} URLs, protocols {r['server_protocols']}, "
                f"statuses {r['server_statuses']} (want all {want}, 200)")
        most = int(r.get("max_conns") or 0)
        if most and r["server_connections"] > most:
            problems.append(
                f"{where}: nginx saw {r['server_connections']} connections "
                f"(want at most {most} for {want})")


def tool_row(tr):
    """Medians over the runs TR of one tool."""
    walls = [r["wall"] for r in tr]
    reqs = [r.get("requests") or r["n"] for r in tr]
    cpus = [cpu(r) for r in tr]
    per_req = med([c / q * 1e6 if c is not None and q else None
                   for c, q in zip(cpus, reqs)])
    return {"wall_s": med(walls), "wall_min": min(walls),
            "wall_max": max(walls), "rps": med([r.get("rps") for r in tr]),
            "user_s": med([r.get("user") for r in tr]),
            "sys_s": med([r.get("sys") for r in tr]),
            "cpu_s": med(cpus), "cpu_us_per_req": per_req,
            "rss_mib": mib(med([r.get("rss_kb") for r in tr])),
            "runs": len(tr)}


ROW_HEAD = (f"{'wall s':>8} {'min-max':>13} {'req/s':>8} {'user s':>7} "
            f"{'sys s':>7} {'cpu s':>7} {'cpu us/req':>10} "
            f"{'peak RSS MiB':>12}")


def row_cells(row):
    spread = f"{row['wall_min']:.2f}-{row['wall_max']:.2f}"
    return (f"{fmt(row['wall_s'], '.2f', 8)} {spread:>13} "
            f"{fmt(row['rps'], '.0f', 8)} {fmt(row['user_s'], '.2f', 7)} "
            f"{fmt(row['sys_s'], '.2f', 7)} {fmt(row['cpu_s'], '.2f', 7)} "
            f"{fmt(row['cpu_us_per_req'], '.1f', 10)} "
            f"{fmt(row['rss_mib'], '.1f', 12)}")


def round_ratios(rs, a, b, f):
    """f(a's run) / f(b's run) in each round where both ran: (median, min,
    max), or None."""
    by = {}
    for r in rs:
        by.setdefault(r["run"], {})[r["tool"]] = r
    xs = []
    for run in sorted(by):
        p = by[run]
        if a in p and b in p:
            x, y = f(p[a]), f(p[b])
            if x is not None and y:
                xs.append(x / y)
    return (med(xs), min(xs), max(xs)) if xs else None


def wall(r):
    return r["wall"]


def gave_up_notes(rs, out, label=lambda t: t):
    """bench/run runs a tool that timed out no more in later rounds."""
    rounds = max(r["run"] for r in rs)
    for t in sorted({r["tool"] for r in rs}):
        tr = [r for r in rs if r["tool"] == t]
        late = [r for r in tr if r.get("timed_out")]
        if late and len(tr) < rounds:
            out.append(f"  {label(t)} timed out after {late[0]['wall']:.0f} s "
                       f"in round {late[0]['run']} and was not run in later "
                       "rounds: its wall time and ratios are lower bounds")


def rss(r):
    return r.get("rss_kb")


# targets of issue 18: (text, met) pairs; listed after the problems, not
# counted as problems (a missed target is not a broken measurement)
TARGETS = []


def target(what, value, limit, below=True, fmtspec=".2f"):
    """Record whether VALUE is at most (below) or at least LIMIT."""
    if value is None:
        return
    met = value <= limit if below else value >= limit
    TARGETS.append((f"{what}: {format(value, fmtspec)} "
                    f"({'at most' if below else 'at least'} "
                    f"{format(limit, fmtspec)})", met))


def libcurl_of(rs, tool):
    return next((r.get("libcurl") for r in rs if r["tool"] == tool
                 and r.get("libcurl")), "")


# the libcurl clients of each version: tool names sluice, curl, bare plus
# "" (the system's libcurl) or "8" (libcurl 8 from scripts/curl8.sh)
LIBCURL_TOOLS = ("sluice", "curl", "bare")
VERSIONS = ("", "8")

THROUGHPUT_CURL_TARGET = 0.45


def report_throughput(rs, out, summary, problems):
    order = [t + v for v in VERSIONS for t in LIBCURL_TOOLS] + ["variant", "wrk"]
    tools = [t for t in order if any(r["tool"] == t for r in rs)]
    n = next((r["n"] for r in rs if r["tool"] != "wrk"), None)
    pairs = max(r["run"] for r in rs)
    out.append(f"== throughput: {n} URLs of ~1.4 KB static files from "
               f"nginx (1 worker), medians of {pairs} alternating rounds")
    out.append(f"{'tool':8} {'libcurl':8} {ROW_HEAD}")
    summary["throughput"] = {"urls": n, "rounds": pairs}
    for t in tools:
        tr = [r for r in rs if r["tool"] == t]
        for r in tr:
            problems_of(r, problems)
        row = tool_row(tr)
        row["libcurl"] = libcurl_of(rs, t)
        summary["throughput"][t] = row
        name = t.rstrip("8")
        label = {"wrk": "wrk*", "bare": "bare**",
                 "variant": "variant+"}.get(name, name)
        out.append(f"{label:8} {row['libcurl'] or '-':8} {row_cells(row)}")
    if "wrk" in tools:
        w = [r for r in rs if r["tool"] == "wrk"][0]
        out.append(f"  * wrk -t1 -c64 for {w.get('seconds', '?')} s on one "
                   "URL: the ceiling (its wall is the fixed duration)")
    gave_up_notes(rs, out)
    if "variant" in tools:
        v = [r for r in rs if r["tool"] == "variant"][0]
        out.append(f"  + variant: sluice as above with {v.get('args', '?')}")
        for key, f in (("wall", wall), ("cpu", cpu)):
            x = round_ratios(rs, "variant", "sluice", f)
            if x:
                summary["throughput"]["variant_" + key] = x
                out.append(f"variant/sluice {key}: {x[0]:.3f} (median of "
                           f"per-round ratios, range {x[1]:.3f}-{x[2]:.3f})")
    if "bare" in tools or "bare8" in tools:
        out.append("  ** bench-bare URLS 64: a bare libev + curl "
                   "multi_socket loop, 64 pooled easy handles, no records "
                   "(bench/bare.c)")
    # ratios, round by round (the tools ran next to each other), then median
    ratios = {}
    lines = []
    pairs_of = []
    for v in VERSIONS:
        lcv = libcurl_of(rs, "sluice" + v)
        for other, prefix in (("curl", "curl"), ("bare", "bare")):
            pairs_of.append(("sluice" + v, other + v, prefix + v,
                             f"sluice/{other} ({lcv})", "sluice faster"))
    lc, lc8 = libcurl_of(rs, "sluice"), libcurl_of(rs, "sluice8")
    for t in LIBCURL_TOOLS:
        pairs_of.append((t + "8", t, t + "8_" + t,
                         f"{t} {lc8}/{lc}", f"{lc8} faster"))
    for a, b, key, label, note in pairs_of:
        for what, f in (("wall", wall), ("cpu", cpu), ("rss", rss)):
            x = round_ratios(rs, a, b, f)
            if x:
                ratios[f"{key}_{what}"] = x
        r = ratios.get(f"{key}_wall")
        if r:
            lines.append(f"{label + ' wall time:':32} {r[0]:.2f} (median of "
                         f"per-round ratios, range {r[1]:.2f}-{r[2]:.2f}; "
                         f"below 1 = {note})")
        r = ratios.get(f"{key}_cpu")
        if r:
            lines.append(f"{label + ' CPU time:':32} {r[0]:.2f} (range "
                         f"{r[1]:.2f}-{r[2]:.2f})")
        r = ratios.get(f"{key}_rss")
        if r:
            lines.append(f"{label + ' peak RSS:':32} {r[0]:.2f}")
    out.extend(lines)
    x = round_ratios(rs, "sluice", "wrk", lambda r: r.get("rps"))
    if x:
        ratios["sluice_wrk_rps"] = x
        out.append(f"{'sluice/wrk req/s:':32} {x[0]:.2f} (share of the "
                   "ceiling)")
    for v in VERSIONS:
        lcv = libcurl_of(rs, "sluice" + v)
        r = ratios.get(f"bare{v}_wall")
        if r and r[0] >= 1:
            problems.append(f"throughput: sluice is not faster than bare on "
                            f"libcurl {lcv}: sluice/bare wall time "
                            f"{r[0]:.2f} (range {r[1]:.2f}-{r[2]:.2f}; the "
                            "target is below 1)")
        r = ratios.get(f"curl{v}_wall")
        if r:
            target(f"throughput, sluice/curl -Z wall on libcurl {lcv}", r[0],
                   THROUGHPUT_CURL_TARGET)
        r = ratios.get(f"bare{v}_wall")
        if r:
            target(f"throughput, sluice/bare wall on libcurl {lcv}", r[0],
                   1.0)
    summary["throughput"]["ratios"] = {k: v[0] for k, v in ratios.items()}
    summary["throughput"]["ratio_ranges"] = {k: [v[1], v[2]]
                                             for k, v in ratios.items()}


LIMITS_TARGET = 1.05


def report_limits(rs, out, summary, problems):
    cfgs = sorted({r["tool"] for r in rs})
    n = rs[0]["n"]
    rounds = max(r["run"] for r in rs)
    out.append(f"== limits: {n} URLs from nginx, sluice -j 64 with limits "
               f"that cannot bind, medians of {rounds} alternating rounds")
    conf = {}
    for c in cfgs:
        conf[c] = next(r.get("config", "?") for r in rs if r["tool"] == c)
        note = " (the baseline: only the global cap can bind)" \
            if c == "a" else ""
        out.append(f"  ({c}) sluice -j 64 {conf[c]}{note}")
    out.append(f"{'config':6} {'wall s':>8} {'min-max':>13} {'req/s':>8} "
               f"{'cpu s':>7} {'cpu us/req':>10} {'peak RSS MiB':>12} "
               f"{'wall/(a)':>8} {'range':>11} {'cpu/(a)':>7}")
    summary["limits"] = {"urls": n, "rounds": rounds, "target": LIMITS_TARGET}
    verdicts = []
    for c in cfgs:
        tr = [r for r in rs if r["tool"] == c]
        for r in tr:
            problems_of(r, problems)
        row = tool_row(tr)
        row["config"] = conf[c]
        w = round_ratios(rs, c, "a", wall)
        u = round_ratios(rs, c, "a", cpu)
        row["wall_ratio"] = w and w[0]
        row["wall_ratio_range"] = w and [w[1], w[2]]
        row["cpu_ratio"] = u and u[0]
        summary["limits"][c] = row
        spread = f"{row['wall_min']:.2f}-{row['wall_max']:.2f}"
        rng = f"{w[1]:.2f}-{w[2]:.2f}" if w and c != "a" else "-"
        out.append(f"({c})    {fmt(row['wall_s'], '.2f', 8)} {spread:>13} "
                   f"{fmt(row['rps'], '.0f', 8)} "
                   f"{fmt(row['cpu_s'], '.2f', 7)} "
                   f"{fmt(row['cpu_us_per_req'], '.1f', 10)} "
                   f"{fmt(row['rss_mib'], '.1f', 12)} "
                   f"{fmt(w and w[0], '.2f', 8)} {rng:>11} "
                   f"{fmt(u and u[0], '.2f', 7)}")
        if c == "a" or not w:
            continue
        ok = w[0] <= LIMITS_TARGET
        verdicts.append(f"({c}) {w[0]:.2f} {'ok' if ok else 'OVER'}")
        if not ok:
            problems.append(
                f"limits: ({c}) sluice -j 64 {conf[c]} takes {w[0]:.2f}x the "
                f"wall time of (a) {conf.get('a', '?')} (median of "
                f"per-round ratios, range {w[1]:.2f}-{w[2]:.2f}; the target "
                f"is at most {LIMITS_TARGET:.2f}x)")
    gave_up_notes(rs, out, lambda c: f"({c})")
    if verdicts:
        out.append(f"target: at most {LIMITS_TARGET:.2f}x (a)'s wall time "
                   f"(median of per-round ratios): " + ", ".join(verdicts))


H2_TOOLS = (("sluice-h2", "sluice", "h2"), ("curl-h2", "curl", "h2"),
            ("sluice-h1", "sluice", "http/1.1"),
            ("curl-h1", "curl", "http/1.1"))


def report_http2(rs, out, summary, problems, meta):
    tools = [t for t in H2_TOOLS if any(r["tool"] == t[0] for r in rs)]
    n = rs[0]["n"]
    rounds = max(r["run"] for r in rs)
    out.append(f"== http2: {n} URLs from nginx over TLS (second server), "
               f"HTTP/2 (ALPN h2) and HTTP/1.1 (--http1.1), -j 64 / "
               f"--parallel-max 64, medians of {rounds} alternating rounds")
    out.append(f"{'tool':7} {'proto':8} {ROW_HEAD} {'conns':>5}")
    summary["http2"] = {"urls": n, "rounds": rounds}
    logged = []
    for t, name, proto in tools:
        tr = [r for r in rs if r["tool"] == t]
        for r in tr:
            problems_of(r, problems)
        row = tool_row(tr)
        row["proto"] = proto
        conns = [r.get("server_connections") for r in tr]
        row["server_connections"] = med(conns)
        row["server_connections_per_run"] = conns
        summary["http2"][t] = row
        out.append(f"{name:7} {proto:8} {row_cells(row)} "
                   f"{fmt(row['server_connections'], '.0f', 5)}")
        protos, statuses = {}, {}
        for r in tr:
            for k, v in r.get("server_protocols", {}).items():
                protos[k] = protos.get(k, 0) + v
            for k, v in r.get("server_statuses", {}).items():
                statuses[k] = statuses.get(k, 0) + v
        reqs = sum(r.get("server_requests") or 0 for r in tr)
        row["server_protocols"] = protos
        row["server_statuses"] = statuses
        logged.append(
            f"    {name} {proto}: {reqs} requests in {len(tr)} runs ("
            + ", ".join(f"{v} {k}" for k, v in sorted(protos.items()))
            + "; status " + ", ".join(f"{v} x {k}" for k, v in
                                      sorted(statuses.items()))
            + "), connections per run: "
            + " ".join("-" if c is None else str(c) for c in conns))
    names = {t: f"{name} {proto}" for t, name, proto in H2_TOOLS}
    gave_up_notes(rs, out, lambda t: names.get(t, t))
    out.append("  conns: distinct connections in nginx's log of the run "
               "(median; want 1 over h2, at most 64 over HTTP/1.1); the "
               "log says:")
    out.extend(logged)
    ratios = {}
    for a, b, key, label, note in (
            ("sluice-h2", "curl-h2", "h2", "sluice/curl over h2",
             "sluice faster"),
            ("sluice-h1", "curl-h1", "h1", "sluice/curl over HTTP/1.1",
             "sluice faster"),
            ("sluice-h2", "sluice-h1", "sluice_h2_h1",
             "sluice h2/HTTP/1.1", "h2 faster")):
        for what, f in (("wall", wall), ("cpu", cpu), ("rss", rss)):
            x = round_ratios(rs, a, b, f)
            if x:
                ratios[f"{key}_{what}"] = x
        x = ratios.get(f"{key}_wall")
        if x:
            out.append(f"{label + ' wall time:':36} {x[0]:.2f} (median of "
                       f"per-round ratios, range {x[1]:.2f}-{x[2]:.2f}; "
                       f"below 1 = {note})")
        x = ratios.get(f"{key}_cpu")
        if x:
            out.append(f"{label + ' CPU time:':36} {x[0]:.2f} (range "
                       f"{x[1]:.2f}-{x[2]:.2f})")
        x = ratios.get(f"{key}_rss")
        if x:
            out.append(f"{label + ' peak RSS:':36} {x[0]:.2f}")
    summary["http2"]["ratios"] = {k: v[0] for k, v in ratios.items()}
    summary["http2"]["ratio_ranges"] = {k: [v[1], v[2]]
                                        for k, v in ratios.items()}


def report_memory(rs, out, summary, problems):
    sizes = sorted({r["n"] for r in rs})
    runs = max(r["run"] for r in rs)
    out.append(f"== memory: peak RSS of sluice -j 64 against nginx, "
               f"medians of {runs}")
    out.append(f"{'URLs':>9} {'peak RSS MiB':>12} {'x smallest':>10} "
               f"{'wall s':>8} {'req/s':>8} {'records':>9} {'not ok':>7}")
    base = None
    rows = {}
    for n in sizes:
        tr = [r for r in rs if r["n"] == n]
        for r in tr:
            problems_of(r, problems)
        rss = mib(med([r.get("rss_kb") for r in tr]))
        if base is None:
            base = rss
        ratio = rss / base if rss and base else None
        rows[n] = {"rss_mib": rss, "ratio": ratio,
                   "wall_s": med([r["wall"] for r in tr]),
                   "rps": med([r.get("rps") for r in tr]),
                   "records": min(r.get("records", 0) for r in tr),
                   "not_ok": max(r.get("not_ok", 0) for r in tr)}
        out.append(f"{n:>9} {fmt(rss, '.1f', 12)} {fmt(ratio, '.2f', 10)} "
                   f"{fmt(rows[n]['wall_s'], '.2f', 8)} "
                   f"{fmt(rows[n]['rps'], '.0f', 8)} "
                   f"{rows[n]['records']:>9} {rows[n]['not_ok']:>7}")
    lo, hi = sizes[0], sizes[-1]
    verdict = None
    if rows[lo]["rss_mib"] and rows[hi]["rss_mib"]:
        grow = (rows[hi]["rss_mib"] - rows[lo]["rss_mib"]) * 1048576
        per_url = grow / (hi - lo) if hi > lo else 0
        ratio = rows[hi]["ratio"]
        verdict = "flat" if ratio <= 1.25 else "GROWS"
        out.append(f"{verdict}: {hi} URLs take {ratio:.2f}x the peak RSS of "
                   f"{lo} ({per_url:+.1f} bytes per extra URL; flat means "
                   "at most 1.25x)")
        if verdict != "flat":
            problems.append(f"memory: peak RSS grows with the URL count "
                            f"({ratio:.2f}x from {lo} to {hi} URLs, "
                            f"{per_url:.1f} bytes per URL)")
    summary["memory"] = {"sizes": {str(k): v for k, v in rows.items()},
                         "verdict": verdict}


def report_concurrency(rs, out, summary, problems):
    summary["concurrency"] = {}
    for t in ("sluice", "sluice8"):
        tr = [r for r in rs if r["tool"] == t]
        if tr:
            concurrency_of(t, tr, out, summary, problems)


def concurrency_of(tool, rs, out, summary, problems):
    n = rs[0]["n"]
    delay = rs[0].get("delay_ms", "?")
    runs = len(rs)
    lcv = rs[0].get("libcurl") or ""
    for r in rs:
        problems_of(r, problems, expect_ok=False)
    row = {"wall_s": med([r["wall"] for r in rs]),
           "wall_min": min(r["wall"] for r in rs),
           "wall_max": max(r["wall"] for r in rs),
           "not_ok": med([r.get("not_ok") for r in rs]),
           "rss_mib": mib(med([r.get("rss_kb") for r in rs])),
           "cpu_s": med([cpu(r) for r in rs]),
           "server_max_in_flight": med([r.get("server_max_in_flight")
                                        for r in rs]),
           "server_accepted": med([r.get("server_accepted") for r in rs]),
           "libcurl": lcv}
    kinds = {}
    for r in rs:
        for k, v in r.get("kinds", {}).items():
            kinds[k] = kinds.get(k, 0) + v
    row["error_kinds"] = kinds
    summary["concurrency"][tool] = row
    on = f" on libcurl {lcv}" if lcv else ""
    out.append(f"== concurrency: {n} URLs of /delay/{delay} from "
               f"sluice-fixture, sluice -j {n}{on}, medians of {runs}")
    out.append(f"wall {row['wall_s']:.2f} s (range {row['wall_min']:.2f}-"
               f"{row['wall_max']:.2f}; the floor is {int(delay) / 1000:.1f} s"
               f" if all {n} run at once)")
    out.append(f"errors (records with ok=false): {row['not_ok']:.0f}"
               + (f"  (kinds over all {runs} runs: {kinds})" if kinds
                  else ""))
    out.append(f"peak RSS {fmt(row['rss_mib'], '.1f', 0)} MiB"
               f" ({row['rss_mib'] * 1024 / n:.1f} KiB per transfer in "
               f"flight), cpu {fmt(row['cpu_s'], '.2f', 0)} s")
    smf = row["server_max_in_flight"]
    out.append(f"the server saw at most {fmt(smf, '.0f', 0)} requests in "
               f"flight at once, over {fmt(row['server_accepted'], '.0f', 0)}"
               f" accepted connections")
    if row["not_ok"]:
        problems.append(f"concurrency{on}: {row['not_ok']:.0f} of {n} "
                        f"records not ok (median): {kinds}")
    if row["rss_mib"]:
        target(f"concurrency{on}, peak RSS scaled to 10 000 in flight (MiB, "
               f"measured at {n})", row["rss_mib"] * 10000 / n, 64.0,
               fmtspec=".1f")
    if smf is not None and smf < n:
        problems.append(f"concurrency{on}: the server saw only {smf:.0f} of "
                        f"{n} requests in flight at once")


def timers_of(text):
    """What bench-deadlines printed, one list per measure (a value per
    round)."""
    pats = {
        "late_median": r"timeout lateness .*?median ([\d.]+) ms",
        "late_worst": r"timeout lateness .*?worst ([\d.]+) ms",
        "cancel_outside": r"from outside the loop: ([\d.]+) ms for",
        "cancel_callback": r"from a callback: ([\d.]+) ms for",
        "closed_callback": r"from a callback: .*?sockets closed ([\d.]+) ms",
        "floor": r"floor: .*?: ([\d.]+) ms",
    }
    return {k: [float(x) for x in re.findall(p, text)]
            for k, p in pats.items()}


def report_timers(rs, out, summary, problems):
    summary["timers"] = {}
    for r in rs:
        problems_of(r, problems, expect_ok=False)
        if r.get("rc"):
            problems.append(f"timers {r['tool']}: exit status {r['rc']}")
    for r in rs:
        lcv = r.get("libcurl") or ""
        vals = {k: r.get(k) or [] for k in
                ("late_median", "late_worst", "cancel_outside",
                 "cancel_callback", "closed_callback", "floor")}
        n = len(vals["late_median"])
        if not n:
            problems.append(f"timers on libcurl {lcv}: no figures")
            continue
        row = {k: med(v) for k, v in vals.items() if v}
        row["worst_of_worst"] = max(vals["late_worst"])
        row["rounds"] = n
        summary["timers"][r["tool"]] = row
        out.append(f"== timers on libcurl {lcv} (bench-deadlines, medians "
                   f"of {n} rounds)")
        out.append(f"a running transfer's deadline fires late by "
                   f"{row['late_median']:.2f} ms at the median (100 /hang "
                   f"with distinct deadlines), worst {row['worst_of_worst']:.2f}"
                   f" ms over all rounds")
        out.append(f"cancelling 1000 running transfers: "
                   f"{row.get('cancel_callback', float('nan')):.2f} ms from a "
                   f"callback on the loop (sockets closed "
                   f"{row.get('closed_callback', float('nan')):.2f} ms after "
                   f"the first cancel), "
                   f"{row.get('cancel_outside', float('nan')):.2f} ms from "
                   f"outside the loop (each closed inside its cancel); "
                   f"1000 plain close() alone "
                   f"{row.get('floor', float('nan')):.2f} ms")
        target(f"timers on libcurl {lcv}, deadline lateness median (ms)",
               row["late_median"], 1.0)
        target(f"timers on libcurl {lcv}, deadline lateness worst (ms)",
               row["worst_of_worst"], 2.0)
        if "cancel_callback" in row:
            target(f"timers on libcurl {lcv}, cancelling 1000 running "
                   f"transfers from a callback (ms; their sockets close "
                   f"after it)", row["cancel_callback"], 5.0)


IR_TARGET = 60000


def report_callgrind(rs, out, summary, problems):
    for r in rs:
        problems_of(r, problems)
    out.append("== callgrind: instructions (Ir) of the whole process, "
               "valgrind --tool=callgrind, -j 64 against nginx")
    out.append(f"{'tool':8} {'libcurl':8} {'URLs':>7} {'Ir':>15} "
               f"{'Ir per URL':>11}")
    res = {}
    for t in [t + v for v in VERSIONS for t in LIBCURL_TOOLS]:
        tr = sorted((r for r in rs if r["tool"] == t), key=lambda r: r["n"])
        if not tr:
            continue
        res[t] = {}
        for r in tr:
            ir = r.get("ir")
            res[t][r["n"]] = ir
            out.append(f"{t.rstrip('8'):8} {r.get('libcurl') or '-':8} "
                       f"{r['n']:>7} {fmt(ir, ',d', 15)} "
                       f"{fmt(ir / r['n'] if ir else None, ',.0f', 11)}")
    summary["callgrind"] = {}
    for t, by in res.items():
        ns = sorted(n for n in by if by[n])
        if not ns:
            continue
        big = ns[-1]
        entry = {"urls": big, "ir": by[big], "ir_per_url": by[big] / big,
                 "libcurl": libcurl_of(rs, t)}
        if len(ns) >= 2:
            small = ns[0]
            entry["marginal_ir_per_url"] = \
                (by[big] - by[small]) / (big - small)
            entry["fixed_ir"] = by[small] - entry["marginal_ir_per_url"] * \
                small
        summary["callgrind"][t] = entry
    cgs = summary["callgrind"]

    def key_of(*ts):
        es = [cgs[t] for t in ts]
        return "marginal_ir_per_url" if all("marginal_ir_per_url" in e
                                            for e in es) else "ir_per_url"
    out.append(f"{'tool':8} {'libcurl':8} {'Ir per request':>14} "
               f"{'marginal':>9} {'start-up':>9}")
    for t in [t + v for v in VERSIONS for t in LIBCURL_TOOLS]:
        e = cgs.get(t)
        if not e:
            continue
        m = e.get("marginal_ir_per_url")
        fx = e.get("fixed_ir")
        out.append(f"{t.rstrip('8'):8} {e['libcurl'] or '-':8} "
                   f"{e['ir_per_url']:>14,.0f} {fmt(m, ',.0f', 9)} "
                   f"{fmt(fx / 1e6 if fx else None, '.1f', 8)}M")
    ratios = {}
    for v in VERSIONS:
        s = cgs.get("sluice" + v)
        if not s:
            continue
        for other in ("curl", "bare"):
            o = cgs.get(other + v)
            if o:
                k = key_of("sluice" + v, other + v)
                ratios[f"sluice/{other}{v}"] = s[k] / o[k]
                out.append(f"sluice/{other} ({s['libcurl']}): "
                           f"{s[k] / o[k]:.2f} ({k.replace('_', ' ')})")
        target(f"callgrind, sluice Ir per request (marginal) on libcurl "
               f"{s['libcurl']}", s.get("marginal_ir_per_url"), IR_TARGET,
               fmtspec=",.0f")
    for t in LIBCURL_TOOLS:
        a, b = cgs.get(t + "8"), cgs.get(t)
        if a and b:
            k = key_of(t + "8", t)
            ratios[f"{t}8/{t}"] = a[k] / b[k]
            out.append(f"{t} {a['libcurl']}/{b['libcurl']}: "
                       f"{a[k] / b[k]:.2f} ({a[k] - b[k]:+,.0f} Ir per "
                       f"request, {k.replace('_', ' ')})")
    cgs["ratios"] = ratios


CRAWL_ORDER = ("sluice-h1", "sluice-h2", "sluice-http", "curl-h1",
               "curl-h2", "sluice8-h1", "sluice8-h2", "sluice8-http",
               "curl8-h1", "curl8-h2", "aiohttp-gather", "aiohttp-pool")


def report_crawl(rs, out, summary, problems):
    tools = [t for t in CRAWL_ORDER if any(r["tool"] == t for r in rs)]
    tools += sorted({r["tool"] for r in rs} - set(tools))
    n = rs[0]["n"]
    rounds = max(r["run"] for r in rs)
    r0 = rs[0]
    out.append(f"== crawl: {n} URLs over {r0.get('hosts', '?')} host names "
               f"({r0.get('names', '?')} certificate), nginx (1 worker) "
               f"with TLS 1.3, per host 2, in all {r0.get('j', '?')} at "
               f"once (curl -Z: {r0.get('curl_j', '?')}, its maximum; no "
               f"per-host cap), medians of {rounds} alternating rounds")
    out.append(f"{'tool':14} {'libcurl':8} {'proto':5} {'wall s':>8} "
               f"{'min-max':>13} {'req/s':>7} {'cpu s':>7} "
               f"{'cpu us/req':>10} {'RSS MiB':>8} {'nginx s':>7} "
               f"{'conns':>6} {'full':>6} {'resumed':>7} {'/host':>5}")
    summary["crawl"] = {"urls": n, "rounds": rounds,
                        "hosts": r0.get("hosts"), "names": r0.get("names"),
                        "j": r0.get("j"), "curl_j": r0.get("curl_j")}
    for t in tools:
        tr = [r for r in rs if r["tool"] == t]
        for r in tr:
            problems_of(r, problems)
        row = tool_row(tr)
        for k in ("server_connections", "tls_full", "tls_resumed",
                  "max_conns_per_host", "resumable", "server_hosts",
                  "server_cpu"):
            row[k] = med([r.get(k) for r in tr])
        row["libcurl"] = tr[0].get("libcurl") or "-"
        row["proto"] = tr[0].get("proto", "?")
        summary["crawl"][t] = row
        name = t.split("-")[0].rstrip("8")
        if name == "aiohttp":
            name = t
        spread = f"{row['wall_min']:.2f}-{row['wall_max']:.2f}"
        out.append(f"{name:14} {row['libcurl']:8} {row['proto']:5} "
                   f"{fmt(row['wall_s'], '.2f', 8)} {spread:>13} "
                   f"{fmt(row['rps'], '.0f', 7)} "
                   f"{fmt(row['cpu_s'], '.2f', 7)} "
                   f"{fmt(row['cpu_us_per_req'], '.1f', 10)} "
                   f"{fmt(row['rss_mib'], '.1f', 8)} "
                   f"{fmt(row['server_cpu'], '.2f', 7)} "
                   f"{fmt(row['server_connections'], '.0f', 6)} "
                   f"{fmt(row['tls_full'], '.0f', 6)} "
                   f"{fmt(row['tls_resumed'], '.0f', 7)} "
                   f"{fmt(row['max_conns_per_host'], '.0f', 5)}")
    gave_up_notes(rs, out)
    out.append("  nginx s: nginx's CPU (user + sys) during the run, from "
               "/proc (one process: over wall s, the server's share of its "
               "core);")
    out.append("  conns: connections nginx saw (distinct $connection); "
               "full / resumed: their TLS handshakes ($ssl_session_reused); "
               "/host: most connections one host got; medians over the "
               "rounds; aiohttp speaks HTTP/1.1 only; http: sluice in "
               "cleartext on the same hosts, the reference for TLS's cost")
    ratios = {}
    lines = []

    def ratio(a, b, key, label, note, f=wall):
        x = round_ratios(rs, a, b, f)
        if x:
            ratios[key] = x
            lines.append(f"{label + ':':44} {x[0]:.2f} (range {x[1]:.2f}-"
                         f"{x[2]:.2f}; below 1 = {note})")
        return x
    # aiohttp's better style: the lower median wall time
    aio = [t for t in ("aiohttp-gather", "aiohttp-pool") if t in tools]
    best = min(aio, key=lambda t: summary["crawl"][t]["wall_s"]) \
        if aio else None

    def per_req_cpu(r):
        c = cpu(r)
        return c / r["n"] if c is not None and r["n"] else None
    for v in VERSIONS:
        sl = "sluice" + v
        lcv = next((summary["crawl"][t]["libcurl"] for t in tools
                    if t.startswith(sl + "-")), None)
        if not lcv:
            continue
        for p in ("h1", "h2"):
            x = ratio(f"{sl}-{p}", f"curl{v}-{p}", f"{sl}_curl_{p}",
                      f"sluice/curl -Z {p} wall ({lcv})", "sluice faster")
            if x:
                target(f"crawl, sluice/curl -Z wall over {p} on libcurl "
                       f"{lcv}", x[0], 0.25)
        x = ratio(f"{sl}-h2", f"{sl}-h1", f"{sl}_h2_h1",
                  f"sluice h2/HTTP/1.1 wall ({lcv})", "h2 faster")
        if x:
            target(f"crawl, sluice h2/HTTP/1.1 wall on libcurl {lcv}", x[0],
                   1.0)
        if best:
            x = ratio(f"{sl}-h1", best, f"{sl}_aiohttp",
                      f"sluice/{best} wall ({lcv})", "sluice faster")
            if x:
                target(f"crawl, sluice/{best} (the better style) wall on "
                       f"libcurl {lcv}", x[0], 0.1)
        for p in ("h1", "h2"):
            x = ratio(f"{sl}-{p}", f"{sl}-http", f"{sl}_tls_{p}_plain_cpu",
                      f"sluice {p} TLS/cleartext CPU per request ({lcv})",
                      "TLS cheaper", per_req_cpu)
            if x:
                target(f"crawl, sluice CPU per request over TLS ({p}) / "
                       f"cleartext on libcurl {lcv}", x[0], 2.0)
            row = summary["crawl"].get(f"{sl}-{p}")
            if row and row.get("resumable") is not None and \
                    row.get("tls_resumed") is not None:
                TARGETS.append((
                    f"crawl, sluice {p} on libcurl {lcv}: every connection "
                    f"after a host's first resumes: {row['tls_resumed']:.0f}"
                    f" of {row['resumable']:.0f} resumed",
                    row["tls_resumed"] >= row["resumable"]))
    for p in ("h1", "h2", "http"):
        ratio(f"sluice8-{p}", f"sluice-{p}", f"sluice8_sluice_{p}",
              f"sluice {p} libcurl 8/system wall", "libcurl 8 faster")
    for p in ("h1", "h2"):
        ratio(f"curl8-{p}", f"curl-{p}", f"curl8_curl_{p}",
              f"curl -Z {p} libcurl 8/system wall", "libcurl 8 faster")
    out.extend(lines)
    summary["crawl"]["aiohttp_best"] = best
    summary["crawl"]["ratios"] = {k: v[0] for k, v in ratios.items()}
    summary["crawl"]["ratio_ranges"] = {k: [v[1], v[2]]
                                        for k, v in ratios.items()}


def cmd_report(a):
    rs = []
    with open(a.log) as f:
        for line in f:
            if line.strip():
                rs.append(json.loads(line))
    out, problems = [], []
    summary = {}
    if a.meta:
        with open(a.meta) as f:
            summary["meta"] = json.load(f)
    meta = summary.get("meta", {})
    for section, fn in (("throughput", report_throughput),
                        ("limits", report_limits),
                        ("http2", lambda *x: report_http2(*x, meta)),
                        ("memory", report_memory),
                        ("concurrency", report_concurrency),
                        ("callgrind", report_callgrind),
                        ("timers", report_timers),
                        ("crawl", report_crawl)):
        sr = [r for r in rs if r["section"] == section]
        if sr:
            fn(sr, out, summary, problems)
            out.append("")
    for s in meta.get("skipped", []):
        out.append(f"== skipped: {s}")
    if meta.get("skipped"):
        out.append("")
    out.append("== problems: " + ("none" if not problems else
                                  str(len(problems))))
    out.extend("  " + p for p in problems)
    summary["problems"] = problems
    if TARGETS:
        missed = sum(1 for _, met in TARGETS if not met)
        out.append("")
        out.append(f"== targets (issue 18): {len(TARGETS) - missed} of "
                   f"{len(TARGETS)} met")
        out.extend(f"  {'ok    ' if met else 'MISSED'} {t}"
                   for t, met in TARGETS)
        summary["targets"] = [{"target": t, "met": met}
                              for t, met in TARGETS]
    print("\n".join(out))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"summary": summary, "runs": rs}, f, indent=1)
    return 1 if problems else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("urls")
    u.add_argument("out")
    u.add_argument("count", type=int)
    u.add_argument("template")
    u.add_argument("--curl")
    m = sub.add_parser("measure")
    m.add_argument("--log", required=True)
    m.add_argument("--section", required=True)
    m.add_argument("--tool", required=True)
    m.add_argument("--run", type=int, default=1)
    m.add_argument("--n", type=int, default=0, help="URLs in this run")
    m.add_argument("--timeout", type=float, default=600)
    m.add_argument("--stdout", required=True)
    m.add_argument("--stderr", required=True)
    m.add_argument("--results")
    m.add_argument("--keep-results", action="store_true")
    m.add_argument("--wrk", action="store_true")
    m.add_argument("--callgrind")
    m.add_argument("--fixture")
    m.add_argument("--bare", action="store_true")
    m.add_argument("--access-log")
    m.add_argument("--crawl-log")
    m.add_argument("--server-pid-file")
    m.add_argument("--aiohttp", action="store_true")
    m.add_argument("--timers", action="store_true",
                   help="the command is bench-deadlines: read its lines")
    m.add_argument("--tag", action="append")
    m.add_argument("argv", nargs=argparse.REMAINDER)
    r = sub.add_parser("report")
    r.add_argument("log")
    r.add_argument("--json")
    r.add_argument("--meta")
    a = p.parse_args()
    if a.cmd == "urls":
        return cmd_urls(a)
    if a.cmd == "measure":
        if a.argv and a.argv[0] == "--":
            a.argv = a.argv[1:]
        if not a.argv:
            p.error("measure: no command")
        return cmd_measure(a)
    return cmd_report(a)


if __name__ == "__main__":
    sys.exit(main())
