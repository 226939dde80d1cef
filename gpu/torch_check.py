#!/usr/bin/env python3
"""Runs, in Python torch, the batches DeviceBenchmark ran in the JVM, measures the device's matrix-multiply ceiling,
and prints the table of gpu/check.sh.

    python3 gpu/torch_check.py --results WORK/results.jsonl --exports WORK --device cuda

For every JVM measurement in the results file (one JSON object per line, written by DeviceBenchmark), the same
TorchScript runs on the same device over the same batch shapes: the texts' sequence lengths (lengths-NAME.txt, from
the JVM's tokenizer), grouped batch size x 16 at a time and sorted by length within a group when bucketing is on, as
the JVM's predictor does, each batch padded to its longest sequence. Token ids are random (the work does not depend on
them). Each timed pass copies every batch to the device and its logits back, as the JVM does; the best of two passes
after a warm-up counts. The export's FLOPs are counted from its config.json (every linear layer, plus attention's
two L x L products per layer) over the padded batches.
"""

import argparse
import json
import os
import time

import torch

BUCKET_WINDOW = 16


def batches(lengths, batch, bucketing):
    """The padded batch shapes the JVM's predictor makes from these sequence lengths."""
    shapes = []
    group = batch * BUCKET_WINDOW
    for start in range(0, len(lengths), group):
        part = lengths[start:start + group]
        order = sorted(range(len(part)), key=lambda i: (part[i], i)) if bucketing else list(range(len(part)))
        for first in range(0, len(order), batch):
            chosen = [part[i] for i in order[first:first + batch]]
            shapes.append(chosen)
    return shapes


def inputs(shapes, vocab, generator):
    """Host tensors for each batch: random ids, and a mask of each sequence's real tokens."""
    made = []
    for chosen in shapes:
        width = max(chosen)
        ids = torch.randint(5, vocab, (len(chosen), width), generator=generator)
        mask = torch.zeros((len(chosen), width), dtype=torch.long)
        for row, length in enumerate(chosen):
            mask[row, :length] = 1
        made.append((ids, mask))
    return made


def flops(config, shapes):
    """Multiply-adds x 2 of the encoder over padded batches, as in the BERT papers' counting."""
    hidden, layers = config["hidden_size"], config["num_hidden_layers"]
    intermediate = config.get("intermediate_size", 4 * hidden)
    total = 0
    for chosen in shapes:
        width = max(chosen)
        per_token = layers * (4 * hidden * hidden + 2 * hidden * intermediate)
        total += len(chosen) * (2 * width * per_token + layers * 4 * width * width * hidden)
    return total


def timed_pass(model, made, device):
    start = time.perf_counter()
    with torch.no_grad():
        for ids, mask in made:
            model(ids.to(device), mask.to(device)).float().cpu()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def measure(model, made, device):
    timed_pass(model, made[:max(1, len(made) // 10)], device)
    return min(timed_pass(model, made, device) for _ in range(2))


def ceiling(device, dtype, size):
    """TFLOP/s of a size^3 matrix multiply: the device's own rate at this precision."""
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    for _ in range(3):
        a @ b
    if device.type == "cuda":
        torch.cuda.synchronize()
    runs = 10
    start = time.perf_counter()
    for _ in range(runs):
        a @ b
    if device.type == "cuda":
        torch.cuda.synchronize()
    return 2 * size ** 3 * runs / (time.perf_counter() - start) / 1e12


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True, help="DeviceBenchmark's results file")
    parser.add_argument("--exports", required=True, help="the folder holding the exports the JVM ran")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--matmul", type=int, default=8192, help="the ceiling's matrix size")
    args = parser.parse_args()
    device = torch.device(args.device)
    folder = os.path.dirname(os.path.abspath(args.results))
    with open(args.results, encoding="utf-8") as f:
        results = [json.loads(line) for line in f if line.strip()]
    jvm = [r for r in results if "per_second" in r]
    differences = {(r["export"], r["texts"]): r for r in results if "max_difference" in r}

    ceilings = {}
    models = {}
    rows = []
    generator = torch.Generator().manual_seed(7)
    for result in jvm:
        export = result["export"]
        if export not in models:
            with open(os.path.join(args.exports, export, "config.json"), encoding="utf-8") as f:
                config = json.load(f)
            name = [n for n in os.listdir(os.path.join(args.exports, export)) if n.endswith(".pt")][0]
            model = torch.jit.load(os.path.join(args.exports, export, name), map_location=device).eval()
            dtype = next(model.parameters()).dtype
            models[export] = (model, config, dtype)
            if dtype not in ceilings:
                ceilings[dtype] = ceiling(device, dtype, args.matmul)
        model, config, dtype = models[export]
        with open(os.path.join(folder, "lengths-" + result["texts"] + ".txt"), encoding="utf-8") as f:
            lengths = [int(line) for line in f if line.strip()]
        shapes = batches(lengths, result["batch"], result["bucketing"])
        made = inputs(shapes, config["vocab_size"], generator)
        seconds = measure(model, made, device)
        python = len(lengths) / seconds
        work = flops(config, shapes)
        jvm_tflops = work * result["per_second"] / len(lengths) / 1e12
        difference = differences.get((export, result["texts"]))
        rows.append([export, str(dtype).replace("torch.", ""), result["texts"], str(result["batch"]),
                     "on" if result["bucketing"] else "off", f"{result['per_second']:,.0f}", f"{python:,.0f}",
                     f"{result['per_second'] / python:.2f}", f"{jvm_tflops:.2f}",
                     f"{jvm_tflops / ceilings[dtype]:.2f}",
                     "" if difference is None else difference["max_difference"].__format__(".1e")])
        print("measured", rows[-1], flush=True)

    print()
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, "
          + (torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"))
    for dtype, tflops in ceilings.items():
        print(f"matrix multiply {args.matmul}^3, {str(dtype).replace('torch.', '')}: {tflops:.1f} TFLOP/s")
    print()
    header = ["export", "precision", "texts", "batch", "bucketing", "JVM sequences/s", "Python sequences/s",
              "JVM / Python", "JVM TFLOP/s", "share of matmul", "largest |p - p(float32, CPU)|"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i < 5 else "---:" for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
