"""Decoding a month's ledger lines: msgspec into the audit's typed ``Line`` against
``json.loads`` and ``orjson.loads`` into dicts (docs/architecture.md#dependencies-in-detail, msgspec).

    python bench/bench_decode.py [--scale 64]

Generates October 2026 at ``--scale`` (bench/gen_month.py) in a temporary folder and
times, best of 5, each reader over every entry line of the month's file:

* msgspec Struct: ``msgspec.json.Decoder(Line).decode`` (types checked while decoding);
* lines.decode: the audit's reader (the above, plus the times read and checked);
* json.loads / orjson.loads: a dict per line (no type checked: the floor of a dict reader).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_month import generate  # noqa: E402
from zoudu.ledger.lines import typed as read  # noqa: E402


def best(fn, lines, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(lines)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "w"
        generate(root, args.scale)
        text = (root / "ledgers" / "2026-10.yaml").read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if line.startswith("- {")]
    raw = [line[2:].encode() for line in lines]
    rows = [("msgspec Struct (typed)", lambda ls: [read._DECODER.decode(b) for b in ls], raw),
            ("lines.decode", lambda ls: [read.decode(t, "f", 1, []) for t in ls], lines),
            ("json.loads (dict)", lambda ls: [json.loads(t[2:]) for t in ls], lines)]
    try:
        import orjson

        rows.append(("orjson.loads (dict)", lambda ls: [orjson.loads(b) for b in ls], raw))
    except ImportError:
        rows.append(("orjson.loads (dict)", None, raw))
    print(f"{len(lines)} lines, scale {args.scale}")
    print(f"| reader | seconds |\n|---|---|")
    for name, fn, data in rows:
        print(f"| {name} | {best(fn, data):.3f} |" if fn else f"| {name} | not installed |")


if __name__ == "__main__":
    main()
