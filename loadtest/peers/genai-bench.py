#!/usr/bin/env python3
"""Peer benchmark: OpenVINO GenAI's continuous batching on the very IR and prompts ovserve's `bench` uses.

Runs openvino_genai.ContinuousBatchingPipeline offline with a scheduler configured like ovserve's
(2 GiB KV cache, 64 sequences, 2048 tokens a step, split prompts, prefix caching on), greedy, EOS
ignored, in the same closed loop as `ovserve bench`: at most C requests in flight, a finished one
making room for the next. Prints the same table as `ovserve bench`.

Prompts come from the JSON `ovserve bench --save-prompts FILE` writes (--prompts FILE), or are drawn
here: uniform random token ids, the first --shared-prefix of them common to all prompts.

GenAI reads its model from a directory: this script builds a working directory beside the IR
(IR_DIR-genai, or --work) with symlinks to the IR's files and the tokenizer IRs converted from its
tokenizer.json, so the IR directory itself is never written to.

Setup: loadtest/peers/setup-genai.sh, then run this with the Python it prints:
  .ovserve/peers/genai/bin/python loadtest/peers/genai-bench.py --model IR_DIR [options]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no hub here: the tokenizer converter must stay local

try:
    import numpy as np
    import openvino as ov
    import openvino_genai as genai
except ImportError as e:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(f"genai-bench: {e}.\nSet up the GenAI environment and run with its Python:\n"
             f"  {root}/loadtest/peers/setup-genai.sh\n"
             f"  {root}/.ovserve/peers/genai/bin/python {' '.join(sys.argv)}")

TABLE_HEADER = ("| concurrency | output tok/s | decode tok/s per sequence | req/s | TTFT p50 ms | TTFT p99 ms "
                "| ITL p50 ms | ITL p99 ms | wall s | preemptions |")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="OpenVINO IR directory (openvino_model.xml, tokenizer.json, ...)")
    p.add_argument("--work", help="working directory for GenAI (default: MODEL-genai beside the IR)")
    p.add_argument("--prompts", help="prompts JSON from `ovserve bench --save-prompts`")
    p.add_argument("--num-prompts", type=int, default=64)
    p.add_argument("--prompt-len", type=int, default=128)
    p.add_argument("--shared-prefix", type=int, default=0, help="leading tokens every prompt shares")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-tokens", type=int, help="new tokens per request (default: the prompts file's, else 128)")
    p.add_argument("--concurrency", default="16", help="one or more, e.g. 1,4,16,64")
    p.add_argument("--warmup", type=int, default=2, help="requests run first and not measured")
    p.add_argument("--kv-cache-size", type=int, default=2, help="KV cache size in GiB (GenAI takes whole ones)")
    p.add_argument("--max-num-seqs", type=int, default=64)
    p.add_argument("--max-num-batched-tokens", type=int, default=2048)
    p.add_argument("--prefix-caching", choices=("on", "off"), default="on")
    p.add_argument("--device", default="CPU")
    p.add_argument("--json-out", help="write the results here as JSON")
    p.add_argument("--save-outputs", help="write each measured prompt's generated ids (first concurrency) as JSON")
    a = p.parse_args()
    a.concurrency = [int(c) for c in a.concurrency.split(",")]
    if a.shared_prefix > a.prompt_len:
        p.error("--shared-prefix cannot exceed --prompt-len")
    return a


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def prepare_workdir(ir_dir, work):
    """Symlinks the IR's files into `work` and adds the tokenizer IRs GenAI looks for there."""
    os.makedirs(work, exist_ok=True)
    for name in os.listdir(ir_dir):
        src = os.path.join(ir_dir, name)
        dst = os.path.join(work, name)
        if os.path.isfile(src) and not os.path.lexists(dst):
            os.symlink(src, dst)
    if not os.path.exists(os.path.join(work, "openvino_tokenizer.xml")):
        convert_tokenizer(ir_dir, work)


def convert_tokenizer(ir_dir, work):
    """Inputs are token ids, so the tokenizer is never run; GenAI's pipelines expect one beside the model.
    Converted in a child process, so transformers never inflates this one's resident memory."""
    cli = os.path.join(os.path.dirname(sys.executable), "convert_tokenizer")
    done = subprocess.run([cli, ir_dir, "--with-detokenizer", "-o", work], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"genai-bench: tokenizer conversion failed:\n{done.stderr}")


