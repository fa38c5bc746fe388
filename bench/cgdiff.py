#!/usr/bin/env python3
"""cgdiff.py - where one build spends more instructions per request than
another: callgrind profiles, marginal cost per function.

  cgdiff.py A_SMALL A_BIG B_SMALL B_BIG N_SMALL N_BIG [--top K]
            [--exclusive] [--match RE]

A_* and B_* are callgrind output files of the same program on N_SMALL and
N_BIG URLs (bench/run --keep leaves cg-TOOL-N.out in its temp dir: TOOL is
sluice, curl or bare, plus 8 for libcurl 8).  For every function,
callgrind_annotate's inclusive (default) or exclusive cost is turned into
a marginal cost per request, (Ir at N_BIG - Ir at N_SMALL) / (N_BIG -
N_SMALL), as bench/run does for the whole process, for A and for B; the
functions are listed by how much more B spends than A per request.
Functions are matched by name without the file (the same function in two
libcurl builds lives in two files).  Debian's libcurl is stripped of its
static functions (they show as addresses, which cannot be matched between
builds): build libcurl from source with -g for names (bench/README.md).
"""
import argparse
import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+)\s+(?:\([\s\d.]+%\)\s+)?(\S.*)$")


def costs(path, inclusive):
    out = subprocess.run(
        ["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}",
         "--threshold=100", "--auto=no", path], capture_output=True, text=True,
        check=True).stdout
    res = {}
    body = False
    for line in out.splitlines():
        if line.startswith("Ir") and "file:function" in line:
            body = True
            continue
        if not body:
            continue
        if not line.strip():
            if res:
                break
            continue
        m = LINE.match(line)
        if not m:
            continue
        ir = int(m.group(1).replace(",", ""))
        name = m.group(2)
        # "file:function [object]": keep function and the object's name
        name = re.sub(r"^.*?:(?=[^:/]+( \[|$))", "", name)
        obj = re.search(r"\[(.*)\]$", name)
        fn = name.split(" [")[0]
        if obj:
            fn += " [" + obj.group(1).rsplit("/", 1)[-1].split(".so")[0] + "]"
        res[fn] = res.get(fn, 0) + ir
    return res


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("a_small")
    p.add_argument("a_big")
    p.add_argument("b_small")
    p.add_argument("b_big")
    p.add_argument("n_small", type=int)
    p.add_argument("n_big", type=int)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--exclusive", action="store_true")
    p.add_argument("--match", help="only functions whose name matches RE")
    a = p.parse_args()
    inc = not a.exclusive
    d = a.n_big - a.n_small
    sa, ba = costs(a.a_small, inc), costs(a.a_big, inc)
    sb, bb = costs(a.b_small, inc), costs(a.b_big, inc)
    ma = {k: (ba.get(k, 0) - sa.get(k, 0)) / d for k in set(sa) | set(ba)}
    mb = {k: (bb.get(k, 0) - sb.get(k, 0)) / d for k in set(sb) | set(bb)}
    keys = set(ma) | set(mb)
    if a.match:
        keys = {k for k in keys if re.search(a.match, k)}
    rows = sorted(keys, key=lambda k: mb.get(k, 0) - ma.get(k, 0),
                  reverse=True)
    print(f"{'inclusive' if inc else 'exclusive'} Ir per request "
          f"(marginal, {a.n_small} -> {a.n_big} URLs)")
    print(f"{'A':>9} {'B':>9} {'B-A':>9}  function")
    for k in rows[:a.top]:
        x, y = ma.get(k, 0), mb.get(k, 0)
        print(f"{x:9,.0f} {y:9,.0f} {y - x:+9,.0f}  {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
