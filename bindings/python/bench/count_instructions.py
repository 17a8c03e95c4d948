#!/usr/bin/env python3
"""Instructions per get and per set document, counted exactly by callgrind.

Wall-time ratios on a shared 2-core machine swing by 15% between runs, so a
change of a few percent shows only as an instruction count. Each operation
runs twice under valgrind, once with the measured loop and once without;
the difference over the number of calls is the cost of one call (the
Python loop, the call, the conversion, freeing the result).

    python bench/count_instructions.py                # get and set, 20k documents
    python bench/count_instructions.py --n 2000 --op get

Needs valgrind (Debian: apt-get install valgrind). Uses the kilndb that
`import kilndb` finds, so run it with the test venv's python.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def workload(op: str, n: int, measured: bool) -> None:
    import kilndb
    from bench_python import key, make_doc

    rng = random.Random(42)
    db = kilndb.open(mode="memory")
    coll = db["bench"]
    batches = [{key(i): make_doc(rng, i) for i in range(s, min(s + 1000, n))} for s in range(0, n, 1000)]
    if op == "get":
        for batch in batches:
            coll.set(batch)
        keys = [key(rng.randrange(n)) for _ in range(n)]
        if measured:
            get = coll.get
            for k in keys:
                get(k)
    elif measured:
        for batch in batches:
            coll.set(batch)
    db.close()


def instructions(op: str, n: int, measured: bool) -> int:
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
           "--inner", op, "--n", str(n)] + (["--measured"] if measured else [])
    run = subprocess.run(cmd, capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if not found:
        raise SystemExit(f"no instruction count in valgrind's output:\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20_000, help="documents (and gets); default 20,000")
    ap.add_argument("--op", choices=["get", "set", "both"], default="both")
    ap.add_argument("--inner", choices=["get", "set"], help=argparse.SUPPRESS)
    ap.add_argument("--measured", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        workload(args.inner, args.n, args.measured)
        return 0
    if shutil.which("valgrind") is None:
        print("count_instructions: valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    for op in (["get", "set"] if args.op == "both" else [args.op]):
        per_call = (instructions(op, args.n, True) - instructions(op, args.n, False)) / args.n
        what = "get" if op == "get" else "document of a 1000-document set"
        print(f"{per_call:,.0f} instructions per {what} (n={args.n:,})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
