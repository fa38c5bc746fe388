#!/usr/bin/env python3
"""test_nginx.py - sluice against a real nginx (Debian's nginx-light),
started here on a free loopback port with its own config and prefix:
every URL gets exactly one record, statuses and byte counts match the
files on disk, and the connections are kept alive (nginx's own stub
counters are not in nginx-light, so reuse is checked through the access
log's connection serial numbers).  A second server speaks TLS (a
self-signed certificate made here with openssl) with HTTP/2 offered:
--cacert, HTTP/2 multiplexing over one connection, --http1.1, and the
proxy environment variables (nginx answers absolute-form requests, so it
stands in for a proxy).

usage: test_nginx.py SLUICE_BINARY
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

SLUICE = None
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONF = """
worker_processes 1;
master_process off;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  log_format conn '$connection $status $body_bytes_sent $request_uri '
                  '$server_protocol $server_port "$request" '
                  'ua=$http_user_agent';
  access_log {prefix}/access.log conn;
  keepalive_requests 100000;
  client_body_temp_path {prefix}/tmp;
  proxy_temp_path {prefix}/tmp;
  fastcgi_temp_path {prefix}/tmp;
  uwsgi_temp_path {prefix}/tmp;
  scgi_temp_path {prefix}/tmp;
  server {{
    listen 127.0.0.1:{port};
    root {prefix}/html;
  }}
  server {{
    listen 127.0.0.1:{tls_port} ssl http2;
    ssl_certificate {prefix}/cert.pem;
    ssl_certificate_key {prefix}/key.pem;
    root {prefix}/html;
  }}
}}
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Nginx:
    def __init__(self):
        self.prefix = tempfile.mkdtemp(prefix="sluice-nginx-")
        os.makedirs(f"{self.prefix}/html")
        os.makedirs(f"{self.prefix}/tmp")
        self.sizes = {}
        for i in range(50):
            size = 100 * i + 7
            with open(f"{self.prefix}/html/f{i}.bin", "wb") as f:
                f.write(os.urandom(size))
            self.sizes[f"/f{i}.bin"] = size
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
             "-keyout", f"{self.prefix}/key.pem",
             "-out", f"{self.prefix}/cert.pem", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True, timeout=30)
        self.cert = f"{self.prefix}/cert.pem"
        for attempt in range(5):
            self.port = free_port()
            self.tls_port = free_port()
            with open(f"{self.prefix}/nginx.conf", "w") as f:
                f.write(CONF.format(prefix=self.prefix, port=self.port,
                                    tls_port=self.tls_port))
            self.proc = subprocess.Popen(
                [NGINX, "-p", self.prefix, "-c", f"{self.prefix}/nginx.conf",
                 "-e", f"{self.prefix}/error.log"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self.wait_ready():
                return
            self.proc.kill()
            self.proc.wait()
        raise RuntimeError("nginx did not start: " +
                           open(f"{self.prefix}/error.log").read())

    def wait_ready(self):
        for _ in range(100):
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def log(self, port):
        """The access log lines of one server, split."""
        with open(f"{self.prefix}/access.log") as f:
            return [l.split() for l in f if l.split()[5] == str(port)]

    def reset_log(self):
        open(f"{self.prefix}/access.log", "w").close()
        os.kill(self.proc.pid, signal.SIGUSR1)  # reopen
        time.sleep(0.1)

    def stop(self):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)


class NginxCase(unittest.TestCase):
    """One nginx for the tests of a class."""
    @classmethod
    def setUpClass(cls):
        cls.nginx = Nginx()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()


class TestAgainstNginx(NginxCase):

    def test_bulk_fetch(self):
        n = 2000
        base = f"http://127.0.0.1:{self.nginx.port}"
        paths = [f"/f{i % 50}.bin" if i % 100 else "/missing"
                 for i in range(n)]
        urls = "".join(f"{base}{p}?i={i}\n" for i, p in enumerate(paths))
        t0 = time.monotonic()
        proc = subprocess.run([SLUICE, "-j", "16", "--per-host", "16"],
                              input=urls.encode(), capture_output=True,
                              timeout=60)
        took = time.monotonic() - t0
        self.assertEqual(proc.returncode, 1, proc.stderr)  # the 404s
        records = [json.loads(l) for l in proc.stdout.splitlines()]
        self.assertEqual(sorted(r["index"] for r in records), list(range(n)))
        for r in records:
            p = paths[r["index"]]
            if p == "/missing":
                self.assertEqual(r["status"], 404)
                self.assertFalse(r["ok"])
            else:
                self.assertEqual(r["status"], 200, r)
                self.assertTrue(r["ok"])
                self.assertEqual(r["bytes"], self.nginx.sizes[p])
                self.assertIsNone(r["error"])
        # keep-alive, from nginx's side: 2000 requests over a few
        # connections, never more than the 16 we allowed at once
        conns = {l[0] for l in self.nginx.log(self.nginx.port)}
        self.assertLessEqual(len(conns), 16 * 2)
        print(f"nginx: {n} URLs in {took:.2f} s over {len(conns)} "
              f"connections", file=sys.stderr)


def run(args, env=None, input_=None):
    """sluice with args and no proxy variables but those in env."""
    e = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    e.update(env or {})
    proc = subprocess.run([SLUICE] + args, input=input_, capture_output=True,
                          timeout=60, env=e)
    return proc, [json.loads(l) for l in proc.stdout.splitlines()]


class TestTLS(NginxCase):

    def setUp(self):
        self.nginx.reset_log()

    def urls(self, n):
        base = f"https://127.0.0.1:{self.nginx.tls_port}"
        return "".join(f"{base}/f{i % 50}.bin?i={i}\n" for i in range(n))

    def test_http2_multiplexed_over_one_connection(self):
        n = 300
        proc, recs = run(["-j", "16", "--per-host", "16", "--cacert",
                          self.nginx.cert], input_=self.urls(n).encode())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(sorted(r["index"] for r in recs), list(range(n)))
        for r in recs:
            self.assertEqual(r["status"], 200, r)
            self.assertEqual(r["bytes"], self.nginx.sizes[
                f"/f{r['index'] % 50}.bin"])
        log = self.nginx.log(self.nginx.tls_port)
        self.assertEqual(len(log), n)
        self.assertEqual({l[4] for l in log}, {"HTTP/2.0"})
        # the first transfers waited for the first connection (PIPEWAIT)
        self.assertEqual(len({l[0] for l in log}), 1)

    def test_http11_forced(self):
        n = 200
        proc, recs = run(["-j", "8", "--per-host", "8", "--http1.1",
                          "--cacert", self.nginx.cert],
                         input_=self.urls(n).encode())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(recs), n)
        log = self.nginx.log(self.nginx.tls_port)
        self.assertEqual({l[4] for l in log}, {"HTTP/1.1"})
        self.assertLessEqual(len({l[0] for l in log}), 8 * 2)

    def test_untrusted_certificate_is_a_tls_error(self):
        proc, recs = run(["-j", "4"], input_=self.urls(5).encode())
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(len(recs), 5)
        for r in recs:
            self.assertEqual(r["error"]["kind"], "tls", r)
        self.assertEqual(self.nginx.log(self.nginx.tls_port), [])

    def test_unreadable_cacert_is_a_usage_error(self):
        proc, recs = run(["--cacert", f"{self.nginx.prefix}/nope.pem",
                          "http://127.0.0.1:1/"])
        self.assertEqual(proc.returncode, 2)
        self.assertIn(b"--cacert", proc.stderr)
        self.assertEqual(recs, [])

    def test_user_agent_header(self):
        url = f"http://127.0.0.1:{self.nginx.port}/f1.bin"
        version = subprocess.run([SLUICE, "--version"], capture_output=True,
                                 text=True).stdout.split()[1]
        for args, want in (([], f"ua=sluice/{version}"),
                           (["--user-agent", "tester/1.0"], "ua=tester/1.0"),
                           (["--user-agent", ""], "ua=-")):  # none sent
            self.nginx.reset_log()
            proc, recs = run(args + [url])
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(self.nginx.log(self.nginx.port)[0][-1], want)

    def test_proxy_environment_is_honoured(self):
        # nginx serves absolute-form requests: as http_proxy it stands in
        # for a proxy, for a name that does not resolve
        url = "http://no-such-host.invalid/f3.bin"
        proxy = f"http://127.0.0.1:{self.nginx.port}"
        for var in ("http_proxy", "all_proxy", "ALL_PROXY"):
            self.nginx.reset_log()
            proc, recs = run([url], env={var: proxy})
            self.assertEqual(proc.returncode, 0, (var, proc.stderr))
            self.assertEqual(recs[0]["bytes"], self.nginx.sizes["/f3.bin"])
            log = self.nginx.log(self.nginx.port)
            self.assertEqual(len(log), 1)
            self.assertIn(url, " ".join(log[0]))
        # a proxy by name, and a fixed answer for the target: curl
        # resolves the proxy's name itself (sluice's guard stays off)
        self.nginx.reset_log()
        proc, recs = run(["--resolve", "no-such-host.invalid:80:127.0.0.1",
                          url],
                         env={"http_proxy":
                              f"http://localhost:{self.nginx.port}"})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(self.nginx.log(self.nginx.port)), 1)
        # no_proxy wins, and without a variable there is no proxy
        for env in ({"http_proxy": proxy, "no_proxy": "no-such-host.invalid"},
                    {"http_proxy": proxy, "NO_PROXY": ".invalid"}, {},
                    {"HTTP_PROXY": proxy}):  # ignored, as in curl
            proc, recs = run([url], env=env)
            self.assertEqual(proc.returncode, 1, env)
            self.assertEqual(recs[0]["error"]["kind"], "dns", (env, recs))


if __name__ == "__main__":
    SLUICE = sys.argv.pop(1)
    unittest.main(verbosity=2)
