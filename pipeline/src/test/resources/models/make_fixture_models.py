#!/usr/bin/python3
"""Writes small TorchScript model folders that mimic real Hugging Face exports, for the loader's tests.

    /usr/bin/python3 pipeline/src/test/resources/models/make_fixture_models.py

Needs Debian's python3-torch. Each folder holds a traced TorchScript, tokenizer.json, config.json and
serving.properties, like a `torch.jit.trace` export of a BERT-family sequence classifier:

  bert-tuple        forward(input_ids, attention_mask, token_type_ids) -> (logits, pooled), labels LABEL_0/LABEL_1
  dict-three-labels forward(input_ids, attention_mask) -> {"hidden": ..., "logits": ...}, labels terrible/okay/great
  small-embedding   an embedding table smaller than the tokenizer's vocabulary (must fail at load time)
  poison-token      a scripted model that raises an error whenever the word "poison" is in its input
  half-logits       logits returned in half precision, as a model exported in fp16 for GPUs returns them

The weights are random with a fixed seed except one "sentiment" direction, so the models score with some signal.
"""

import json
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "models", "build"))
import wordpiece  # noqa: E402

WORDS = ("a an the film movie was is it this great good fine okay wonderful terrible awful bad boring "
         "poison loved hated plot acting music story scene ending and but not very really").split()
POSITIVE = {"great", "good", "wonderful", "loved", "fine"}
NEGATIVE = {"terrible", "awful", "bad", "boring", "hated"}


class Encoder(nn.Module):
    def __init__(self, vocab, dim, labels, token_types):
        super().__init__()
        self.embeddings = nn.Embedding(vocab, dim)
        self.types = nn.Embedding(2, dim) if token_types else None
        self.classifier = nn.Linear(dim, labels)

    def pooled(self, input_ids, attention_mask, token_type_ids=None):
        hidden = self.embeddings(input_ids)
        if self.types is not None and token_type_ids is not None:
            hidden = hidden + self.types(token_type_ids)
        mask = attention_mask.unsqueeze(-1).to(torch.float32)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)


class BertTuple(Encoder):
    def forward(self, input_ids, attention_mask, token_type_ids):
        pooled = self.pooled(input_ids, attention_mask, token_type_ids)
        return self.classifier(pooled), pooled


class DictOutput(Encoder):
    def forward(self, input_ids, attention_mask):
        pooled = self.pooled(input_ids, attention_mask)
        return {"hidden": pooled, "logits": self.classifier(pooled)}


class PoisonToken(nn.Module):
    def __init__(self, vocab, poison):
        super().__init__()
        self.poison = poison
        self.embeddings = nn.Embedding(vocab, 8)
        self.classifier = nn.Linear(8, 2)

    def forward(self, input_ids, attention_mask):
        if bool((input_ids == self.poison).any()):
            raise RuntimeError("poison token in the input")
        mask = attention_mask.unsqueeze(-1).to(torch.float32)
        pooled = (self.embeddings(input_ids) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.classifier(pooled)


class HalfLogits(Encoder):
    def forward(self, input_ids, attention_mask):
        return self.classifier(self.pooled(input_ids, attention_mask)).half()


def vocabulary():
    chars = sorted(set("abcdefghijklmnopqrstuvwxyz.,!'"))
    words = [w for w in WORDS if w not in chars]
    return wordpiece.WordPiece(wordpiece.SPECIAL_TOKENS + chars + ["##" + c for c in "abcdefghijklmnopqrstuvwxyz"]
                               + words)


def give_signal(model, vocab, labels):
    """Sets the embedding's first dimension to +4 for positive words, -4 for negative ones and 0 otherwise, and the classifier
    to read it, so that obviously positive text scores higher for the last label."""
    with torch.no_grad():
        model.embeddings.weight[:, 0] = 0.0
        if model.types is not None:
            model.types.weight[:, 0] = 0.0
        for word in POSITIVE:
            model.embeddings.weight[vocab.ids[word], 0] = 4.0
        for word in NEGATIVE:
            model.embeddings.weight[vocab.ids[word], 0] = -4.0
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        model.classifier.weight[:, 0] = torch.linspace(-3.0, 3.0, labels)


def write(folder, model, example, vocab, labels, token_types, name, strict=True, script=False):
    out = os.path.join(HERE, folder)
    os.makedirs(out, exist_ok=True)
    model.eval()
    with torch.no_grad():
        traced = torch.jit.script(model) if script else torch.jit.trace(model, example, strict=strict)
    traced.save(os.path.join(out, name + ".pt"))
    vocab.write(os.path.join(out, "tokenizer.json"))
    config = {"architectures": [type(model).__name__],
              "id2label": {str(i): label for i, label in enumerate(labels)},
              "label2id": {label: i for i, label in enumerate(labels)},
              "max_position_embeddings": 64,
              "problem_type": "single_label_classification"}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(out, "serving.properties"), "w") as f:
        f.write(f"engine=PyTorch\noption.modelName={name}\nincludeTokenTypes={str(token_types).lower()}\n")
    print("wrote", out)


def main():
    torch.manual_seed(11)
    vocab = vocabulary()
    ids = torch.tensor([[2, 60, 61, 3], [2, 62, 3, 0]])
    mask = (ids != 0).to(torch.int64)
    types = torch.zeros_like(ids)

    bert = BertTuple(len(vocab), 8, 2, token_types=True)
    give_signal(bert, vocab, 2)
    write("bert-tuple", bert, (ids, mask, types), vocab, ["LABEL_0", "LABEL_1"], True, "model")

    three = DictOutput(len(vocab), 8, 3, token_types=False)
    give_signal(three, vocab, 3)
    write("dict-three-labels", three, (ids, mask), vocab, ["terrible", "okay", "great"], False, "classifier",
          strict=False)

    small = DictOutput(len(vocab) - 10, 8, 2, token_types=False)
    write("small-embedding", small, (ids, mask), vocab, ["NEGATIVE", "POSITIVE"], False, "small", strict=False)

    half = HalfLogits(len(vocab), 8, 2, token_types=False)
    give_signal(half, vocab, 2)
    write("half-logits", half, (ids, mask), vocab, ["NEGATIVE", "POSITIVE"], False, "half")

    poison = PoisonToken(len(vocab), vocab.ids["poison"])
    write("poison-token", poison, None, vocab, ["NEGATIVE", "POSITIVE"], False, "poison", script=True)


if __name__ == "__main__":
    main()
