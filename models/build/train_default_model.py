#!/usr/bin/python3
"""Trains the default movie-review sentiment model and writes it in the pipeline's model contract.

    /usr/bin/python3 models/build/train_default_model.py            (from the repository root)

Reads the labeled data in ../shared/data (never copied into the repository), holds out dev splits
before anything is learned, learns a WordPiece vocabulary and a deep averaging network over
unigram and hashed-bigram embeddings, prints a per-epoch table in the model card's format, and
writes models/movie-sentiment/ (TorchScript, tokenizer.json, config.json, serving.properties,
MODEL_CARD.md) plus the dev split ids and the tokenizer/model parity fixture for the Java tests.
Deterministic for a given seed on one thread (Debian's python3-torch 1.13, CPU).
"""

import argparse
import collections
import csv
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
from sklearn import metrics as skm
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wordpiece  # noqa: E402
from wordpiece import PAD, WordPiece  # noqa: E402

LABELS = ["NEGATIVE", "POSITIVE"]
MODEL_NAME = "movie-sentiment"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class DeepAveragingNetwork(nn.Module):
    """Mean of unigram and hashed-bigram embeddings, one tanh layer, logits for [NEGATIVE, POSITIVE].

    Positions beyond the attention mask are ignored, so a batch may be padded to any length.
    """

    def __init__(self, vocab_size, buckets, dim, hidden, num_labels, dropout):
        super().__init__()
        self.buckets = buckets
        self.unigrams = nn.Embedding(vocab_size, dim)
        self.bigrams = nn.Embedding(buckets, dim)
        self.hidden = nn.Linear(dim, hidden)
        self.out = nn.Linear(hidden, num_labels)
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids, attention_mask):
        mask = attention_mask.to(torch.float32)
        bigram_ids = (input_ids[:, :-1] * 1000003 + input_ids[:, 1:]) % self.buckets
        pair_mask = mask[:, :-1] * mask[:, 1:]
        total = (self.unigrams(input_ids).float() * mask.unsqueeze(-1)).sum(1)
        total = total + (self.bigrams(bigram_ids).float() * pair_mask.unsqueeze(-1)).sum(1)
        count = (mask.sum(1) + pair_mask.sum(1)).clamp(min=1.0).unsqueeze(-1)
        hidden = torch.tanh(self.hidden(self.dropout(total / count)))
        return self.out(self.dropout(hidden))


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def squash(text):
    return "".join(c for c in text.lower() if c.isalnum())


def split_data(data_dir, seed, imdb_dev_per_class):
    """Dev splits first: IMDB dev (stratified sample of the train file), SST-2 dev, and the
    rt-polarity snippets that contain an SST-2 dev sentence are dropped from training."""
    imdb = read_csv(os.path.join(data_dir, "imdb_aclImdb_v1_train.csv"))
    sst_train = read_csv(os.path.join(data_dir, "sst2_glue_train.csv"))
    sst_dev = read_csv(os.path.join(data_dir, "sst2_glue_dev.csv"))
    rt = read_csv(os.path.join(data_dir, "rt-polarity_v1.0_minus-sst2-test-snippets.csv"))

    rng = random.Random(seed)
    dev_ids = set()
    for label in ("0", "1"):
        ids = sorted(r["id"] for r in imdb if r["label"] == label)
        dev_ids.update(rng.sample(ids, imdb_dev_per_class))
    imdb_dev = [r for r in imdb if r["id"] in dev_ids]
    imdb_train = [r for r in imdb if r["id"] not in dev_ids]

    dev_sentences = [squash(r["text"]) for r in sst_dev]
    rt_train = [r for r in rt if not any(s in squash(r["text"]) for s in dev_sentences)]
    train = [(r["text"], int(r["label"])) for r in imdb_train + sst_train + rt_train]
    counts = {"imdb_train": len(imdb_train), "sst2_train": len(sst_train),
              "rt_train": len(rt_train), "rt_dropped": len(rt) - len(rt_train),
              "imdb_dev": len(imdb_dev), "sst2_dev": len(sst_dev)}
    return train, imdb_dev, sst_dev, counts


def batches(encoded, labels, batch_size, rng):
    """Length-sorted batches (little padding), in random order."""
    order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i]), i))
    groups = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(groups)
    for group in groups:
        yield tensors([encoded[i] for i in group]), torch.tensor([labels[i] for i in group])


