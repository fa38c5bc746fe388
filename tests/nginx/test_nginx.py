#!/usr/bin/env python3
"""test_nginx.py - sluice against a real nginx (Debian's nginx-light),
started here on free loopback ports with its own config and prefix:
every URL gets exactly one record, statuses and byte counts match the
files on disk, and the connections are kept alive (nginx's own stub
counters are not in nginx-light, so reuse is checked through the access
log's connection serial numbers).  A second server speaks TLS (a
certificate signed by a certificate authority made here with openssl)
with HTTP/2 offered: --cacert, -k, HTTP/2 multiplexing over one
connection, --http1.1, and proxies (-x and the environment variables;
nginx answers absolute-form requests, so it stands in for a proxy).

What sluice sends is read back from nginx: /echo (the echo module, a
dependency of nginx-light) answers with the request line, the headers as
they came and the body, for -X, -H, -d, --data-binary, -A, -e and
--compressed.  Redirects come from `return 30x $arg_url`, to other
ports and other host names (--resolve) for the credentials that must not
follow, and to schemes that must not be followed; gzip_static serves
gzip bodies (and a decompression bomb), a location with its own
Content-Encoding a deflate one.

usage: test_nginx.py SLUICE_BINARY
"""
import gzip
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
import zlib

SLUICE = None
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so"

CONF = """
{load_echo}
worker_processes 1;
master_process off;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  log_format conn '$connection $status $body_bytes_sent $request_uri '
                  '$server_protocol $server_port $ssl_session_reused '
                  '"$request" ua=$http_user_agent';
  access_log {prefix}/access.log conn;
  keepalive_requests 100000;
  client_body_temp_path {prefix}/tmp;
  proxy_temp_path {prefix}/tmp;
  fastcgi_temp_path {prefix}/tmp;
  uwsgi_temp_path {prefix}/tmp;
  scgi_temp_path {prefix}/tmp;
  client_body_buffer_size 8m;
  client_max_body_size 16m;
  server {{
    listen 127.0.0.1:{port};
    listen 127.0.0.1:{port2};
    root {prefix}/html;
    {echo}
    location = /r301 {{ return 301 $arg_url; }}
    location = /r302 {{ return 302 $arg_url; }}
    location = /r303 {{ return 303 $arg_url; }}
    location = /r307 {{ return 307 $arg_url; }}
    location = /r308 {{ return 308 $arg_url; }}
    location /gz/ {{ gzip_static on; }}
    location /bomb/ {{ gzip_static always; }}
    location = /deflate.z {{ add_header Content-Encoding deflate; }}
  }}
  server {{
    listen 127.0.0.1:{tls_port} ssl http2;
    ssl_certificate {prefix}/cert.pem;
    ssl_certificate_key {prefix}/key.pem;
    ssl_session_cache shared:tls:1m;
    root {prefix}/html;
    {slow}
  }}
}}
"""

# a response that takes 100 ms, so that transfers run side by side
SLOW = """location = /slow { echo_sleep 0.1; echo slow; }"""

ECHO = """location = /echo {
      echo_read_request_body;
      echo -n $echo_client_request_headers;
      echo_request_body;
    }"""

# The bodies nginx serves coded.
PLAIN = b"sluice " * 3000
BOMB_SIZE = 40 << 20


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True,
                   capture_output=True, timeout=30)


