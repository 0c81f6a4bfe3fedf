#!/usr/bin/env python3
"""Figures and markdown tables from loadtest/compare.sh's results (JSON lines), and optionally a
soak run's memory curve. Run through loadtest/plot.sh, which provides matplotlib.

Offline rows (ovserve bench, genai-bench.py) carry ttft_*; HTTP rows (summarize.py over Gatling
timings) carry ttfe_* (request start to first streamed event) and e2e_*."""
import argparse
import csv
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SERIES = [  # (mode, engine, label, style)
    ("offline", "ovserve", "ovserve bench (offline)", "o-"),
    ("offline", "openvino-genai", "OpenVINO GenAI (offline)", "s-"),
    ("http", "ovserve", "ovserve serve (HTTP, Gatling)", "o--"),
    ("http", "llama.cpp", "llama.cpp server (HTTP, Gatling)", "^--"),
]


def mode(row):
    return "http" if "ttfe_p50_ms" in row else "offline"


def ttft(row, p):
    return row[f"ttfe_p{p}_ms"] if mode(row) == "http" else row[f"ttft_p{p}_ms"]


def load(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    for r in rows:
        r["concurrency"] = int(r["concurrency"])
    return rows


def series(rows, workload, m, engine):
    return sorted((r for r in rows if r["workload"] == workload and mode(r) == m and r["engine"] == engine),
                  key=lambda r: r["concurrency"])


def by_concurrency(rows, out):
    fig, (tp, lat) = plt.subplots(1, 2, figsize=(12, 4.5))
    for m, engine, label, style in SERIES:
        s = series(rows, "offline" if m == "offline" else "http", m, engine)
        if not s:
            continue
        xs = [r["concurrency"] for r in s]
        tp.plot(xs, [r["output_tok_s"] for r in s], style, label=label)
        line, = lat.plot(xs, [ttft(r, 50) for r in s], style, label=f"{label} p50")
        lat.plot(xs, [ttft(r, 99) for r in s], style, color=line.get_color(), alpha=0.45, label=f"{label} p99")
    for ax in (tp, lat):
        ax.set_xscale("log", base=2)
        ax.set_xticks([1, 4, 16, 64], ["1", "4", "16", "64"])
        ax.set_xlabel("concurrent streams")
        ax.grid(alpha=0.3)
    tp.set_ylabel("output tokens/s")
    tp.set_title("Throughput, 128-token prompts, 128 new tokens")
    lat.set_yscale("log")
    lat.set_ylabel("time to first token, ms (log)")
    lat.set_title("Time to first token (p50 solid, p99 faint)")
    tp.legend(fontsize=8)
    lat.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(out / "throughput-and-ttft-vs-concurrency.png", dpi=110)


def prefix_label(r):
    caching = "" if r["prefix_caching"] == "n/a" else f", prefix cache {r['prefix_caching']}"
    return f"{r['engine']} ({mode(r)}{caching})"


def prefix_figure(rows, out):
    s = [r for r in rows if r["workload"] == "prefix"]
    if not s:
        return
    labels = [prefix_label(r) for r in s]
    fig, (tp, lat) = plt.subplots(1, 2, figsize=(12, 4.5))
    ys = range(len(s))
    tp.barh(ys, [r["output_tok_s"] for r in s], color="tab:blue")
    lat.barh(ys, [ttft(r, 50) for r in s], color="tab:orange")
    tp.set_yticks(ys, labels, fontsize=8)
    lat.set_yticks(ys, [""] * len(s))
    tp.set_xlabel("output tokens/s")
    lat.set_xlabel("time to first token p50, ms (log)")
    lat.set_xscale("log")
    tp.set_title("512-token shared prefix + 128 own tokens, 16 streams")
    for ax in (tp, lat):
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "shared-prefix.png", dpi=110)


