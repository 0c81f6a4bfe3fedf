#!/usr/bin/env python3
"""Makes the GGUF test fixtures with the `gguf` PyPI package (llama.cpp's own Python writer and
numpy quantizer), an implementation independent of ours.

  quants.gguf / quants.expected.json
      one tensor per type (F32, F16, BF16, Q8_0, Q4_0, Q4_1) and metadata of every value type;
      the JSON holds gguf's numpy dequantization of each tensor and the metadata values.
  tiny-llama-f32.gguf / tiny-llama-q4_1.gguf
      the random Llama from `ovserve random-model --arch llama` (arguments in TINY_LLAMA_ARGS)
      written as llama.cpp's convert_hf_to_gguf.py writes Llama: q/k rows permuted to the
      interleaved rotary layout, its tokenizer as tokenizer.ggml.* fields, a ChatML template.

Run (not part of the tests):
  .ovserve/gguf-venv/bin/pip install gguf==0.19.0 numpy   # once
  ./ovserve random-model --arch llama $TINY_LLAMA_ARGS --out /tmp/tiny-llama-hf
  .ovserve/gguf-venv/bin/python models/src/test/resources/gguf/make_fixtures.py /tmp/tiny-llama-hf
"""
import json
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q
from gguf.quants import quantize, dequantize

TINY_LLAMA_ARGS = "--layers 2 --heads 4 --kv-heads 2 --hidden 32 --intermediate 64 --vocab 300 --context 64 --seed 5 --init-std 0.2"
HERE = os.path.dirname(os.path.abspath(__file__))
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
          "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")


def quants():
    rng = np.random.default_rng(7)
    path = os.path.join(HERE, "quants.gguf")
    w = gguf.GGUFWriter(path, "llama")
    meta = {}
    def put(key, value, fn):
        fn(key, value)
        meta[key] = value
    put("test.u8", 200, w.add_uint8)
    put("test.i8", -100, w.add_int8)
    put("test.u16", 60000, w.add_uint16)
    put("test.i16", -30000, w.add_int16)
    put("test.u32", 4000000000, w.add_uint32)
    put("test.i32", -2000000000, w.add_int32)
    put("test.f32", 0.25, w.add_float32)
    put("test.bool", True, w.add_bool)
    put("test.string", "héllo ✓", w.add_string)
    put("test.u64", 2**40 + 3, w.add_uint64)
    put("test.i64", -(2**40), w.add_int64)
    put("test.f64", 1.0 / 3.0, w.add_float64)
    put("test.strings", ["a", "bc", "<|im_end|>"], w.add_array)
    put("test.ints", [1, -2, 3], w.add_array)
    tensors = {}
    specs = [("plain_f32", Q.F32, (3, 40)), ("half_f16", Q.F16, (4, 64)), ("brain_bf16", Q.BF16, (2, 32)),
             ("block_q8_0", Q.Q8_0, (4, 64)), ("block_q4_0", Q.Q4_0, (5, 96)), ("block_q4_1", Q.Q4_1, (6, 64))]
    for name, qtype, shape in specs:
        data = (rng.standard_normal(shape) * 0.7 + rng.standard_normal((shape[0], 1)) * 0.3).astype(np.float32)
        if name == "block_q4_1":
            data[1, :32] = 0.5  # a flat block: scale 0, everything in the minimum
        if qtype == Q.F32:
            raw, expected = data, data
            w.add_tensor(name, raw)
        elif qtype == Q.F16:
            raw = data.astype(np.float16)
            expected = raw.astype(np.float32)
            w.add_tensor(name, raw)
        else:
            raw = quantize(data, qtype)
            expected = dequantize(raw, qtype)
            w.add_tensor(name, raw, raw_shape=raw.shape, raw_dtype=qtype)
        tensors[name] = {"type": qtype.name, "shape": list(shape), "values": [float(v) for v in expected.reshape(-1)]}
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    with open(os.path.join(HERE, "quants.expected.json"), "w") as f:
        json.dump({"metadata": meta, "tensors": tensors}, f)


def permute(weights, n_head):
    # convert_hf_to_gguf.py, LlamaModel.permute: rotate-half pairs → interleaved pairs
    return (weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
            .swapaxes(1, 2).reshape(weights.shape))


def tiny_llama(hf_dir, qtype, file_name):
    from safetensors_reader import read_safetensors
    cfg = json.load(open(os.path.join(hf_dir, "config.json")))
    tok = json.load(open(os.path.join(hf_dir, "tokenizer.json")))
    tensors = read_safetensors(os.path.join(hf_dir, "model.safetensors"))
    w = gguf.GGUFWriter(os.path.join(HERE, file_name), "llama")
    w.add_name("tiny random llama")
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(cfg["num_attention_heads"])
    w.add_head_count_kv(cfg["num_key_value_heads"])
    w.add_rope_freq_base(cfg["rope_theta"])
    w.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
    w.add_rope_dimension_count(cfg["hidden_size"] // cfg["num_attention_heads"])
    w.add_vocab_size(cfg["vocab_size"])
    vocab = dict(tok["model"]["vocab"])
    for a in tok["added_tokens"]:
        vocab[a["content"]] = a["id"]
    special = {a["id"] for a in tok["added_tokens"] if a["special"]}
    tokens = [None] * cfg["vocab_size"]
    for t, i in vocab.items():
        tokens[i] = t
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt2")
    w.add_token_list(tokens)
    w.add_token_types([3 if i in special else 1 for i in range(len(tokens))])
    w.add_token_merges(tok["model"]["merges"])
    w.add_bos_token_id(cfg["bos_token_id"])
    w.add_eos_token_id(cfg["eos_token_id"])
    w.add_add_bos_token(False)
    w.add_chat_template(CHATML)
    names = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
             "lm_head.weight": "output.weight"}
    layer = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
             "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
             "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
    for name, data in tensors.items():
        if name in names:
            gname = names[name]
        else:
            _, _, i, rest = name.split(".", 3)
            part = rest.rsplit(".", 1)[0]
            gname = f"blk.{i}.{layer[part]}.weight"
        if name.endswith("q_proj.weight"):
            data = permute(data, cfg["num_attention_heads"])
        elif name.endswith("k_proj.weight"):
            data = permute(data, cfg["num_key_value_heads"])
        if data.ndim == 2 and qtype != Q.F32:
            raw = quantize(data, qtype)
            w.add_tensor(gname, raw, raw_shape=raw.shape, raw_dtype=qtype)
        else:
            w.add_tensor(gname, data)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    quants()
    if len(sys.argv) > 1:
        tiny_llama(sys.argv[1], Q.F32, "tiny-llama-f32.gguf")
        tiny_llama(sys.argv[1], Q.Q4_1, "tiny-llama-q4_1.gguf")