def tensors(id_lists):
    width = max(len(ids) for ids in id_lists)
    input_ids = torch.full((len(id_lists), width), PAD, dtype=torch.int64)
    mask = torch.zeros((len(id_lists), width), dtype=torch.int64)
    for row, ids in enumerate(id_lists):
        input_ids[row, :len(ids)] = torch.tensor(ids, dtype=torch.int64)
        mask[row, :len(ids)] = 1
    return input_ids, mask


def predict(model, encoded, batch_size=256):
    model.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    probs = np.zeros((len(encoded), len(LABELS)))
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            group = order[start:start + batch_size]
            logits = model(*tensors([encoded[i] for i in group]))
            probs[group] = torch.softmax(logits.float(), dim=-1).numpy()
    return probs


def evaluate(probs, labels):
    """The model card's metrics: Loss, Accuracy, per-class F1 / Precision / Recall, Auc."""
    labels = np.asarray(labels)
    predicted = probs.argmax(axis=1)
    precision, recall, f1, _ = skm.precision_recall_fscore_support(labels, predicted, labels=[0, 1],
                                                                   zero_division=0)
    return {
        "loss": skm.log_loss(labels, probs, labels=[0, 1]),
        "accuracy": skm.accuracy_score(labels, predicted),
        "f1": f1.tolist(), "precision": precision.tolist(), "recall": recall.tolist(),
        "auc": skm.roc_auc_score(labels, probs[:, 1]),
    }


def table_row(train_loss, epoch, step, m):
    return (f"| {train_loss:.4f} | {epoch:.1f} | {step} | {m['loss']:.4f} | {m['accuracy']:.4f} | "
            f"{m['f1']} | {m['precision']} | {m['recall']} | {m['auc']:.4f} |")


TABLE_HEADER = ("| Training Loss | Epoch | Step | Validation Loss | Accuracy | F1 | Precision | Recall | Auc |\n"
                "|:-------------:|:-----:|:----:|:---------------:|:--------:|:--:|:---------:|:------:|:---:|")


