#!/usr/bin/env python3
"""Reference greedy ids from optimum-intel for our random Llama-family models (not part of the tests).

For each family, `ovserve random-model --arch FAMILY` (arguments below) writes a Hugging Face
directory; optimum-cli exports it (fp32 and fp16 weights, text-generation-with-past); optimum-intel's
OVModelForCausalLM generates 32 greedy tokens for each prompt at f32 inference precision, and
transformers does the same in PyTorch. The test (LlamaFamilyOptimumTest) regenerates the same
directories in Java, converts them with our converter and must produce the same ids.

Run from the repository root with the fixtures venv (torch, transformers, optimum-intel):
  .ovserve/fixtures-venv/bin/python models/src/test/resources/optimum/make_fixtures.py
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from optimum.intel import OVModelForCausalLM
from transformers import AutoModelForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../../../.."))
STEPS = 32
PROMPTS = [[256, 104, 101, 108, 108, 111, 32, 119], [5, 17, 250, 3, 99, 42, 7, 300, 1, 64, 65, 66], [100, 101]]
COMMON = {"layers": 2, "hidden": 64, "heads": 4, "intermediate": 96, "vocab": 384, "context": 256, "seed": 11,
          "init_std": 0.2}
FAMILIES = {"llama": {"kv_heads": 2}, "mistral": {"kv_heads": 1}, "qwen2": {"kv_heads": 2}, "qwen3": {"kv_heads": 2}}
F32 = {"INFERENCE_PRECISION_HINT": "f32", "KV_CACHE_PRECISION": "f32", "DYNAMIC_QUANTIZATION_GROUP_SIZE": "0"}


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def greedy_ov(model_dir):
    model = OVModelForCausalLM.from_pretrained(model_dir, ov_config=F32, compile=True)
    out = []
    for p in PROMPTS:
        ids = model.generate(torch.tensor([p]), attention_mask=torch.ones(1, len(p), dtype=torch.long),
                             max_new_tokens=STEPS, min_new_tokens=STEPS, do_sample=False, pad_token_id=0)
        out.append(ids[0, len(p):].tolist())
    return out


def greedy_torch(hf_dir):
    model = AutoModelForCausalLM.from_pretrained(hf_dir, torch_dtype=torch.float32, attn_implementation="eager")
    out, margins = [], []
    for p in PROMPTS:
        ids = torch.tensor([p])
        new, low = [], float("inf")
        with torch.no_grad():
            for _ in range(STEPS):
                logits = model(ids).logits[0, -1]
                top = torch.topk(logits, 2).values
                low = min(low, float(top[0] - top[1]))
                nxt = int(torch.argmax(logits))
                new.append(nxt)
                ids = torch.cat([ids, torch.tensor([[nxt]])], dim=1)
        out.append(new)
        margins.append(low)
    return out, margins


def main():
    cli = os.path.join(ROOT, "ovserve")
    result = {"steps": STEPS, "prompts": PROMPTS, "families": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for family, extra in FAMILIES.items():
            args = dict(COMMON, **extra)
            hf = os.path.join(tmp, family + "-hf")
            run(cli, "random-model", "--arch", family, "--out", hf, "--layers", str(args["layers"]),
                "--hidden", str(args["hidden"]), "--heads", str(args["heads"]), "--kv-heads", str(args["kv_heads"]),
                "--intermediate", str(args["intermediate"]), "--vocab", str(args["vocab"]),
                "--context", str(args["context"]), "--seed", str(args["seed"]), "--init-std", str(args["init_std"]),
                "--tokenizer", "bytes")
            entry = {"args": args}
            for fmt in ("fp32", "fp16"):
                ov = os.path.join(tmp, family + "-" + fmt)
                run(os.path.join(os.path.dirname(sys.executable), "optimum-cli"), "export", "openvino", "--model", hf,
                    "--task", "text-generation-with-past", "--weight-format", fmt, ov)
                entry["optimum_" + fmt] = greedy_ov(ov)
            entry["transformers"], entry["transformers_min_top2_gap"] = greedy_torch(hf)
            result["families"][family] = entry
            print(family, "optimum fp32 == transformers:", entry["optimum_fp32"] == entry["transformers"], flush=True)
    with open(os.path.join(HERE, "llama-family-greedy.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
