#!/usr/bin/env python3
"""Judges a soak run from the files loadtest/gatling.sh leaves: the server's request counts by
status (metrics.txt), its resident memory and KV blocks over time (samples.csv), /health after
the run (health-after.json) and Gatling's error summary (gatling.log). Passes when no 5xx other
than 503 was sent, Gatling saw no error other than 429/503 refusals, every KV block came back,
and in the second half resident memory stayed within --max-growth of itself (a step from one
late allocation is not a trend; its least-squares slope is reported too) and the Java heap's
floor did not rise (slope under --max-slope MiB/min)."""
import argparse
import csv
import json
import re
import sys
from pathlib import Path

REFUSALS = re.compile(r"(code|found) (429|503)\b|already crashed: .*code (429|503)")


def statuses(metrics: Path) -> dict:
    counts = {}
    for line in metrics.read_text().splitlines():
        m = re.match(r'ovserve_requests_total\{endpoint="([^"]+)",status="(\d+)"\} (\S+)', line)
        if m and m.group(1).startswith("/v1/"):
            counts[m.group(2)] = counts.get(m.group(2), 0) + int(float(m.group(3)))
    return counts


def gatling_errors(log: Path) -> list:
    """The lines of Gatling's last error summary, rejoined where it folds long messages."""
    text = log.read_text()
    start = text.rfind("---- Errors ----")
    if start < 0:
        return []
    block = text[start:].split("\n", 1)[1].split("=====", 1)[0]
    errors = []
    for line in block.splitlines():
        if line.startswith("> "):
            errors.append(line[2:])
        elif line.strip() and errors:
            errors[-1] += line
    return errors


def slope(points) -> float:
    """Least-squares slope of (seconds, value) points, per minute."""
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    var = sum((p[0] - mx) ** 2 for p in points)
    return 60 * sum((p[0] - mx) * (p[1] - my) for p in points) / var if var else 0.0


def heap_floors(rows, end):
    """The lowest Java heap use in each minute of the second half: garbage comes and goes between
    collections, live data is the floor, and a leak raises the floor."""
    floors = {}
    for r in rows:
        t = int(r["seconds"])
        if r.get("heap_used_mib") and end / 2 <= t <= end:
            floors[t // 60] = min(floors.get(t // 60, float("inf")), float(r["heap_used_mib"]))
    return [(minute * 60, v) for minute, v in sorted(floors.items())]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--max-growth", type=float, default=0.01,
                    help="resident memory may range this share of itself in the second half (default 1%%)")
    ap.add_argument("--max-slope", type=float, default=1.0, help="Java heap floor MiB per minute allowed in the second half")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()

    counts = statuses(args.run_dir / "metrics.txt")
    server_5xx = {s: c for s, c in counts.items() if s.startswith("5") and s != "503"}
    unexpected = [e for e in gatling_errors(args.run_dir / "gatling.log") if not REFUSALS.search(e)]
    rows = [r for r in csv.DictReader(open(args.run_dir / "samples.csv")) if r["rss_mib"]]
    samples = [(int(r["seconds"]), float(r["rss_mib"]), r["kv_blocks_used"]) for r in rows]
    # The load ends a little before the server stops; judge memory while it was under load.
    loaded = [s for s in samples if s[2] not in ("", "0")] or samples
    end = loaded[-1][0]
    second_half = [(t, rss) for t, rss, _ in samples if end / 2 <= t <= end]
    first_half = [(t, rss) for t, rss, _ in samples if t < end / 2]
    health = json.loads((args.run_dir / "health-after.json").read_text())
    heap_floor = heap_floors(rows, end)
    kv_after = sum(d["kv_blocks_used"] for d in health["devices"])
    result = {
        "requests_by_status": dict(sorted(counts.items())),
        "unexpected_5xx": server_5xx,
        "unexpected_client_errors": unexpected,
        "kv_blocks_used_at_end": kv_after,
        "rss_mib_first_half_max": max(r for _, r in first_half),
        "rss_mib_second_half_min": min(r for _, r in second_half),
        "rss_mib_second_half_max": max(r for _, r in second_half),
        "rss_slope_mib_per_min_second_half": round(slope(second_half), 3),
        "seconds_under_load": end,
        "heap_floor_mib_per_minute_second_half": [round(v, 1) for _, v in heap_floor],
        "heap_floor_slope_mib_per_min_second_half": round(slope(heap_floor), 3) if len(heap_floor) > 1 else None,
    }
    heap_slope = result["heap_floor_slope_mib_per_min_second_half"] or 0.0
    rss_low, rss_high = result["rss_mib_second_half_min"], result["rss_mib_second_half_max"]
    result["rss_growth_second_half"] = round((rss_high - rss_low) / rss_low, 4)
    ok = (not server_5xx and not unexpected and kv_after == 0
          and result["rss_growth_second_half"] <= args.max_growth and heap_slope < args.max_slope)
    result["pass"] = ok
    print(json.dumps(result, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