def train(args):
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    started = time.time()

    train_rows, imdb_dev, sst_dev, counts = split_data(args.data, args.seed, args.imdb_dev_per_class)
    print("splits:", json.dumps(counts), flush=True)

    word_counts = collections.Counter()
    for text, _ in train_rows:
        word_counts.update(wordpiece.words_of(text))
    vocab = WordPiece.learn(word_counts, args.vocab_size)
    print(f"vocabulary: {len(vocab)} tokens from {len(word_counts)} distinct words", flush=True)

    encoded = [vocab.encode(text, args.max_length) for text, _ in train_rows]
    labels = [label for _, label in train_rows]
    imdb_dev_enc = [vocab.encode(r["text"], args.max_length) for r in imdb_dev]
    imdb_dev_labels = [int(r["label"]) for r in imdb_dev]
    sst_dev_enc = [vocab.encode(r["text"], args.max_length) for r in sst_dev]
    sst_dev_labels = [int(r["label"]) for r in sst_dev]
    unk = sum(ids.count(wordpiece.UNK) for ids in encoded) / sum(len(ids) for ids in encoded)
    print(f"tokenized {len(encoded)} training texts ({unk:.4%} [UNK])", flush=True)

    model = DeepAveragingNetwork(len(vocab), args.buckets, args.dim, args.hidden, len(LABELS), args.dropout)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    steps_per_epoch = math.ceil(len(encoded) / args.batch_size)
    total_steps = steps_per_epoch * args.epochs
    warmup = int(total_steps * args.warmup_ratio)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (total_steps - s) / (total_steps - warmup)))
    loss_fn = nn.CrossEntropyLoss()
    batch_rng = random.Random(args.seed)

    print(TABLE_HEADER, flush=True)
    rows, step = [], 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        running, seen = 0.0, 0
        for (input_ids, mask), target in batches(encoded, labels, args.batch_size, batch_rng):
            kept = mask * (torch.rand(mask.shape) >= args.token_dropout).to(torch.int64)
            loss = loss_fn(model(input_ids, kept), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            running += loss.item() * len(target)
            seen += len(target)
            step += 1
        dev = evaluate(predict(model, imdb_dev_enc), imdb_dev_labels)
        sst = evaluate(predict(model, sst_dev_enc), sst_dev_labels)
        row = table_row(running / seen, float(epoch), step, dev)
        rows.append(row)
        print(row + f"  (SST-2 dev accuracy {sst['accuracy']:.4f}; {time.time() - started:.0f} s)", flush=True)

    return model, vocab, rows, counts, (imdb_dev, imdb_dev_enc, imdb_dev_labels), (sst_dev_enc, sst_dev_labels)


class ExportedModel(nn.Module):
    """The trained network with its embedding tables stored in half precision (half the file size);
    embeddings are widened to float32 as they are looked up, so all arithmetic stays float32."""

    def __init__(self, model):
        super().__init__()
        self.net = model
        self.net.unigrams.weight.data = model.unigrams.weight.data.half()
        self.net.bigrams.weight.data = model.bigrams.weight.data.half()

    def forward(self, input_ids, attention_mask):
        return self.net(input_ids, attention_mask)


PARITY_TEXTS = [
    "A wonderful film with a smart script and performances that stay with you.",
    "Dull, overlong and badly acted. I checked my watch three times.",
    "The plot was OK<br /><br />but the ending? Not so much...",
    "Café society in Paris, naïve heroes, and a señor who steals the show!",
    "I can't recommend it enough: 10/10, would watch again.",
    "Worst. Movie. Ever!!!",
    "東京の夜を描いた映画 is beautiful to look at.",
    "The soundtrack 🎶 was great 😀 but the story was thin.",
    "فيلم رائع with subtitles that were clumsy",
    "",
    "   ",
    "Supercalifragilisticexpialidociously overproduced, underwritten and self-congratulatory.",
    "x" * 120 + " is a word too long to split",
    "Tab\tseparated\nand line\r\nbreaks, plus \u00a0non-breaking space.",
    "It's not bad -- it's just not good either; a 5/10 shrug of a movie.",
]


def write_model(args, model, vocab, rows, counts, imdb_dev, sst_dev):
    out = args.out
    os.makedirs(out, exist_ok=True)
    model.eval()
    exported = ExportedModel(model).eval()
    example = tensors([vocab.encode("a fine example"), vocab.encode("and another, longer example text")])
    with torch.no_grad():
        traced = torch.jit.trace(exported, example)
    pt_path = os.path.join(out, MODEL_NAME + ".pt")
    traced.save(pt_path)
    traced = torch.jit.load(pt_path)

    vocab.write(os.path.join(out, "tokenizer.json"))
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "BertTokenizer", "do_lower_case": True,
                   "model_max_length": args.max_length}, f, indent=2)
        f.write("\n")
    config = {
        "architectures": ["DeepAveragingNetwork"],
        "model_type": "deep-averaging-network",
        "id2label": {str(i): label for i, label in enumerate(LABELS)},
        "label2id": {label: i for i, label in enumerate(LABELS)},
        "problem_type": "single_label_classification",
        "max_position_embeddings": args.max_length,
        "vocab_size": len(vocab),
        "bigram_buckets": args.buckets,
        "embedding_size": args.dim,
        "hidden_size": args.hidden,
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(out, "serving.properties"), "w") as f:
        f.write("engine=PyTorch\n"
                f"option.modelName={MODEL_NAME}\n"
                "translatorFactory=ai.djl.huggingface.translator.TextClassificationTranslatorFactory\n"
                "includeTokenTypes=false\n"
                f"maxLength={args.max_length}\n")

    imdb_rows, imdb_enc, imdb_labels = imdb_dev
    sst_enc, sst_labels = sst_dev
    final_imdb = evaluate(predict(traced, imdb_enc), imdb_labels)
    final_sst = evaluate(predict(traced, sst_enc), sst_labels)

    build = os.path.join(REPO, "models", "build")
    with open(os.path.join(build, "imdb-dev-ids.txt"), "w") as f:
        f.write("\n".join(sorted(r["id"] for r in imdb_rows)) + "\n")

    parity = []
    for text in PARITY_TEXTS:
        ids = vocab.encode(text, args.max_length)
        with torch.no_grad():
            logits = traced(*tensors([ids]))[0].tolist()
        parity.append({"text": text, "ids": ids, "logits": logits})
    parity_path = os.path.join(REPO, "pipeline", "src", "test", "resources", "tokenizer-parity.json")
    os.makedirs(os.path.dirname(parity_path), exist_ok=True)
    with open(parity_path, "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in parity) + "\n]\n")

    size = sum(os.path.getsize(os.path.join(out, n)) for n in os.listdir(out))
    write_card(args, rows, counts, final_imdb, final_sst, len(vocab), size)
    print(f"wrote {out} ({size / 1e6:.1f} MB); exported model: IMDB dev accuracy {final_imdb['accuracy']:.4f} "
          f"AUC {final_imdb['auc']:.4f}; SST-2 dev accuracy {final_sst['accuracy']:.4f}", flush=True)


