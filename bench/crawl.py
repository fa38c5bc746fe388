#!/usr/bin/env python3
"""crawl.py - the crawl section's URL lists and its aiohttp client.

  crawl.py urls HOSTS COUNT PORT PORT_TLS OUTDIR [--seed S]
      from HOSTS ("NAME ADDR" lines, bench/crawl.sh's DIR/hosts) write
      COUNT URLs spread evenly over the hosts, in a seeded random order (a
      crawl frontier's mix, the same every time):
        OUTDIR/tls.urls     https://NAME:PORT_TLS/fK.bin?i=I
        OUTDIR/plain.urls   http://NAME:PORT/fK.bin?i=I (the same URLs)
        OUTDIR/tls.curl     curl config: a "resolve" line per host, then
                            url = "..." / output = "/dev/null" per URL
        OUTDIR/resolve.args sluice's --resolve NAME:PORT:ADDR for both
                            ports, one argument a line
      K = I mod 16, as in bench/run's other sections.

  crawl.py aiohttp URLS HOSTS --cafile CA --limit J --per-host P
                   --style gather|pool [--workers N]
      fetch URLS with aiohttp (Debian's python3-aiohttp): one ClientSession,
      TCPConnector(limit=J, limit_per_host=P), names resolved from HOSTS
      (no DNS), the CA trusted; bodies read whole and dropped.
        gather  one task per URL, all created at once, asyncio.gather
        pool    N worker tasks (default J) taking URLs from one iterator
      Prints "aiohttp: N ok, M failed" (ok: status 200); exit 0 when all
      were ok.
"""
import argparse
import asyncio
import random
import socket
import sys


def read_hosts(path):
    hosts = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                hosts.append((parts[0], parts[1]))
    return hosts


def cmd_urls(a):
    hosts = read_hosts(a.hosts)
    per, extra = divmod(a.count, len(hosts))
    pick = [h for h, _ in hosts] * per + [h for h, _ in hosts[:extra]]
    random.Random(a.seed).shuffle(pick)
    with open(f"{a.outdir}/tls.urls", "w") as tls, \
            open(f"{a.outdir}/plain.urls", "w") as plain, \
            open(f"{a.outdir}/tls.curl", "w") as cfg, \
            open(f"{a.outdir}/resolve.args", "w") as res:
        for name, addr in hosts:
            cfg.write(f'resolve = "{name}:{a.port_tls}:{addr}"\n')
            for port in (a.port, a.port_tls):
                res.write(f"--resolve\n{name}:{port}:{addr}\n")
        for i, name in enumerate(pick):
            path = f"/f{i % 16}.bin?i={i}"
            url = f"https://{name}:{a.port_tls}{path}"
            tls.write(url + "\n")
            plain.write(f"http://{name}:{a.port}{path}\n")
            cfg.write(f'url = "{url}"\noutput = "/dev/null"\n')
    return 0


def cmd_aiohttp(a):
    import ssl
    import aiohttp
    from aiohttp.abc import AbstractResolver

    addr_of = dict(read_hosts(a.hosts))

    class StaticResolver(AbstractResolver):
        """Names from the hosts file, as the other clients' --resolve."""
        async def resolve(self, host, port=0, family=socket.AF_INET):
            return [{"hostname": host, "host": addr_of[host], "port": port,
                     "family": socket.AF_INET, "proto": 0,
                     "flags": socket.AI_NUMERICHOST}]

        async def close(self):
            pass

    with open(a.urls) as f:
        urls = [u.strip() for u in f if u.strip()]
    ctx = ssl.create_default_context(cafile=a.cafile)
    counts = {"ok": 0, "failed": 0}
    errors = {}

    async def fetch(session, url):
        try:
            async with session.get(url) as resp:
                await resp.read()
                ok = resp.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as e:
            ok = False
            k = type(e).__name__
            errors[k] = errors.get(k, 0) + 1
        counts["ok" if ok else "failed"] += 1

    async def main():
        conn = aiohttp.TCPConnector(limit=a.limit,
                                    limit_per_host=a.per_host, ssl=ctx,
                                    resolver=StaticResolver())
        timeout = aiohttp.ClientTimeout(total=None)
        async with aiohttp.ClientSession(connector=conn,
                                         timeout=timeout) as session:
            if a.style == "gather":
                await asyncio.gather(*(fetch(session, u) for u in urls))
            else:
                it = iter(urls)

                async def worker():
                    for u in it:
                        await fetch(session, u)
                await asyncio.gather(*(worker() for _ in
                                       range(a.workers or a.limit)))

    asyncio.run(main())
    print(f"aiohttp: {counts['ok']} ok, {counts['failed']} failed")
    if errors:
        print(f"aiohttp errors: {errors}", file=sys.stderr)
    return 0 if counts["failed"] == 0 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("urls")
    u.add_argument("hosts")
    u.add_argument("count", type=int)
    u.add_argument("port", type=int)
    u.add_argument("port_tls", type=int)
    u.add_argument("outdir")
    u.add_argument("--seed", type=int, default=18)
    h = sub.add_parser("aiohttp")
    h.add_argument("urls")
    h.add_argument("hosts")
    h.add_argument("--cafile", required=True)
    h.add_argument("--limit", type=int, required=True)
    h.add_argument("--per-host", type=int, required=True)
    h.add_argument("--style", choices=("gather", "pool"), required=True)
    h.add_argument("--workers", type=int, default=0)
    a = p.parse_args()
    return cmd_urls(a) if a.cmd == "urls" else cmd_aiohttp(a)


if __name__ == "__main__":
    sys.exit(main())