def random_prompts(n, length, shared_prefix, vocab, seed):
    """Uniform random ids in [0, vocab); the first `shared_prefix` are the same in every prompt."""
    rng = np.random.default_rng(seed)
    prefix = rng.integers(0, vocab, shared_prefix).tolist()
    return [prefix + rng.integers(0, vocab, length - shared_prefix).tolist() for _ in range(n)]


def load_prompts(args, vocab):
    """The measured prompts, and their length and shared prefix (the file's, when given)."""
    if args.prompts:
        with open(args.prompts) as f:
            spec = json.load(f)
        args.prompt_len, args.shared_prefix = spec["prompt_len"], spec["shared_prefix"]
        args.max_tokens = args.max_tokens or spec.get("max_tokens")
        prompts = spec["prompts"]
    else:
        prompts = random_prompts(args.num_prompts, args.prompt_len, args.shared_prefix, vocab, args.seed)
    args.max_tokens = args.max_tokens or 128
    return prompts


def scheduler_config(args):
    s = genai.SchedulerConfig()
    s.cache_size = args.kv_cache_size
    s.max_num_seqs = args.max_num_seqs
    s.max_num_batched_tokens = args.max_num_batched_tokens
    s.dynamic_split_fuse = True  # like ovserve: long prompts are split across steps under the token budget
    s.enable_prefix_caching = args.prefix_caching == "on"
    return s


def generation_config(max_tokens):
    g = genai.GenerationConfig()
    g.do_sample = False
    g.max_new_tokens = max_tokens
    g.ignore_eos = True
    return g


class Request:
    """One request's ids, its submit time and the time each new token was read (perf_counter seconds)."""

    def __init__(self, handle, submitted):
        self.handle = handle
        self.submitted = submitted
        self.token_times = []
        self.ids = []

    def collect(self, now):
        """Reads the tokens the last step produced; True once the request is over."""
        while self.handle.can_read():
            for output in self.handle.read().values():
                self.ids += output.generated_ids
                self.token_times += [now] * len(output.generated_ids)
        return self.handle.get_status() != genai.GenerationStatus.RUNNING


class Runner:
    def __init__(self, pipe, max_tokens):
        self.pipe = pipe
        self.config = generation_config(max_tokens)
        self.max_tokens = max_tokens
        self.next_id = 0  # request ids stay unique over the pipeline's life

    def submit(self, prompt):
        ids = ov.Tensor(np.array([prompt], dtype=np.int64))
        self.next_id += 1
        submitted = time.perf_counter()  # before add_request, as ovserve stamps a request before submitting it
        return Request(self.pipe.add_request(self.next_id, ids, self.config), submitted)

    def run(self, prompts, concurrency):
        """Closed loop: at most `concurrency` requests in flight. Returns (wall seconds, requests in prompt order)."""
        done, active = [], []
        queue = list(prompts)
        start = time.perf_counter()
        while queue or active:
            while queue and len(active) < concurrency:
                active.append(self.submit(queue.pop(0)))
            self.pipe.step()
            now = time.perf_counter()
            finished = [r for r in active if r.collect(now)]
            active = [r for r in active if r not in finished]
            done += finished
        wall = time.perf_counter() - start
        for r in done:
            if len(r.ids) != self.max_tokens:
                raise AssertionError(f"request produced {len(r.ids)} tokens, not {self.max_tokens} "
                                     f"(status {r.handle.get_status()})")
        done.sort(key=lambda r: r.submitted)
        return wall, done


def pct(sorted_values, p):
    """Nearest rank, as ovserve's bench computes it."""
    if not sorted_values:
        return float("nan")
    i = math.ceil(p / 100 * len(sorted_values)) - 1
    return sorted_values[max(0, min(len(sorted_values) - 1, i))]


def summarize(concurrency, wall, requests):
    ttft = sorted((r.token_times[0] - r.submitted) * 1000 for r in requests)
    itl = sorted((b - a) * 1000 for r in requests for a, b in zip(r.token_times, r.token_times[1:]))
    tokens = sum(len(r.ids) for r in requests)
    return {
        "concurrency": concurrency,
        "output_tok_s": tokens / wall,
        "decode_tok_s_per_seq": 1000 / (sum(itl) / len(itl)) if itl else float("nan"),
        "req_s": len(requests) / wall,
        "ttft_p50_ms": pct(ttft, 50), "ttft_p99_ms": pct(ttft, 99),
        "itl_p50_ms": pct(itl, 50), "itl_p99_ms": pct(itl, 99),
        "wall_s": wall,
        "preemptions": None,  # GenAI's PipelineMetrics does not count them
        "ttft_ms_by_submission": [(r.token_times[0] - r.submitted) * 1000 for r in requests],
    }


