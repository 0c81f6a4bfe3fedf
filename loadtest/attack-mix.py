#!/usr/bin/env python3
"""Issue 13's attack mix beside normal traffic, against `ovserve serve` (or any server at --url).

One run, two phases with the same normal traffic (closed loop, --clients clients of small
completion and chat requests): a baseline phase alone, then the attack phase where every attack
of issue 13 runs at once beside it. Reports, as JSON on stdout and a table on stderr:

- normal-traffic p50/p99 latency in each phase and their ratio (goal: p99 ratio <= 1.5),
- normal-traffic 5xx count (goal: 0) and any other non-200 answers,
- server RSS over the attack phase and its growth over the phase's second half (goal: <= 5%),
- engine restarts: server process exits (restarted to go on) and /health readings that were not
  "ready" (goal: 0),
- what each attack got back (status counts), so a refusal that changed is visible.

Python standard library only. Exit status 1 when a goal is missed.

  loadtest/attack-mix.py --duration 300                 # starts ./ovserve serve itself
  loadtest/attack-mix.py --url http://127.0.0.1:8000 --pid 1234 --duration 60
"""
import argparse
import http.client
import json
import re
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def percentile(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


class Target:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port or 80

    def conn(self, timeout=120):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def sock(self, timeout=30):
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s


def post(conn, path, body, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    conn.request("POST", path, body=body, headers=h)
    r = conn.getresponse()
    r.read()
    return r.status


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = {}  # phase -> [seconds]
        self.status = {}  # (who, phase) -> {status: count}

    def add(self, who, phase, status, seconds=None):
        with self.lock:
            d = self.status.setdefault((who, phase), {})
            d[status] = d.get(status, 0) + 1
            if seconds is not None:
                self.latency.setdefault(phase, []).append(seconds)


def normal_client(target, stats, phase, stop, i, api_key):
    """Small requests one after another on a keep-alive connection, as a well-behaved client."""
    headers = {"Authorization": "Bearer " + api_key} if api_key else {}
    bodies = [("/v1/completions", json.dumps({"prompt": "The quick brown fox", "max_tokens": 16})),
              ("/v1/chat/completions", json.dumps({"messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 16}))]
    conn = target.conn()
    n = 0
    while not stop.is_set():
        path, body = bodies[(i + n) % 2]
        n += 1
        t0 = time.monotonic()
        try:
            status = post(conn, path, body, headers)
        except (OSError, http.client.HTTPException) as e:
            status = "error:" + type(e).__name__
            conn.close()
            conn = target.conn()
        stats.add("normal", phase[0], status, time.monotonic() - t0)


def loop_requests(name, target, stats, phase, stop, path, body, api_key):
    headers = {"Authorization": "Bearer " + api_key} if api_key else {}
    conn = target.conn()
    while not stop.is_set():
        try:
            stats.add(name, phase[0], post(conn, path, body, headers))
        except (OSError, http.client.HTTPException) as e:
            stats.add(name, phase[0], "closed:" + type(e).__name__)
            conn.close()
            conn = target.conn()


def slow_sockets(name, target, stats, phase, stop, count, opening):
    """Sockets that send `opening`, then one byte a second: never a whole request."""
    socks = []
    while not stop.is_set():
        while len(socks) < count and not stop.is_set():
            try:
                s = target.sock()
                s.sendall(opening)
                s.setblocking(False)
                socks.append(s)
            except OSError as e:
                stats.add(name, phase[0], "connect:" + type(e).__name__)
                time.sleep(0.1)
        time.sleep(1)
        alive = []
        for s in socks:
            try:
                data = s.recv(65536)
                if data == b"":
                    raise ConnectionResetError()
                stats.add(name, phase[0], data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "bytes")
                s.close()
            except BlockingIOError:
                try:
                    s.send(b"x")
                    alive.append(s)
                except OSError:
                    stats.add(name, phase[0], "closed")
                    s.close()
            except OSError:
                stats.add(name, phase[0], "closed")
                s.close()
        socks = alive
    for s in socks:
        s.close()


def idle_sockets(target, stats, phase, stop, count):
    socks = []
    while not stop.is_set():
        while len(socks) < count and not stop.is_set():
            try:
                s = target.sock()
                s.setblocking(False)
                socks.append(s)
            except OSError as e:
                stats.add("idle", phase[0], "connect:" + type(e).__name__)
                break
        time.sleep(1)
        alive = []
        for s in socks:
            try:
                if s.recv(1) == b"":
                    raise ConnectionResetError()
                alive.append(s)
            except BlockingIOError:
                alive.append(s)
            except OSError:
                stats.add("idle", phase[0], "closed")
                s.close()
        socks = alive
    for s in socks:
        s.close()


def raw_oddities(target, stats, phase, stop):
    """Malformed HTTP, missing and double Host, deep pipelining, a 100 KB model name, Expect: 100-continue past the limit."""
    one = json.dumps({"prompt": "hi", "max_tokens": 1}).encode()
    req = b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(one), one)
    model = json.dumps({"model": "m" * 100_000, "prompt": "x"}).encode()
    cases = {
        "malformed": b"GARBAGE\x01 / HTTP/1.1\r\nHost: x\r\n\r\n",
        "no-host": b"GET /v1/models HTTP/1.1\r\n\r\n",
        "two-hosts": b"GET /v1/models HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "pipelined-25": req * 25,
        "long-model": b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                      % (len(model), model),
        "expect-413": b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\nExpect: 100-continue\r\n\r\n",
    }
    while not stop.is_set():
        for name, data in cases.items():
            try:
                with target.sock(timeout=30) as s:
                    s.sendall(data)
                    got = b""
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        got += chunk
                        if name != "pipelined-25" and b"\r\n\r\n" in got:
                            break
                statuses = [m.decode() for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", got)]
                stats.add("odd:" + name, phase[0], statuses[-1] if statuses else "no-response")
            except OSError as e:
                stats.add("odd:" + name, phase[0], "error:" + type(e).__name__)
        time.sleep(0.2)


ATTACKS = ["fan-out", "always-fail", "long-prompt", "heavy-valid", "slow-header", "slow-body", "idle", "oddities"]


def start_attacks(target, stats, phase, stop, api_key, scale, only):
    fan_out = json.dumps({"prompt": [[1]] * 100_000, "n": 128, "max_tokens": 1})
    always_fail = json.dumps({"prompt": ["x"] * 2000, "max_tokens": 1})
    long_prompt = json.dumps({"prompt": "a " * 1_900_000, "max_tokens": 1})
    heavy_valid = json.dumps({"prompt": ["Once upon a time"] * 16, "n": 4, "max_tokens": 64, "ignore_eos": True})
    threads = []

    def spawn(fn, *a):
        name = "idle" if fn is idle_sockets else "oddities" if fn is raw_oddities else a[0]
        if name not in only:
            return
        t = threading.Thread(target=fn, args=a, daemon=True)
        t.start()
        threads.append(t)

    for _ in range(3):
        spawn(loop_requests, "fan-out", target, stats, phase, stop, "/v1/completions", fan_out, api_key)
    for _ in range(4):
        spawn(loop_requests, "always-fail", target, stats, phase, stop, "/v1/completions", always_fail, api_key)
    for _ in range(4):
        spawn(loop_requests, "long-prompt", target, stats, phase, stop, "/v1/completions", long_prompt, api_key)
    for _ in range(2):
        spawn(loop_requests, "heavy-valid", target, stats, phase, stop, "/v1/completions", heavy_valid, api_key)
    spawn(slow_sockets, "slow-header", target, stats, phase, stop, int(200 * scale), b"POST /v1/completions HTTP/1.1\r\nHost: x\r\n")
    spawn(slow_sockets, "slow-body", target, stats, phase, stop, int(50 * scale),
          b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{\"prompt\":")
    spawn(idle_sockets, target, stats, phase, stop, int(2000 * scale))
    spawn(raw_oddities, target, stats, phase, stop)
    return threads


def rss_mib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None


def health(target):
    try:
        c = target.conn(timeout=10)
        c.request("GET", "/health")
        r = c.getresponse()
        body = json.loads(r.read() or b"{}")
        return r.status, body
    except (OSError, ValueError, http.client.HTTPException):
        return None, {}


def start_server(args):
    log = open(args.server_log, "w")
    cmd = [os.path.join(ROOT, "ovserve"), "serve", "--port", str(args.port)] + args.serve_args
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    target = Target("http://127.0.0.1:%d" % args.port)
    deadline = time.time() + args.start_timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit("attack-mix: the server exited while starting; see " + args.server_log)
        if health(target)[0] == 200:
            return proc
        time.sleep(1)
    proc.kill()
    sys.exit("attack-mix: the server did not become ready; see " + args.server_log)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=300, help="attack phase, seconds (default 300)")
    p.add_argument("--baseline", type=float, help="normal-only phase, seconds (default: duration / 5, at least 10)")
    p.add_argument("--clients", type=int, default=4, help="normal clients (default 4)")
    p.add_argument("--url", help="attack this server instead of starting ./ovserve serve")
    p.add_argument("--pid", type=int, help="with --url: the server's pid, for RSS")
    p.add_argument("--port", type=int, default=8077)
    p.add_argument("--api-key", default=os.environ.get("OVSERVE_API_KEY"))
    p.add_argument("--socket-scale", type=float, default=1.0,
                   help="scale the socket attacks (200 slow-header, 50 slow-body, 2000 idle)")
    p.add_argument("--attacks", default=",".join(ATTACKS), help="comma-separated subset of: " + ", ".join(ATTACKS))
    p.add_argument("--server-log", default="attack-mix-server.log")
    p.add_argument("--start-timeout", type=float, default=600)
    p.add_argument("--out", help="write the JSON report here too")
    p.add_argument("serve_args", nargs="*", help="extra `ovserve serve` arguments (after --)")
    args = p.parse_args()
    baseline = args.baseline if args.baseline is not None else max(10.0, args.duration / 5)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    proc = None
    if args.url:
        target, pid = Target(args.url), args.pid
    else:
        if args.api_key:
            args.serve_args += ["--api-key", args.api_key]
        proc = start_server(args)
        target, pid = Target("http://127.0.0.1:%d" % args.port), proc.pid

    stats = Stats()
    phase = ["baseline"]
    stop_normal, stop_attack = threading.Event(), threading.Event()
    normals = [threading.Thread(target=normal_client, args=(target, stats, phase, stop_normal, i, args.api_key), daemon=True)
               for i in range(args.clients)]
    for t in normals:
        t.start()
    restarts, not_ready = 0, {}
    rss = []  # (seconds into the attack phase, MiB)

    def watch(until, attack_start=None):
        nonlocal restarts, proc, pid
        while time.monotonic() < until:
            time.sleep(1)
            if proc is not None and proc.poll() is not None:
                restarts += 1
                print("attack-mix: the server exited (%s); restarting" % proc.returncode, file=sys.stderr)
                proc = start_server(args)
                pid = proc.pid
            status, body = health(target)
            if status != 200:
                key = body.get("status", str(status))
                not_ready[key] = not_ready.get(key, 0) + 1
            if attack_start is not None and pid:
                m = rss_mib(pid)
                if m is not None:
                    rss.append((time.monotonic() - attack_start, m))

    print("attack-mix: baseline %.0f s with %d normal clients" % (baseline, args.clients), file=sys.stderr)
    watch(time.monotonic() + baseline)
    phase[0] = "attack"
    attack_start = time.monotonic()
    print("attack-mix: attack phase %.0f s" % args.duration, file=sys.stderr)
    attackers = start_attacks(target, stats, phase, stop_attack, args.api_key, args.socket_scale,
                              set(args.attacks.split(",")))
    watch(attack_start + args.duration, attack_start)
    stop_normal.set()
    stop_attack.set()
    for t in normals + attackers:
        t.join(timeout=30)
    if proc is not None:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()

    def normal(phase_name):
        lat = stats.latency.get(phase_name, [])
        codes = stats.status.get(("normal", phase_name), {})
        return {"requests": len(lat), "p50_s": percentile(lat, 0.5), "p99_s": percentile(lat, 0.99),
                "statuses": {str(k): v for k, v in sorted(codes.items(), key=str)},
                "5xx": sum(v for k, v in codes.items() if isinstance(k, int) and k >= 500),
                "other_failures": sum(v for k, v in codes.items() if k != 200 and not (isinstance(k, int) and k >= 500))}

    half = [m for t, m in rss if t >= args.duration / 2]
    growth = (half[-1] - half[0]) / half[0] if len(half) >= 2 else float("nan")
    report = {
        "duration_s": args.duration, "baseline_s": baseline, "clients": args.clients,
        "normal_baseline": normal("baseline"), "normal_attack": normal("attack"),
        "p99_ratio": normal("attack")["p99_s"] / normal("baseline")["p99_s"] if stats.latency.get("baseline") else float("nan"),
        "rss_mib": {"attack_start": rss[0][1] if rss else None, "second_half_start": half[0] if half else None,
                    "end": rss[-1][1] if rss else None, "peak": max((m for _, m in rss), default=None)},
        "rss_growth_second_half": growth,
        "engine_restarts": restarts, "health_not_ready": not_ready,
        "attacks": {who: {str(k): v for k, v in codes.items()} for (who, ph), codes in sorted(stats.status.items())
                    if who != "normal"},
    }
    goals = {"p99 ratio <= 1.5": report["p99_ratio"] <= 1.5,
             "0 x 5xx for normal traffic": report["normal_attack"]["5xx"] + report["normal_baseline"]["5xx"] == 0,
             "RSS growth <= 5% over the second half": growth <= 0.05,
             "0 engine restarts": restarts == 0 and not not_ready}
    report["goals"] = goals
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    b, a = report["normal_baseline"], report["normal_attack"]
    print("\n| phase | normal requests | p50 (s) | p99 (s) | 5xx |\n|---|---|---|---|---|", file=sys.stderr)
    print("| baseline | %d | %.3f | %.3f | %d |" % (b["requests"], b["p50_s"], b["p99_s"], b["5xx"]), file=sys.stderr)
    print("| attack | %d | %.3f | %.3f | %d |" % (a["requests"], a["p50_s"], a["p99_s"], a["5xx"]), file=sys.stderr)
    print("p99 ratio %.2f, RSS growth over the second half %.1f%%, restarts %d, /health not ready %s"
          % (report["p99_ratio"], 100 * growth, restarts, not_ready), file=sys.stderr)
    for goal, ok in goals.items():
        print(("PASS " if ok else "MISS ") + goal, file=sys.stderr)
    sys.exit(0 if all(goals.values()) else 1)


if __name__ == "__main__":
    main()
