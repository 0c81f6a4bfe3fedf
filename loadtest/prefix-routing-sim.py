#!/usr/bin/env python3
"""What prefix-aware routing buys on multi-turn chat: the same synthetic trace replayed against N
local `ovserve serve` replicas, once with round-robin assignment and once prefix-affine (every
turn of a session goes to the replica its session id hashes to, as an inference gateway's
prefix scorer would tend to). For each policy, fresh replicas (cold caches) replay the trace and
the script reports:

- prefix-cache hit rate: tokens found in the prefix cache / tokens looked up, summed from every
  replica's own counters (vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total);
- time to first token (request start to the first streamed event), p50 / p90 / p99 / mean.

The trace: --sessions sessions, each with its own system text, of --turns turns; every turn
resends the whole history so far (system text, earlier user turns and the replies) plus a new
user turn, streams --reply-tokens tokens greedily, and appends the reply. --concurrency clients
each play whole sessions, one turn after the other (a chat client waits for the reply). Small
KV pools (--kv-cache-size) make the replicas evict, as busy ones do.

Python standard library only. Prints a Markdown table (docs/SCALING.md) and JSON on stdout.

  loadtest/prefix-routing-sim.py                          # 3 replicas of a tiny random model
  loadtest/prefix-routing-sim.py --replicas 2 --sessions 8 --turns 3   # a short run
  loadtest/prefix-routing-sim.py --model /tmp/ovserve-bench/ir-fp16 --kv-cache-size 0.25
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OVSERVE = os.path.join(ROOT, "ovserve")
WORDS = ("the of and to in is was for on that with as by at from his an were are which this be or had "
         "not but one have first new also after their two who has its time all may more other would "
         "been some into only most years over such any these many then when city world war three").split()


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def make_trace(sessions, turns, system_words, user_words, seed):
    rng = random.Random(seed)
    trace = []
    for s in range(sessions):
        system = "Session %d. " % s + " ".join(rng.choice(WORDS) for _ in range(system_words))
        users = [" ".join(rng.choice(WORDS) for _ in range(user_words)) for _ in range(turns)]
        trace.append({"id": "session-%d" % s, "system": system, "users": users})
    return trace


class Replica:
    def __init__(self, index, port, model, kv_gib, extra, logdir):
        self.port = port
        self.log_path = os.path.join(logdir, "replica-%d.log" % index)
        cmd = [OVSERVE, "serve", "--port", str(port), "--device", "CPU", "--kv-cache-size", str(kv_gib), "--no-ui"]
        if model:
            cmd += ["--model", model]
        self.proc = subprocess.Popen(cmd + extra, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)

    def conn(self, timeout=120):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def wait_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit("prefix-routing-sim: a replica exited while starting; see " + self.log_path)
            try:
                c = self.conn(timeout=5)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(1)
        sys.exit("prefix-routing-sim: a replica did not become ready; see " + self.log_path)

    def counters(self):
        c = self.conn()
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode()
        found = {}
        for name in ("vllm:prefix_cache_hits_total", "vllm:prefix_cache_queries_total"):
            m = re.search(r"^" + re.escape(name) + r"\{[^}]*\} (\S+)$", text, re.M)
            if not m:
                sys.exit("prefix-routing-sim: %s missing from /metrics of port %d" % (name, self.port))
            found[name] = float(m.group(1))
        return found["vllm:prefix_cache_hits_total"], found["vllm:prefix_cache_queries_total"]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def stream_completion(replica, prompt, reply_tokens):
    """Streams one completion; returns (time to first event, the reply's text)."""
    body = json.dumps({"prompt": prompt, "max_tokens": reply_tokens, "temperature": 0, "stream": True,
                       "ignore_eos": True})
    start = time.perf_counter()
    c = replica.conn()
    c.request("POST", "/v1/completions", body, {"Content-Type": "application/json"})
    r = c.getresponse()
    if r.status != 200:
        raise RuntimeError("status %d: %s" % (r.status, r.read()[:200]))
    ttft = None
    text = []
    for raw in r:
        line = raw.decode().strip()
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            break
        if ttft is None:
            ttft = time.perf_counter() - start
        for choice in json.loads(data).get("choices", []):
            text.append(choice.get("text", ""))
    c.close()
    return ttft, "".join(text)


def replay(policy, replicas, trace, concurrency, reply_tokens):
    lock = threading.Lock()
    sessions = list(trace)
    ttfts, errors = [], []
    counter = [0]

    def pick(session_id):
        if policy == "prefix-affine":
            digest = hashlib.sha256(session_id.encode()).digest()
            return replicas[int.from_bytes(digest[:8], "big") % len(replicas)]
        with lock:
            counter[0] += 1
            return replicas[counter[0] % len(replicas)]

    def client():
        while True:
            with lock:
                if not sessions:
                    return
                session = sessions.pop(0)
            history = session["system"]
            for user in session["users"]:
                history += "\nUser: " + user + "\nAssistant:"
                try:
                    ttft, reply = stream_completion(pick(session["id"]), history, reply_tokens)
                except (OSError, RuntimeError, http.client.HTTPException) as e:
                    with lock:
                        errors.append(str(e))
                    break
                history += reply
                with lock:
                    ttfts.append(ttft)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - start
    hits = queries = 0.0
    for r in replicas:
        h, q = r.counters()
        hits, queries = hits + h, queries + q
    return {"policy": policy, "requests": len(ttfts), "errors": len(errors), "wall_s": round(wall, 2),
            "prefix_hit_tokens": hits, "prefix_query_tokens": queries,
            "prefix_hit_rate": round(hits / queries, 4) if queries else 0.0,
            "ttft_p50_ms": round(1000 * percentile(ttfts, 0.5), 1), "ttft_p90_ms": round(1000 * percentile(ttfts, 0.9), 1),
            "ttft_p99_ms": round(1000 * percentile(ttfts, 0.99), 1),
            "ttft_mean_ms": round(1000 * sum(ttfts) / len(ttfts), 1) if ttfts else float("nan"),
            "first_errors": errors[:3]}


def tiny_model(workdir):
    hf, ir = os.path.join(workdir, "hf"), os.path.join(workdir, "ir")
    subprocess.run([OVSERVE, "random-model", "--out", hf, "--layers", "2", "--heads", "4", "--hidden", "128",
                    "--context", "2048"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([OVSERVE, "convert", "--in", hf, "--out", ir, "--weights", "fp32"], check=True, stdout=subprocess.DEVNULL)
    return ir


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--replicas", type=int, default=3)
    p.add_argument("--sessions", type=int, default=24)
    p.add_argument("--turns", type=int, default=6)
    p.add_argument("--concurrency", type=int, default=6, help="clients, each playing whole sessions")
    p.add_argument("--system-words", type=int, default=200)
    p.add_argument("--user-words", type=int, default=40)
    p.add_argument("--reply-tokens", type=int, default=32)
    p.add_argument("--kv-cache-size", type=float, default=0.01, help="GiB per replica (small: replicas evict)")
    p.add_argument("--model", help="IR directory (default: a tiny random GPT-2 made with `ovserve random-model`)")
    p.add_argument("--port", type=int, default=18400, help="first replica's port; the others follow")
    p.add_argument("--policies", default="round-robin,prefix-affine")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--start-timeout", type=float, default=300)
    p.add_argument("serve_args", nargs="*", help="extra `ovserve serve` arguments (after --)")
    args = p.parse_args()

    workdir = tempfile.mkdtemp(prefix="prefix-routing-sim-")
    model = args.model or tiny_model(workdir)
    trace = make_trace(args.sessions, args.turns, args.system_words, args.user_words, args.seed)
    results = []
    for policy in args.policies.split(","):
        replicas = [Replica(i, args.port + i, model, args.kv_cache_size, args.serve_args, workdir) for i in range(args.replicas)]
        try:
            for r in replicas:
                r.wait_ready(args.start_timeout)
            results.append(replay(policy, replicas, trace, args.concurrency, args.reply_tokens))
        finally:
            for r in replicas:
                r.stop()
        print("prefix-routing-sim: %s done: %s" % (policy, json.dumps(results[-1])), file=sys.stderr)

    print("| assignment | replicas | requests | prefix-cache hit rate | TTFT p50 ms | p90 ms | p99 ms | mean ms | errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print("| %s | %d | %d | %.1f%% | %s | %s | %s | %s | %d |" % (
            r["policy"], args.replicas, r["requests"], 100 * r["prefix_hit_rate"], r["ttft_p50_ms"], r["ttft_p90_ms"],
            r["ttft_p99_ms"], r["ttft_mean_ms"], r["errors"]))
    print(json.dumps({"settings": vars(args), "results": results}))
    if any(r["errors"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
