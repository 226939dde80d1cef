#!/usr/bin/python3
"""Writes a BERT-shaped sequence classifier with random weights, for benchmarks only.

    /usr/bin/python3 models/build/make_bert_shaped_model.py [--layers 4 --hidden 512 --heads 8 --out DIR]
        [--name bert-small] [--dtype float32|float16] [--device cpu|cuda]

The default shape is Google's BERT-Small (4 layers, hidden 512, 8 heads, feed-forward 2048): production-shaped
compute that fits a benchmark on 2 CPU cores (BERT-base, 12 x 768, is about 6 times the work per token). Word,
position and token-type embeddings, a LayerNorm, a stack of post-norm transformer encoder layers (GELU), a tanh
pooler on [CLS] and a 2-label classifier, traced as forward(input_ids, attention_mask) -> logits; the vocabulary and
tokenizer are the default model's, so any review tokenizes as in production. The output (about 60 MB) is not
committed (about 90 MB): benchmarks look for it in target/bench-models/bert-small. BERT-base is
--layers 12 --hidden 768 --heads 12 (about 440 MB in float32). --dtype float16 halves the weights before tracing, as an
export for GPUs does; trace it with --device cuda (CPU kernels of older torch lack half-precision LayerNorm). The
random weights come from one seed, so a float16 export is the float32 one halved.
"""

import argparse
import json
import os
import shutil

import torch
from torch import nn

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class BertShaped(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, intermediate, positions, labels):
        super().__init__()
        self.words = nn.Embedding(vocab, hidden)
        self.positions = nn.Embedding(positions, hidden)
        self.types = nn.Embedding(2, hidden)
        self.norm = nn.LayerNorm(hidden, eps=1e-12)
        layer = nn.TransformerEncoderLayer(hidden, heads, intermediate, dropout=0.0, activation="gelu",
                                           batch_first=True, layer_norm_eps=1e-12)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.pooler = nn.Linear(hidden, hidden)
        self.classifier = nn.Linear(hidden, labels)

    def forward(self, input_ids, attention_mask):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.words(input_ids) + self.positions(positions) + self.types(torch.zeros_like(input_ids))
        x = self.encoder(self.norm(x), src_key_padding_mask=attention_mask == 0)
        return self.classifier(torch.tanh(self.pooler(x[:, 0])))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--intermediate", type=int, default=None, help="default: 4 x hidden")
    parser.add_argument("--tokenizer", default=os.path.join(REPO, "models", "movie-sentiment", "tokenizer.json"))
    parser.add_argument("--out", default=os.path.join(REPO, "target", "bench-models", "bert-small"))
    parser.add_argument("--name", default="bert-small", help="the TorchScript file's and the model's name")
    parser.add_argument("--dtype", choices=["float32", "float16"], default="float32")
    parser.add_argument("--device", default="cpu", help="where to trace: cpu or cuda")
    args = parser.parse_args()
    intermediate = args.intermediate or 4 * args.hidden
    with open(args.tokenizer, encoding="utf-8") as f:
        vocab = max(json.load(f)["model"]["vocab"].values()) + 1

    torch.manual_seed(7)
    model = BertShaped(vocab, args.hidden, args.layers, args.heads, intermediate, 512, 2).eval()
    ids = torch.randint(5, vocab, (2, 16), device=args.device)
    model = model.to(args.device, getattr(torch, args.dtype))
    mask = torch.ones_like(ids)
    mask[1, 10:] = 0
    with torch.no_grad():
        traced = torch.jit.trace(model, (ids, mask))
        tolerance = 1e-5 if args.dtype == "float32" else 1e-2
        assert torch.allclose(traced(ids, mask), model(ids, mask), atol=tolerance)
    os.makedirs(args.out, exist_ok=True)
    traced.save(os.path.join(args.out, args.name + ".pt"))
    shutil.copy(args.tokenizer, os.path.join(args.out, "tokenizer.json"))
    config = {"architectures": ["BertShaped"], "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
              "label2id": {"NEGATIVE": 0, "POSITIVE": 1}, "problem_type": "single_label_classification",
              "max_position_embeddings": 512, "vocab_size": vocab, "hidden_size": args.hidden,
              "num_hidden_layers": args.layers, "num_attention_heads": args.heads,
              "intermediate_size": intermediate}
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "serving.properties"), "w") as f:
        f.write("engine=PyTorch\noption.modelName=" + args.name + "\nincludeTokenTypes=false\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