def soak_figure(run_dir, out):
    rows = [r for r in csv.DictReader(open(run_dir / "samples.csv")) if r["rss_mib"]]
    t = [int(r["seconds"]) / 60 for r in rows]
    fig, rss = plt.subplots(figsize=(10, 4))
    rss.plot(t, [float(r["rss_mib"]) for r in rows], color="tab:red", label="resident memory (MiB)")
    rss.set_xlabel("minutes")
    rss.set_ylabel("resident memory, MiB")
    rss.set_ylim(bottom=0)
    kv = rss.twinx()
    kv.plot(t, [int(r["kv_blocks_used"] or 0) for r in rows], color="tab:blue", alpha=0.6, label="KV blocks in use")
    kv.plot(t, [int(r["waiting"] or 0) for r in rows], color="tab:gray", alpha=0.6, label="requests waiting")
    kv.set_ylabel("KV blocks in use / requests waiting")
    fig.legend(loc="lower right", fontsize=8)
    rss.set_title("Soak: resident memory, KV blocks and queue over time")
    fig.tight_layout()
    fig.savefig(out / "soak.png", dpi=110)


def fmt(v, digits=0):
    return f"{v:.{digits}f}"


def ratio(a, b):
    return f"{a / b:.2f}x" if b else "-"


def tables(rows):
    def find(workload, m, engine, c, caching=None):
        for r in rows:
            if (r["workload"], mode(r), r["engine"], r["concurrency"]) == (workload, m, engine, c) and \
                    (caching is None or r["prefix_caching"] == caching):
                return r
        return None

    print("### Offline: ovserve bench vs OpenVINO GenAI (same IR, same prompt ids)\n")
    print("| streams | ovserve tok/s | GenAI tok/s | ovserve / GenAI | TTFT p50 ovserve / GenAI ms | TTFT p99 ovserve / GenAI ms "
          "| ITL p50 ovserve / GenAI ms |")
    print("|---|---|---|---|---|---|---|")
    for c in (1, 4, 16, 64):
        o, g = find("offline", "offline", "ovserve", c), find("offline", "offline", "openvino-genai", c)
        if o and g:
            print(f"| {c} | {fmt(o['output_tok_s'], 1)} | {fmt(g['output_tok_s'], 1)} | {ratio(o['output_tok_s'], g['output_tok_s'])} "
                  f"| {fmt(o['ttft_p50_ms'])} / {fmt(g['ttft_p50_ms'])} | {fmt(o['ttft_p99_ms'])} / {fmt(g['ttft_p99_ms'])} "
                  f"| {fmt(o['itl_p50_ms'], 1)} / {fmt(g['itl_p50_ms'], 1)} |")
    print("\n### Over HTTP: Gatling streaming simulation, closed workload\n")
    print("| streams | ovserve tok/s | llama.cpp tok/s | ovserve / llama.cpp | first event p50 ovserve / llama.cpp ms "
          "| first event p99 ovserve / llama.cpp ms | full stream p50 ovserve / llama.cpp ms | failed |")
    print("|---|---|---|---|---|---|---|---|")
    for c in (1, 4, 16, 64):
        o, l = find("http", "http", "ovserve", c), find("http", "http", "llama.cpp", c)
        if o and l:
            print(f"| {c} | {fmt(o['output_tok_s'], 1)} | {fmt(l['output_tok_s'], 1)} | {ratio(o['output_tok_s'], l['output_tok_s'])} "
                  f"| {fmt(o['ttfe_p50_ms'])} / {fmt(l['ttfe_p50_ms'])} | {fmt(o['ttfe_p99_ms'])} / {fmt(l['ttfe_p99_ms'])} "
                  f"| {fmt(o['e2e_p50_ms'])} / {fmt(l['e2e_p50_ms'])} | {o['failed']} / {l['failed']} |")
    print("\n### Shared 512-token prefix (+128 own tokens, 128 new), 16 streams\n")
    print("| engine | how | prefix cache | output tok/s | TTFT p50 ms | TTFT p99 ms |")
    print("|---|---|---|---|---|---|")
    for r in (r for r in rows if r["workload"] == "prefix"):
        print(f"| {r['engine']} | {mode(r)} | {r['prefix_caching']} | {fmt(r['output_tok_s'], 1)} | {fmt(ttft(r, 50))} "
              f"| {fmt(ttft(r, 99))} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--soak", type=Path, help="a soak run's directory (samples.csv) to plot")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = load(args.results)
    if rows:  # a soak alone passes an empty results file
        by_concurrency(rows, args.out)
        prefix_figure(rows, args.out)
        tables(rows)
    if args.soak:
        soak_figure(args.soak, args.out)


if __name__ == "__main__":
    main()
