#!/usr/bin/env python3
"""test_nginx.py - sluice against a real nginx (Debian's nginx-light),
started here on a free loopback port with its own config and prefix:
every URL gets exactly one record, statuses and byte counts match the
files on disk, and the connections are kept alive (nginx's own stub
counters are not in nginx-light, so reuse is checked through the access
log's connection serial numbers).

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
  log_format conn '$connection $status $body_bytes_sent $request_uri';
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
        for attempt in range(5):
            self.port = free_port()
            with open(f"{self.prefix}/nginx.conf", "w") as f:
                f.write(CONF.format(prefix=self.prefix, port=self.port))
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

    def stop(self):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)


class TestAgainstNginx(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.nginx = Nginx()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

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
        with open(f"{self.nginx.prefix}/access.log") as f:
            conns = {line.split()[0] for line in f}
        self.assertLessEqual(len(conns), 16 * 2)
        print(f"nginx: {n} URLs in {took:.2f} s over {len(conns)} "
              f"connections", file=sys.stderr)


if __name__ == "__main__":
    SLUICE = sys.argv.pop(1)
    unittest.main(verbosity=2)
