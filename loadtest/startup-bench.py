#!/usr/bin/env python3
"""Time from process start to health-ready and to the first streamed token, for `ovserve serve`.

For each weight format (FP16, INT8 IRs of the distilgpt2-shaped random model), performance hint
(LATENCY, THROUGHPUT), weight mapping (mmap on, off) and model cache (off, empty, warm): start the
server, poll /health until it answers 200, send one streaming completion and wait for its first
SSE event, then stop the server with SIGTERM. Every configuration runs once per round, rounds
interleave them, and the table gives medians, so machine noise hits all alike.

usage: loadtest/startup-bench.py [WORK_DIR] [ROUNDS]   (WORK_DIR as for weights-bench.sh)
Uses $OVSERVE_CLI if set, else ./ovserve. Standard library only.
"""
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.environ.get("OVSERVE_CLI", os.path.join(ROOT, "ovserve"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_models(work):
    hf = os.path.join(work, "hf")
    if not os.path.exists(os.path.join(hf, "model.safetensors")):
        subprocess.run([CLI, "random-model", "--out", hf, "--seed", "42"], check=True, stdout=subprocess.DEVNULL)
    for w in ("fp16", "int8"):
        ir = os.path.join(work, "ir-" + w)
        if not os.path.exists(os.path.join(ir, "openvino_model.xml")):
            subprocess.run([CLI, "convert", "--in", hf, "--out", ir, "--weights", w], check=True, stdout=subprocess.DEVNULL)


def one_start(model, hint, mmap, cache_dir):
    port = free_port()
    args = [CLI, "serve", "--model", model, "--port", str(port), "--performance-hint", hint]
    args += ["--cache-dir", cache_dir] if cache_dir else ["--no-model-cache"]
    if not mmap:
        args.append("--no-mmap")
    start = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        health = None
        while health is None:
            if proc.poll() is not None:
                raise RuntimeError("server exited: " + proc.stderr.read())
            try:
                with urllib.request.urlopen(base + "/health", timeout=1) as r:
                    health = json.load(r)
            except OSError:
                time.sleep(0.005)
        ready = time.monotonic() - start
        body = json.dumps({"model": os.path.basename(model), "prompt": "Hello, my name is", "max_tokens": 8,
                           "stream": True}).encode()
        req = urllib.request.Request(base + "/v1/completions", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            for line in r:
                if line.startswith(b"data:"):
                    first = time.monotonic() - start
                    break
            for _ in r:  # drain the stream
                pass
        load = health["devices"][0].get("load_seconds", {})
        return ready, first, load
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ovserve-bench"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    ensure_models(work)
    subprocess.run([CLI, "--version"], check=True, stdout=subprocess.DEVNULL)  # builds the jar once, outside the timings
    configs = list(itertools.product(("fp16", "int8"), ("LATENCY", "THROUGHPUT"), (True, False), ("off", "empty", "warm")))
    results = {c: [] for c in configs}
    for r in range(rounds):
        for weights, hint, mmap in itertools.product(("fp16", "int8"), ("LATENCY", "THROUGHPUT"), (True, False)):
            cache = tempfile.mkdtemp(prefix="ovserve-cache-")
            try:
                model = os.path.join(work, "ir-" + weights)
                results[(weights, hint, mmap, "off")].append(one_start(model, hint, mmap, None))
                for state in ("empty", "warm"):  # the empty run fills the cache the warm run imports
                    results[(weights, hint, mmap, state)].append(one_start(model, hint, mmap, cache))
            finally:
                shutil.rmtree(cache, ignore_errors=True)
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)

    print(f"medians of {rounds} rounds; seconds from process start")
    print()
    print("| weights | hint | mmap | model cache | health ready s | first streamed token s | compile or import s | warm-up s |")
    print("|---|---|---|---|---|---|---|---|")
    med = {}
    for c in configs:
        ready = statistics.median(x[0] for x in results[c])
        first = statistics.median(x[1] for x in results[c])
        compile_s = statistics.median(x[2].get("compile", x[2].get("cache_import", float("nan"))) for x in results[c])
        imported = all("cache_import" in x[2] for x in results[c])
        warm = statistics.median(x[2].get("warmup", float("nan")) for x in results[c])
        med[c] = (ready, first)
        weights, hint, mmap, state = c
        print(f"| {weights} | {hint} | {'on' if mmap else 'off'} | {state} | {ready:.2f} | {first:.2f} | "
              f"{compile_s:.2f} ({'import' if imported else 'compile'}) | {warm:.3f} |")
    print()
    print("ratios of first-token time (medians):")
    for weights in ("fp16", "int8"):
        def f(hint, mmap, state):
            return med[(weights, hint, mmap, state)][1]
        print(f"- {weights}: empty/warm cache {f('LATENCY', True, 'empty') / f('LATENCY', True, 'warm'):.2f}x, "
              f"warm cache/no cache {f('LATENCY', True, 'warm') / f('LATENCY', True, 'off'):.2f}x; "
              f"THROUGHPUT/LATENCY (warm) {f('THROUGHPUT', True, 'warm') / f('LATENCY', True, 'warm'):.2f}x, "
              f"(empty) {f('THROUGHPUT', True, 'empty') / f('LATENCY', True, 'empty'):.2f}x; "
              f"mmap off/on (warm) {f('LATENCY', False, 'warm') / f('LATENCY', True, 'warm'):.2f}x, "
              f"(empty) {f('LATENCY', False, 'empty') / f('LATENCY', True, 'empty'):.2f}x")


if __name__ == "__main__":
    main()