def table_row(r):
    return ("| {concurrency} | {output_tok_s:.1f} | {decode_tok_s_per_seq:.1f} | {req_s:.2f} | {ttft_p50_ms:.1f} | "
            "{ttft_p99_ms:.1f} | {itl_p50_ms:.1f} | {itl_p99_ms:.1f} | {wall_s:.2f} | - |").format(**r)


def differing_prompts(runs):
    """How many prompts got different greedy ids at some concurrency than at the first one."""
    first = runs[0]
    return sum(any(run[i] != first[i] for run in runs[1:]) for i in range(len(first)))


def load_pipeline(work, args):
    """The pipeline, its scheduler config and the seconds it took to read and compile the model."""
    sched = scheduler_config(args)
    start = time.perf_counter()
    pipe = genai.ContinuousBatchingPipeline(work, sched, args.device, {"PERFORMANCE_HINT": "LATENCY"})
    return pipe, sched, time.perf_counter() - start


def write_json(path, args, ir_dir, num_prompts, load_s, rss, results):
    settings = {k: getattr(args, k) for k in ("device", "prompt_len", "shared_prefix", "max_tokens", "prefix_caching",
                                               "kv_cache_size", "max_num_seqs", "max_num_batched_tokens")}
    with open(path, "w") as f:
        json.dump({"engine": "openvino-genai", "openvino": ov.__version__, "openvino_genai": genai.__version__,
                   "model": ir_dir, "prompts": num_prompts, **settings,
                   "load_s": load_s, "rss_mib": rss, "results": results}, f, indent=2)


def main():
    args = parse_args()
    ir_dir = os.path.abspath(args.model)
    work = os.path.abspath(args.work or ir_dir + "-genai")
    prepare_workdir(ir_dir, work)
    with open(os.path.join(ir_dir, "config.json")) as f:
        vocab = json.load(f)["vocab_size"]
    prompts = load_prompts(args, vocab)

    print(f"openvino {ov.__version__}, openvino_genai {genai.__version__}; device {args.device}; "
          f"model {ir_dir} (via {work})")
    rss = {"before_load": rss_mib()}
    pipe, sched, load_s = load_pipeline(work, args)
    rss["after_load"] = rss_mib()
    print(f"load+compile {load_s:.2f} s; " + " ".join(sched.to_string().split()))
    print(f"{len(prompts)} prompts x {args.prompt_len} tokens (shared prefix {args.shared_prefix}), "
          f"{args.max_tokens} new tokens, prefix caching {args.prefix_caching}")

    runner = Runner(pipe, args.max_tokens)
    # Like ovserve's bench: warm-up prompts of the same shape from the next seed, one at a time.
    runner.run(random_prompts(max(1, args.warmup), args.prompt_len, args.shared_prefix, vocab, args.seed + 1), 1)
    rss["after_warmup"] = rss_mib()
    print("resident memory: {before_load:.0f} MiB before load; {after_load:.0f} MiB after load; "
          "{after_warmup:.0f} MiB after warm-up; ".format(**rss)
          + f"KV cache allocated {pipe.get_metrics().kv_cache_size_in_bytes / 2**20:.0f} MiB")

    print(TABLE_HEADER)
    print("|---|---|---|---|---|---|---|---|---|---|")
    results, outputs = [], []
    for c in args.concurrency:
        wall, requests = runner.run(prompts, c)
        results.append(summarize(c, wall, requests))
        outputs.append([r.ids for r in requests])
        print(table_row(results[-1]), flush=True)
    if len(outputs) > 1:
        print(f"greedy outputs differing across concurrency levels: "
              f"{differing_prompts(outputs)} of {len(prompts)} prompts")

    if args.save_outputs:
        with open(args.save_outputs, "w") as f:
            json.dump(outputs[0], f)
    if args.json_out:
        write_json(args.json_out, args, ir_dir, len(prompts), load_s, rss, results)


if __name__ == "__main__":
    main()