def write_card(args, rows, counts, imdb, sst, vocab_size, size):
    card = f"""---
library_name: djl
tags:
- sentiment-analysis
- movie-reviews
metrics:
- accuracy
- f1
- precision
- recall
model-index:
- name: {MODEL_NAME}
  results: []
---

# {MODEL_NAME}

The default model of this pipeline: a binary movie-review sentiment classifier
(labels `NEGATIVE`, `POSITIVE`) trained from scratch on IMDB, SST-2 and rt-polarity training data.
It achieves the following results on the IMDB dev split (2,500 reviews held out of the IMDB train file):
- Loss: {imdb['loss']:.4f}
- Accuracy: {imdb['accuracy']}
- F1: {imdb['f1']}
- Precision: {imdb['precision']}
- Recall: {imdb['recall']}
- Auc: {imdb['auc']:.4f}

On the SST-2 dev sentences (872, GLUE): Accuracy {sst['accuracy']:.4f}, Auc {sst['auc']:.4f}, Loss {sst['loss']:.4f}.

These numbers come from the exported TorchScript with reviews truncated to their first {args.max_length} tokens.
The pipeline's own score + evaluate on the same splits (`models/build/evaluate_default_model.sh`, default long-text
policy head-tail) is recorded in BENCHMARKS.md.

## Model description

A deep averaging network: the mean of {args.dim}-dimensional embeddings of every WordPiece token and of every
pair of adjacent tokens (bigrams hashed into {args.buckets} buckets), followed by one tanh layer of
{args.hidden} units and a linear layer giving the logits for `[NEGATIVE, POSITIVE]`. Embedding tables are
stored in half precision; arithmetic is float32. Traced TorchScript with
`forward(input_ids, attention_mask) -> logits` (int64 inputs), no token type ids. Folder size {size / 1e6:.1f} MB.

The tokenizer (`tokenizer.json`) is a {vocab_size}-token BERT-style WordPiece vocabulary learned from the
training text: `<br />` tags become spaces, then BERT normalization (lower-case, accents stripped), BERT
pre-tokenization and `[CLS] ... [SEP]`. The model has no position table: `max_position_embeddings` = {args.max_length}
is the length it was trained at.

## Intended uses & limitations

Scoring English movie reviews (user reviews and critics' snippets) as positive or negative. It reads words
and word pairs, not sentence structure: negation beyond adjacent words, irony and mixed reviews are its
weak spots. It was not trained on other domains or languages.

## Training and evaluation data

From the shared data folder (see its README for provenance and terms), split before anything was learned:
- training: {counts['imdb_train']} IMDB train reviews, {counts['sst2_train']} SST-2 train phrases,
  {counts['rt_train']} rt-polarity snippets ({counts['rt_dropped']} snippets containing an SST-2 dev sentence were dropped);
- evaluation: {counts['imdb_dev']} IMDB reviews (ids in `models/build/imdb-dev-ids.txt`, {args.imdb_dev_per_class} per class,
  seed {args.seed}) and the {counts['sst2_dev']} SST-2 dev sentences.

## Training procedure

Rebuild with `/usr/bin/python3 models/build/train_default_model.py` (Debian's python3-torch).

### Training hyperparameters

The following hyperparameters were used during training:
- learning_rate: {args.learning_rate}
- train_batch_size: {args.batch_size}
- eval_batch_size: 256
- seed: {args.seed}
- optimizer: Adam with betas=(0.9,0.999) and epsilon=1e-08
- lr_scheduler_type: linear
- lr_scheduler_warmup_ratio: {args.warmup_ratio}
- num_epochs: {args.epochs}
- dropout: {args.dropout}
- token_dropout: {args.token_dropout}
- max_length: {args.max_length}
- threads: {args.threads}

### Training results

{TABLE_HEADER}
""" + "\n".join(rows) + f"""

### Framework versions

- PyTorch {torch.__version__} (training, tracing)
- DJL 0.36.0 with PyTorch 2.7.1 and Hugging Face tokenizers (serving)
"""
    with open(os.path.join(args.out, "MODEL_CARD.md"), "w") as f:
        f.write(card)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    parser.add_argument("--out", default=os.path.join(REPO, "models", MODEL_NAME))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--imdb-dev-per-class", type=int, default=1250)
    parser.add_argument("--vocab-size", type=int, default=20000)
    parser.add_argument("--buckets", type=int, default=131072)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--token-dropout", type=float, default=0.1)
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--warmup-ratio", type=float, default=0.06)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    model, vocab, rows, counts, imdb_dev, sst_dev = train(args)
    write_model(args, model, vocab, rows, counts, imdb_dev, sst_dev)


if __name__ == "__main__":
    main()
