#!/usr/bin/env python3
"""Prints, as a JSON list, the ids of a byte-level BPE vocabulary (tokenizer.json) whose bytes are
not valid UTF-8 on their own: pieces of multi-byte characters. A random model emits them freely,
and servers that hold back incomplete characters (llama.cpp's does) then stall a stream's text
until the character completes, which on random weights may be never. The load tests push these
ids to -100 in every engine so streams are timed on text, not on that quirk."""
import json
import sys


def byte_decoder():
    """GPT-2's byte-level alphabet: printable bytes map to themselves, the rest to U+0100 onwards."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(printable, chars)}


def main():
    vocab = json.load(open(sys.argv[1]))["model"]["vocab"]
    decode = byte_decoder()
    partial = []
    for token, token_id in vocab.items():
        if not all(ch in decode for ch in token):
            continue  # an added token such as <|endoftext|>, not byte-level text
        try:
            bytes(decode[ch] for ch in token).decode("utf-8")
        except UnicodeDecodeError:
            partial.append(token_id)
    print(json.dumps(sorted(partial)))


if __name__ == "__main__":
    main()
