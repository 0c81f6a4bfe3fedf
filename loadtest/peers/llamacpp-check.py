#!/usr/bin/env python3
"""Checks GGUF files from gguf-convert.py against an independent numpy GPT-2 forward pass.

The reference runs in float64 straight from model.safetensors; llama.cpp evaluates the same token
ids with logits for every position. Prints, per GGUF, the largest logit difference (absolute and
relative to the largest reference logit) and how many greedy next tokens agree, and fails when
either falls outside the bounds for the file's weight type. Run it with the llama.cpp peer's venv:

  .ovserve/peers/llamacpp/bin/python loadtest/peers/llamacpp-check.py \
      --hf /tmp/ovserve-bench/hf /tmp/ovserve-bench/gguf/model-f32.gguf /tmp/ovserve-bench/gguf/model-f16.gguf
"""
import argparse
import json
import sys
from pathlib import Path

import gguf
import llama_cpp
import numpy as np
from safetensors.numpy import load_file

# Per general.file_type: bound on max|llama.cpp - reference| / max|reference logit|, and whether
# every greedy next token must match. Even f32 weights differ by ~1e-3: ggml's CPU GELU rounds
# through an f16 lookup table, and the KV cache is f16 by default (as in the server). q8_0 may
# flip a near tie.
TOLERANCE = {
    gguf.LlamaFileType.ALL_F32: (5e-3, True),
    gguf.LlamaFileType.MOSTLY_F16: (1e-2, True),
    gguf.LlamaFileType.MOSTLY_Q8_0: (5e-2, False),
}
# Ordinary words that GPT-2's BPE keeps as one token each: llama.cpp must agree with the vocab.
SINGLE_TOKEN_WORDS = ["Ġthe", "Ġof", "Ġand", "Ġto", "Ġin"]


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)))


# llama.cpp's gpt2 graph uses the tanh approximation, so only configs asking for it are checked.
ACTIVATIONS = {"gelu_new": gelu_tanh, "gelu_pytorch_tanh": gelu_tanh, "gelu_fast": gelu_tanh}


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def causal_attention(x, w, n_head):
    """x: [T, E]. Conv1D weights are [in, out], so x @ W applies them as Hugging Face does."""
    t, e = x.shape
    qkv = x @ w["attn.c_attn.weight"] + w["attn.c_attn.bias"]
    q, k, v = (a.reshape(t, n_head, e // n_head).transpose(1, 0, 2) for a in np.split(qkv, 3, axis=-1))
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(e // n_head)
    scores = np.where(np.tril(np.ones((t, t), dtype=bool)), scores, -np.inf)
    out = (softmax(scores) @ v).transpose(1, 0, 2).reshape(t, e)
    return out @ w["attn.c_proj.weight"] + w["attn.c_proj.bias"]


def block(x, w, config, act):
    eps = config["layer_norm_epsilon"]
    x = x + causal_attention(layer_norm(x, w["ln_1.weight"], w["ln_1.bias"], eps), w, config["n_head"])
    h = layer_norm(x, w["ln_2.weight"], w["ln_2.bias"], eps)
    h = act(h @ w["mlp.c_fc.weight"] + w["mlp.c_fc.bias"])
    return x + h @ w["mlp.c_proj.weight"] + w["mlp.c_proj.bias"]


def reference_logits(hf_dir, config, ids):
    act = ACTIVATIONS.get(config.get("activation_function"))
    if act is None or config.get("scale_attn_by_inverse_layer_idx"):
        sys.exit("llamacpp-check: only tanh-GELU GPT-2 without per-layer attention scaling is modelled")
    weights = {k.removeprefix("transformer."): v.astype(np.float64) for k, v in load_file(hf_dir / "model.safetensors").items()}
    x = weights["wte.weight"][ids] + weights["wpe.weight"][: len(ids)]
    for i in range(config["n_layer"]):
        prefix = f"h.{i}."
        x = block(x, {k[len(prefix):]: v for k, v in weights.items() if k.startswith(prefix)}, config, act)
    x = layer_norm(x, weights["ln_f.weight"], weights["ln_f.bias"], config["layer_norm_epsilon"])
    return x @ weights.get("lm_head.weight", weights["wte.weight"]).T


def file_type(path):
    field = gguf.GGUFReader(path).fields["general.file_type"]
    return gguf.LlamaFileType(int(field.parts[-1][0]))


def llama_logits(llm, ids):
    llm.reset()
    llm.eval(ids)
    return np.array(llm.scores[: len(ids)], dtype=np.float64)


def tokenizer_agrees(llm, hf_dir):
    vocab = json.loads((hf_dir / "tokenizer.json").read_text())["model"]["vocab"]
    text = "".join(SINGLE_TOKEN_WORDS).replace("Ġ", " ").encode()
    return llm.tokenize(text, add_bos=False) == [vocab[w] for w in SINGLE_TOKEN_WORDS]


def check(path, hf_dir, ids, ref):
    ftype = file_type(path)
    llm = llama_cpp.Llama(model_path=str(path), n_ctx=len(ids), n_threads=2, logits_all=True, verbose=False)
    got = llama_logits(llm, ids)
    diff = np.abs(got - ref).max()
    scale = np.abs(ref).max()
    greedy = int((got.argmax(-1) == ref.argmax(-1)).sum())
    tokens_ok = tokenizer_agrees(llm, hf_dir)
    tolerance, all_greedy = TOLERANCE[ftype]
    ok = diff / scale < tolerance and (greedy == len(ids) or not all_greedy) and tokens_ok
    print(f"{path.name}: {ftype.name} max|diff| {diff:.3e} (max|logit| {scale:.3f}, relative {diff / scale:.2e}, "
          f"tolerance {tolerance:.0e}); greedy next tokens agree {greedy}/{len(ids)}; "
          f"tokenizer {'agrees' if tokens_ok else 'DISAGREES'} -> {'ok' if ok else 'FAIL'}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hf", type=Path, required=True, help="Hugging Face GPT-2 directory the GGUFs came from")
    parser.add_argument("--tokens", type=int, default=16, help="number of token ids evaluated")
    parser.add_argument("gguf", type=Path, nargs="+")
    args = parser.parse_args()
    config = json.loads((args.hf / "config.json").read_text())
    # Random ids below the vocabulary's last entry, which is <|endoftext|> in GPT-2.
    ids = np.random.default_rng(0).integers(0, config["vocab_size"] - 1, args.tokens).tolist()
    ref = reference_logits(args.hf, config, ids)
    results = [check(path, args.hf, ids, ref) for path in args.gguf]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
