#!/usr/bin/env python3
"""Converts a Hugging Face GPT-2 directory to GGUF for llama.cpp's `gpt2` architecture.

Reads config.json, model.safetensors (through safetensors.numpy, so no torch) and tokenizer.json
(byte-level BPE), and writes the hyperparameters, the tokenizer and the weights under llama.cpp's
gpt2 tensor names. Run it with the llama.cpp peer's venv (setup-llamacpp.sh):

  .ovserve/peers/llamacpp/bin/python loadtest/peers/gguf-convert.py \
      --in /tmp/ovserve-bench/hf --out /tmp/ovserve-bench/gguf/model-f16.gguf --type f16
"""
import argparse
import json
import sys
from pathlib import Path

import gguf
import numpy as np
from safetensors.numpy import load_file

QUANT_TYPES = {
    "f32": (gguf.GGMLQuantizationType.F32, gguf.LlamaFileType.ALL_F32),
    "f16": (gguf.GGMLQuantizationType.F16, gguf.LlamaFileType.MOSTLY_F16),
    "q8_0": (gguf.GGMLQuantizationType.Q8_0, gguf.LlamaFileType.MOSTLY_Q8_0),
}

# Per block: GGUF tensor kind, HF module, whether the HF weight is a Conv1D ([in, out], so it is
# transposed to the [out, in] layout llama.cpp's matmuls expect).
BLOCK_TENSORS = [
    (gguf.MODEL_TENSOR.ATTN_NORM, "ln_1", False),
    (gguf.MODEL_TENSOR.ATTN_QKV, "attn.c_attn", True),
    (gguf.MODEL_TENSOR.ATTN_OUT, "attn.c_proj", True),
    (gguf.MODEL_TENSOR.FFN_NORM, "ln_2", False),
    (gguf.MODEL_TENSOR.FFN_UP, "mlp.c_fc", True),
    (gguf.MODEL_TENSOR.FFN_DOWN, "mlp.c_proj", True),
]


def gguf_name(kind, suffix, bid=None):
    return gguf.TENSOR_NAMES[kind].format(bid=bid) + "." + suffix


def load_weights(hf_dir):
    """HF checkpoints saved from GPT2LMHeadModel prefix names with 'transformer.'; the original
    GPT-2 ones do not. Both are accepted."""
    weights = load_file(hf_dir / "model.safetensors")
    return {name.removeprefix("transformer."): w for name, w in weights.items()}


def hf_tensors(weights, n_layer):
    """Yields (gguf name, float32 array) in llama.cpp's gpt2 layout."""
    yield gguf_name(gguf.MODEL_TENSOR.TOKEN_EMBD, "weight"), weights["wte.weight"]
    yield gguf_name(gguf.MODEL_TENSOR.POS_EMBD, "weight"), weights["wpe.weight"]
    for bid in range(n_layer):
        for kind, module, conv1d in BLOCK_TENSORS:
            w = weights[f"h.{bid}.{module}.weight"]
            yield gguf_name(kind, "weight", bid), w.T if conv1d else w
            yield gguf_name(kind, "bias", bid), weights[f"h.{bid}.{module}.bias"]
    yield gguf_name(gguf.MODEL_TENSOR.OUTPUT_NORM, "weight"), weights["ln_f.weight"]
    yield gguf_name(gguf.MODEL_TENSOR.OUTPUT_NORM, "bias"), weights["ln_f.bias"]
    # The LM head is tied to the token embedding unless the checkpoint carries its own.
    yield gguf_name(gguf.MODEL_TENSOR.OUTPUT, "weight"), weights.get("lm_head.weight", weights["wte.weight"])


def encode(name, array, qtype):
    """Returns (data, raw dtype). 1-D tensors (norms, biases) and the position table, which is
    added rather than multiplied, stay f32 as in llama.cpp's own converter."""
    array = np.ascontiguousarray(array, dtype=np.float32)
    if array.ndim == 1 or name.startswith(gguf.TENSOR_NAMES[gguf.MODEL_TENSOR.POS_EMBD]):
        return array, gguf.GGMLQuantizationType.F32
    try:
        return gguf.quants.quantize(array, qtype), qtype
    except (NotImplementedError, gguf.quants.QuantError) as e:
        sys.exit(f"gguf-convert: gguf {qtype.name} quantization unavailable for {name}: {e}")


def add_hparams(writer, config, name, ftype):
    n_embd = config["n_embd"]
    writer.add_name(name)
    writer.add_file_type(ftype)
    writer.add_context_length(config["n_positions"])
    writer.add_embedding_length(n_embd)
    writer.add_block_count(config["n_layer"])
    writer.add_head_count(config["n_head"])
    writer.add_feed_forward_length(config.get("n_inner") or 4 * n_embd)
    writer.add_layer_norm_eps(config["layer_norm_epsilon"])


def vocab_tables(tokenizer, vocab_size):
    """Token strings and types indexed by id; ids the tokenizer lacks become unused padding."""
    ids = dict(tokenizer["model"]["vocab"])
    added = {t["id"]: t for t in tokenizer.get("added_tokens", [])}
    ids.update({t["content"]: i for i, t in added.items()})
    by_id = {i: tok for tok, i in ids.items()}
    tokens, types = [], []
    for i in range(vocab_size):
        if i not in by_id:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        elif i in added:
            tokens.append(by_id[i])
            types.append(gguf.TokenType.CONTROL if added[i].get("special") else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(by_id[i])
            types.append(gguf.TokenType.NORMAL)
    return tokens, types


def add_tokenizer(writer, tokenizer, config):
    model = tokenizer["model"]
    if model.get("type") != "BPE":
        sys.exit(f"gguf-convert: expected a BPE tokenizer, found {model.get('type')}")
    tokens, types = vocab_tables(tokenizer, config["vocab_size"])
    # Newer tokenizers.json files store merges as pairs, older ones as "a b" strings.
    merges = [m if isinstance(m, str) else " ".join(m) for m in model["merges"]]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-2")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(config["bos_token_id"])
    writer.add_eos_token_id(config["eos_token_id"])
    # GPT-2's tokenizer adds no special tokens, so prompt token counts match Hugging Face's.
    writer.add_add_bos_token(False)
    writer.add_add_eos_token(False)


def convert(hf_dir, out, type_name):
    config = json.loads((hf_dir / "config.json").read_text())
    tokenizer = json.loads((hf_dir / "tokenizer.json").read_text())
    if config.get("model_type") != "gpt2":
        sys.exit(f"gguf-convert: expected model_type gpt2, found {config.get('model_type')}")
    qtype, ftype = QUANT_TYPES[type_name]
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(out, "gpt2")
    add_hparams(writer, config, hf_dir.name, ftype)
    add_tokenizer(writer, tokenizer, config)
    for name, array in hf_tensors(load_weights(hf_dir), config["n_layer"]):
        data, raw = encode(name, array, qtype)
        writer.add_tensor(name, data, raw_dtype=raw)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in", dest="hf_dir", type=Path, required=True, help="Hugging Face GPT-2 directory")
    parser.add_argument("--out", type=Path, required=True, help="GGUF file to write")
    parser.add_argument("--type", choices=QUANT_TYPES, default="f16", help="matrix weight type (default f16)")
    args = parser.parse_args()
    convert(args.hf_dir, args.out, args.type)
    print(f"wrote {args.out} ({args.out.stat().st_size / 2**20:.0f} MiB, {args.type})")


if __name__ == "__main__":
    main()