def make_ca(prefix):
    """A certificate authority made now, and nginx's certificate signed
    by it for 127.0.0.1 and localhost: --cacert takes ca.pem."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-days", "2", "-keyout",
            f"{prefix}/ca.key", "-out", f"{prefix}/ca.pem", "-subj",
            "/CN=sluice test CA", "-addext",
            "basicConstraints=critical,CA:TRUE", "-addext",
            "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", *ec, "-keyout", f"{prefix}/key.pem", "-out",
            f"{prefix}/req.pem", "-subj", "/CN=127.0.0.1")
    with open(f"{prefix}/ext.cnf", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "basicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", f"{prefix}/req.pem", "-CA",
            f"{prefix}/ca.pem", "-CAkey", f"{prefix}/ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", f"{prefix}/ext.cnf",
            "-out", f"{prefix}/cert.pem")


def make_files(prefix):
    """The static files: sized ones, and coded ones."""
    sizes = {}
    for i in range(50):
        size = 100 * i + 7
        with open(f"{prefix}/html/f{i}.bin", "wb") as f:
            f.write(os.urandom(size))
        sizes[f"/f{i}.bin"] = size
    os.makedirs(f"{prefix}/html/gz")
    os.makedirs(f"{prefix}/html/bomb")
    with open(f"{prefix}/html/gz/page.txt", "wb") as f:
        f.write(PLAIN)
    with open(f"{prefix}/html/gz/page.txt.gz", "wb") as f:
        f.write(gzip.compress(PLAIN))
    with open(f"{prefix}/html/deflate.z", "wb") as f:
        f.write(zlib.compress(PLAIN))
    with open(f"{prefix}/html/bomb/zero.bin.gz", "wb") as f:
        f.write(gzip.compress(bytes(BOMB_SIZE), 9))
    return sizes


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
        self.sizes = make_files(self.prefix)
        make_ca(self.prefix)
        self.cert = f"{self.prefix}/ca.pem"
        self.echo = os.path.exists(ECHO_MODULE)
        for attempt in range(5):
            self.port = free_port()
            self.port2 = free_port()
            self.tls_port = free_port()
            with open(f"{self.prefix}/nginx.conf", "w") as f:
                f.write(CONF.format(
                    prefix=self.prefix, port=self.port, port2=self.port2,
                    tls_port=self.tls_port,
                    load_echo=(f"load_module {ECHO_MODULE};"
                               if self.echo else ""),
                    echo=ECHO if self.echo else "",
                    slow=SLOW if self.echo else ""))
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

    def log(self, port, wait_for=0):
        """The access log lines of one server, split; with wait_for,
        after waiting (up to 5 s) for that many."""
        for _ in range(100):
            with open(f"{self.prefix}/access.log") as f:
                lines = [l.split() for l in f if l.split()[5] == str(port)]
            if len(lines) >= wait_for:
                break
            time.sleep(0.05)
        return lines

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

    def test_tls_sessions_resumed(self):
        # over HTTP/1.1 every connection after the host's first resumes its
        # TLS session: the others waited for the first one's response
        # (fetcher/origin.c's gate) and the origin's sessions are shared
        # between easy handles (a curl share handle per origin); /slow
        # keeps the 8 transfers on 8 connections
        if not self.nginx.echo:
            self.skipTest(f"{ECHO_MODULE} is missing")
        url = f"https://127.0.0.1:{self.nginx.tls_port}/slow"
        proc, recs = run(["-j", "8", "--per-host", "8", "--http1.1",
                          "--cacert", self.nginx.cert],
                         input_=((url + "\n") * 24).encode())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(recs), 24)
        reused = {}
        for l in self.nginx.log(self.nginx.tls_port):
            reused.setdefault(l[0], l[6])  # "r" or "."
        self.assertEqual(len(reused), 8)
        self.assertEqual(sorted(reused.values()),
                         ["."] + ["r"] * (len(reused) - 1))

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
            self.assertEqual(self.nginx.log(self.nginx.port, 1)[0][-1], want)

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


    def test_insecure_and_tls_fields(self):
        url = f"https://127.0.0.1:{self.nginx.tls_port}/f2.bin"
        for args in (["-k"], ["--insecure"], ["--cacert", self.nginx.cert]):
            proc, recs = run(args + [url])
            self.assertEqual(proc.returncode, 0, (args, proc.stderr))
            rec = recs[0]
            self.assertEqual(rec["http_version"], "2", rec)
            self.assertEqual(rec["ip"], "127.0.0.1")
            self.assertGreater(rec["timing"]["tls"], 0, rec)
            self.assertGreaterEqual(rec["timing"]["tls"],
                                    rec["timing"]["connect"])
            self.assertLessEqual(rec["timing"]["tls"], rec["timing"]["ttfb"])

    def test_proxy_option(self):
        url = "http://no-such-host.invalid/f3.bin"
        proxy = f"http://127.0.0.1:{self.nginx.port}"
        for args in (["-x", proxy],
                     ["--proxy", f"127.0.0.1:{self.nginx.port}"]):
            self.nginx.reset_log()
            proc, recs = run(args + [url])
            self.assertEqual(proc.returncode, 0, (args, proc.stderr))
            self.assertEqual(recs[0]["bytes"], self.nginx.sizes["/f3.bin"])
            self.assertIn(url, " ".join(self.nginx.log(self.nginx.port,
                                                       1)[0]))
        # "" is no proxy, whatever the environment says
        proc, recs = run(["-x", "", url], env={"http_proxy": proxy})
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(recs[0]["error"]["kind"], "dns", recs)


def fetch_saved(args, urls, env=None):
    """sluice with the bodies saved; returns (proc, records by index,
    bodies by index)."""
    d = tempfile.mkdtemp(prefix="sluice-nginx-out-")
    try:
        proc, recs = run(["--output-dir", d, "--output-template", "{index}"]
                         + args + urls, env=env)
        bodies = {}
        for r in recs:
            if r["file"]:
                with open(os.path.join(d, r["file"]), "rb") as f:
                    bodies[r["index"]] = f.read()
        return proc, {r["index"]: r for r in recs}, bodies
    finally:
        shutil.rmtree(d, ignore_errors=True)


def echoed(body):
    """The request nginx's /echo saw: (request line, [header lines],
    body)."""
    head, _, rest = body.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    return lines[0], lines[1:], rest


class EchoCase(NginxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.nginx.echo:
            cls.nginx.stop()
            raise unittest.SkipTest(f"{ECHO_MODULE} is missing "
                                    "(libnginx-mod-http-echo)")

    def url(self, path, port=None):
        return f"http://127.0.0.1:{port or self.nginx.port}{path}"

    def echo(self, args, path="/echo", url=None):
        """The request sluice sent, as /echo saw it."""
        proc, recs, bodies = fetch_saved(args, [url or self.url(path)])
        self.assertEqual(proc.returncode, 0, (args, proc.stderr, recs))
        return echoed(bodies[0])

    def names(self, headers):
        return [h.split(":")[0].lower() for h in headers]


class TestWhatIsSent(EchoCase):
    def test_method_headers_and_body(self):
        line, headers, body = self.echo([
            "-X", "PUT", "-d", "a=1", "-H", "X-A: 1", "-H", "x-a: 2", "-H",
            "Accept:", "-H", "X-Empty;", "-A", "ua/1", "-e", "http://from/"])
        self.assertEqual(line, "PUT /echo HTTP/1.1")
        for h in ("X-A: 1", "x-a: 2", "X-Empty:", "User-Agent: ua/1",
                  "Referer: http://from/",
                  "Content-Type: application/x-www-form-urlencoded",
                  "Content-Length: 3"):
            self.assertIn(h, headers)
        self.assertNotIn("accept", self.names(headers))
        self.assertEqual(body, b"a=1")

    def test_default_headers(self):
        version = subprocess.run([SLUICE, "--version"], capture_output=True,
                                 text=True).stdout.split()[1]
        line, headers, body = self.echo([])
        self.assertEqual(line, "GET /echo HTTP/1.1")
        self.assertIn(f"User-Agent: sluice/{version}", headers)
        self.assertNotIn("accept-encoding", self.names(headers))
        self.assertNotIn("referer", self.names(headers))
        self.assertEqual(body, b"")

    def test_header_lines_replace_a_and_e(self):
        line, headers, body = self.echo(["-A", "a/1", "-H", "User-Agent: h",
                                         "-e", "x", "-H", "referer: z"])
        self.assertEqual([h for h in headers if h.lower().startswith(
            ("user-agent", "referer"))], ["User-Agent: h", "referer: z"])
        line, headers, body = self.echo(["-A", ""])
        self.assertNotIn("user-agent", self.names(headers))
        line, headers, body = self.echo(["-H", "User-Agent:"])
        self.assertNotIn("user-agent", self.names(headers))

    def test_data_forms(self):
        d = tempfile.mkdtemp(prefix="sluice-nginx-data-")
        try:
            form = os.path.join(d, "form")
            with open(form, "wb") as f:
                f.write(b"x=1\r\ny=2\n")
            big = os.path.join(d, "big")
            data = os.urandom(3 << 20)
            with open(big, "wb") as f:
                f.write(data)
            line, headers, body = self.echo(["-d", "a=1", "-d", "b=2", "-d",
                                             "@" + form])
            self.assertEqual(line, "POST /echo HTTP/1.1")
            self.assertEqual(body, b"a=1&b=2&x=1y=2")
            line, headers, body = self.echo(["--data-binary", "@" + form,
                                             "-d", "c"])
            self.assertEqual(body, b"x=1\r\ny=2\n&c")
            # one --data-binary @FILE is streamed from the file
            line, headers, body = self.echo(["--data-binary", "@" + big])
            self.assertIn(f"Content-Length: {len(data)}", headers)
            self.assertEqual(body, data)
            line, headers, body = self.echo(["-d", ""])
            self.assertEqual(line, "POST /echo HTTP/1.1")
            self.assertIn("Content-Length: 0", headers)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_compressed_asks_for_every_coding(self):
        line, headers, body = self.echo(["--compressed"])
        enc = [h for h in headers if h.lower().startswith("accept-encoding")]
        self.assertEqual(len(enc), 1, headers)
        for coding in ("gzip", "deflate"):
            self.assertIn(coding, enc[0])


class TestRedirects(EchoCase):
    SECRETS = ["-H", "Authorization: Bearer s3cret", "-H", "Cookie: c=1",
               "-H", "X-Keep: 1"]

    def secrets(self, url, extra=()):
        line, headers, body = self.echo(["-L"] + self.SECRETS + list(extra),
                                        url=url)
        names = self.names(headers)
        self.assertIn("x-keep", names)
        return "authorization" in names and "cookie" in names, \
            "authorization" in names or "cookie" in names

    def test_credentials_stay_with_their_origin(self):
        port2 = self.nginx.port2
        here = self.url("/r302?url=/echo")
        self.assertEqual(self.secrets(here), (True, True))
        for target in (f"http://127.0.0.1:{port2}/echo",  # another port
                       f"http://other.test:{self.nginx.port}/echo",  # host
                       # away and back again: gone for good
                       f"http://127.0.0.1:{port2}/r302?url="
                       f"http://127.0.0.1:{self.nginx.port}/echo"):
            got = self.secrets(self.url("/r302?url=" + target),
                               ["--resolve",
                                f"other.test:{self.nginx.port}:127.0.0.1"])
            self.assertEqual(got, (False, False), target)

    def test_url_credentials_stay_with_their_origin(self):
        base = f"http://u:p@127.0.0.1:{self.nginx.port}"
        line, headers, body = self.echo(["-L"],
                                        url=base + "/r302?url=/echo")
        self.assertIn("Authorization: Basic dTpw", headers)
        line, headers, body = self.echo(
            ["-L"], url=base + f"/r302?url=http://127.0.0.1:"
            f"{self.nginx.port2}/echo")
        self.assertNotIn("authorization", self.names(headers))

    def test_methods_after_redirects(self):
        for code, args, want, has_body in (
                (303, ["-d", "x"], "GET", False),
                (303, ["-X", "PUT", "-d", "x"], "GET", False),
                (301, ["-d", "x"], "GET", False),
                (302, ["-d", "x"], "GET", False),
                (302, ["-X", "PUT", "-d", "x"], "PUT", True),
                (307, ["-d", "x"], "POST", True),
                (308, ["-X", "PATCH", "-d", "x"], "PATCH", True)):
            line, headers, body = self.echo(
                ["-L"] + args, f"/r{code}?url=/echo")
            self.assertEqual(line, f"{want} /echo HTTP/1.1", (code, args))
            self.assertEqual(body, b"x" if has_body else b"", (code, args))

    def test_only_http_and_https(self):
        for target in ("ftp://x/y", "file:///etc/passwd",
                       "javascript:alert(1)", "gopher://h/"):
            proc, recs = run(["-L", self.url("/r302?url=" + target)])
            self.assertEqual(proc.returncode, 1, target)
            rec = recs[0]
            self.assertEqual(rec["error"]["kind"], "redirect", rec)
            self.assertIn(f"'{target}'", rec["error"]["message"])
            self.assertEqual(rec["status"], 302)

    def test_to_another_port_and_scheme(self):
        target = f"https://127.0.0.1:{self.nginx.tls_port}/f4.bin"
        proc, recs = run(["-L", "--cacert", self.nginx.cert,
                          self.url("/r301?url=" + target)])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        rec = recs[0]
        self.assertEqual((rec["status"], rec["redirects"], rec["final_url"]),
                         (200, 1, target))
        self.assertEqual(rec["bytes"], self.nginx.sizes["/f4.bin"])
        self.assertEqual(rec["http_version"], "2")


class TestCodings(EchoCase):
    def sent(self, path):
        """The body bytes nginx logged for its last request of path."""
        return int([l for l in self.nginx.log(self.nginx.port, 1)
                    if l[3] == path][-1][2])

    def test_gzip(self):
        url = self.url("/gz/page.txt")
        proc, recs, bodies = fetch_saved([], [url])
        self.assertEqual((recs[0]["bytes"], bodies[0]), (len(PLAIN), PLAIN))
        self.assertEqual(self.sent("/gz/page.txt"), len(PLAIN))
        proc, recs, bodies = fetch_saved(["--compressed"], [url])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual((recs[0]["bytes"], bodies[0]), (len(PLAIN), PLAIN))
        self.assertEqual(self.sent("/gz/page.txt"),
                         os.path.getsize(f"{self.nginx.prefix}/html/gz/"
                                         "page.txt.gz"))

    def test_deflate(self):
        url = self.url("/deflate.z")
        proc, recs, bodies = fetch_saved(["--compressed"], [url])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(bodies[0], PLAIN)
        proc, recs, bodies = fetch_saved([], [url])  # not asked: as sent
        self.assertEqual(bodies[0], zlib.compress(PLAIN))

    def test_bomb_stops_at_the_limit(self):
        url = self.url("/bomb/zero.bin")
        gz = os.path.getsize(f"{self.nginx.prefix}/html/bomb/zero.bin.gz")
        proc, recs = run(["--compressed", "--max-filesize", "1M", url])
        self.assertEqual(proc.returncode, 1)
        rec = recs[0]
        self.assertEqual(rec["error"]["kind"], "too_large", rec)
        self.assertLessEqual(rec["bytes"], 1 << 20)
        proc, recs = run(["--compressed", url])  # no limit: all of it
        self.assertEqual(recs[0]["bytes"], BOMB_SIZE)
        proc, recs = run([url])  # not asked for: the coded bytes
        self.assertEqual(recs[0]["bytes"], gz)


if __name__ == "__main__":
    SLUICE = sys.argv.pop(1)
    unittest.main(verbosity=2)
