#!/usr/bin/env python3
"""transformers' answers on SmolLM2-135M-Instruct, the reference SmolLM2ReferenceTest holds us to.

transformers loads the staged GGUF itself (dequantizing the Q4_1 blocks to float32) and, in f32:
  - answers 10 fixed chat questions greedily (up to MAX_NEW tokens, stopping at <|im_end|>),
    recording the ids and, per step, the gap between the two best logits;
  - scores gettysburg.txt (public domain) teacher-forced and records its perplexity.
Prompts are rendered with the GGUF's chat template and tokenized with the tokenizer.json our
converter writes (transformers' own GGUF tokenizer is recorded beside it for comparison), so both
engines see the same ids. Not part of the tests; run from the repository root with the fixtures venv:
  ./ovserve convert --in .ovserve/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf --out /tmp/smollm2-ir
  .ovserve/fixtures-venv/bin/python models/src/test/resources/smollm2/make_reference.py /tmp/smollm2-ir
"""
import json
import math
import os
import sys

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../../../.."))
GGUF_DIR = os.path.join(ROOT, ".ovserve", "smollm2")
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MAX_NEW = 32
EOS = 2
QUESTIONS = [
    "What is the capital of France?",
    "Name three primary colors.",
    "How many days are there in a week?",
    "Write a haiku about the sea.",
    "What is 12 plus 30?",
    "Explain what a noun is in one sentence.",
    "Who wrote Romeo and Juliet?",
    "Give me a synonym for happy.",
    "What does a thermometer measure?",
    "Translate 'good morning' into Spanish.",
]


def main():
    ir_dir = sys.argv[1]
    ours = PreTrainedTokenizerFast(tokenizer_file=os.path.join(ir_dir, "tokenizer.json"))
    ours.chat_template = open(os.path.join(ir_dir, "chat_template.jinja")).read()
    theirs = AutoTokenizer.from_pretrained(GGUF_DIR, gguf_file=GGUF)
    model = AutoModelForCausalLM.from_pretrained(GGUF_DIR, gguf_file=GGUF, torch_dtype=torch.float32)
    model.eval()
    chats = []
    with torch.no_grad():
        for q in QUESTIONS:
            messages = [{"role": "user", "content": q}]
            text = ours.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            ids = ours(text, add_special_tokens=False)["input_ids"]
            their_ids = theirs(text, add_special_tokens=False)["input_ids"]
            out = model(torch.tensor([ids]), use_cache=True)
            new, gaps = [], []
            for _ in range(MAX_NEW):
                logits = out.logits[0, -1]
                top = torch.topk(logits, 2).values
                gaps.append(round(float(top[0] - top[1]), 5))
                nxt = int(torch.argmax(logits))
                new.append(nxt)
                if nxt == EOS:
                    break
                out = model(torch.tensor([[nxt]]), past_key_values=out.past_key_values, use_cache=True)
            answer = ours.decode(new, skip_special_tokens=True)
            print(repr(q), "->", repr(answer), flush=True)
            chats.append({"question": q, "prompt": text, "prompt_ids": ids,
                          "transformers_gguf_tokenizer_agrees": their_ids == ids,
                          "greedy_ids": new, "top2_gaps": gaps, "answer": answer})
        passage = open(os.path.join(HERE, "gettysburg.txt")).read()
        ids = ours(passage, add_special_tokens=False)["input_ids"]
        logits = model(torch.tensor([ids])).logits[0].double()
        logp = torch.log_softmax(logits[:-1], dim=-1)
        nll = -logp[torch.arange(len(ids) - 1), torch.tensor(ids[1:])].sum().item()
        ppl = math.exp(nll / (len(ids) - 1))
        print("perplexity", ppl, "over", len(ids) - 1, "predictions", flush=True)
    result = {"model": GGUF, "max_new_tokens": MAX_NEW, "eos": EOS, "chats": chats,
              "perplexity": {"text": "gettysburg.txt", "ids": ids, "value": ppl}}
    with open(os.path.join(HERE, "transformers-reference.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
