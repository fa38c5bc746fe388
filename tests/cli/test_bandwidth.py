#!/usr/bin/env python3
"""test_bandwidth.py - the sluice command's bandwidth caps over ten
seconds, measured at sluice-fixture: --limit-rate (all transfers
together) and --host-limit-rate (each host on its own) hold within 5 %.

Usage: test_bandwidth.py SLUICE FIXTURE [unittest arguments]

Two runs at once, each ended by --deadline 10s: one with --limit-rate 1M
on a.test, one with --host-limit-rate 512k over b.test and c.test.  The
fixture keeps every request's arrival time per host; each host's
requests go over --per-host kept-alive connections, and a connection's
next request arrives once the body before it was taken in whole, so
between two arrivals of a host as many bodies were taken as requests
arrived in between (give or take the bodies in flight at either end:
--per-host of them, 1.25 % of ten seconds' worth here).

It takes ten seconds, so it runs in the normal build only: the
sanitized build skips it (the pause and unpause paths run under the
sanitizers in tests/integration/test_limits.c, in three seconds).
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli as cli  # noqa: E402
from test_cli import Base, control, url, write_list  # noqa: E402

SIZE = 32768  # bytes per body: two of libcurl's 16 KiB pieces
PER_HOST = 4
SECONDS = 10


def setUpModule():
    cli.setUpModule()


def tearDownModule():
    cli.tearDownModule()


def measured_rate(host):
    """Bytes per second host took, from the fixture's arrival times: the
    bodies taken between the first arrival after the opening ones (one
    per connection, all at once) and the last."""
    stats = control("/_stats?arrivals=1")["hosts"]["%s:%d" % (host, cli.PORT)]
    a = sorted(stats["arrivals"])
    first, last = PER_HOST, len(a) - 1
    return (last - first) * SIZE / (a[last] - a[first]), len(a)


class TestBandwidth(Base):
    def setUp(self):
        if cli.is_sanitized():
            self.skipTest("ten seconds: the normal build runs it")

    def start(self, args, hosts):
        urls = ["http://%s:%d/bytes/%d?%d" % (h, cli.PORT, SIZE, i)
                for i in range(600) for h in hosts]
        return subprocess.Popen(
            [cli.SLUICE, "-j", "16", "--per-host", str(PER_HOST),
             "--deadline", "%ds" % SECONDS, "-s", "-i", write_list(urls),
             "--results", os.devnull] + cli.dns_server() + args,
            stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def test_caps_over_ten_seconds(self):
        control("/_stats/reset")
        total = self.start(["--limit-rate", "1M"], ["a.test"])
        each = self.start(["--host-limit-rate", "512k"],
                          ["b.test", "c.test"])
        for p in (total, each):
            _, err = p.communicate(timeout=SECONDS + 20)
            self.assertEqual(p.returncode, 1, err)  # the deadline's cancels
        for host, want in (("a.test", 1 << 20), ("b.test", 512 << 10),
                           ("c.test", 512 << 10)):
            rate, n = measured_rate(host)
            sys.stderr.write("\n  [%s: %d requests, %.0f bytes/s for a cap "
                             "of %d: %+.2f %%] " % (host, n, rate, want,
                                                    (rate / want - 1) * 100))
            self.assertLess(abs(rate / want - 1), 0.05, (host, rate, want))
            self.assertGreater(n * SIZE, want * (SECONDS - 1))


if __name__ == "__main__":
    sys.exit(cli.main(__doc__))
