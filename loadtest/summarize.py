#!/usr/bin/env python3
"""Summarizes a Gatling run's per-call timings (RUN_DIR/timings.csv, written by the simulations)
into one row: output tokens/s, requests/s, time to first event and full-stream percentiles.
Only calls that succeeded and were read to the end count towards throughput and latency; the
window is first call start to last call end. Percentiles are nearest-rank, as `ovserve bench`'s."""
import argparse
import csv
import json
import math
from pathlib import Path


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[max(0, min(len(values) - 1, math.ceil(p / 100 * len(values)) - 1))]


def summarize(run_dir: Path, label: dict) -> dict:
    calls = list(csv.DictReader(open(run_dir / "timings.csv")))
    if not calls:
        raise SystemExit(f"summarize: no calls in {run_dir}/timings.csv")
    done = [c for c in calls if c["ok"] == "true" and c["hung_up"] == "false"]
    start = min(float(c["start_ms"]) for c in calls)
    end = max(float(c["end_ms"]) for c in calls)
    seconds = (end - start) / 1000
    streams = [c for c in done if c["first_event_ms"]]
    ttfe = [float(c["first_event_ms"]) - float(c["start_ms"]) for c in streams]
    e2e = [float(c["end_ms"]) - float(c["start_ms"]) for c in done]
    row = dict(label)
    row.update({
        "calls": len(calls), "completed": len(done), "failed": sum(c["ok"] != "true" for c in calls),
        "hung_up": sum(c["hung_up"] == "true" for c in calls),
        "seconds": round(seconds, 2),
        "output_tok_s": sum(int(c["max_tokens"]) for c in done) / seconds,
        "req_s": len(done) / seconds,
        "ttfe_p50_ms": pct(ttfe, 50), "ttfe_p90_ms": pct(ttfe, 90), "ttfe_p99_ms": pct(ttfe, 99),
        "e2e_p50_ms": pct(e2e, 50), "e2e_p99_ms": pct(e2e, 99),
    })
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--label", action="append", default=[], metavar="KEY=VALUE", help="fields added to the row")
    ap.add_argument("--append-to", type=Path, help="JSON-lines file the row is appended to")
    args = ap.parse_args()
    label = dict(item.split("=", 1) for item in args.label)
    row = summarize(args.run_dir, label)
    print(json.dumps(row))
    if args.append_to:
        with open(args.append_to, "a") as f:
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
