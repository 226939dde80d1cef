"""Runs notebooks/export_hf_model.ipynb end to end on a small BERT checkpoint made here, and keeps what it exports.

    python3 models/build/check_hf_export.py OUT_DIR [--gpu]

Needs transformers and torch (a workstation or a GPU machine, not the pipeline's own environment). Writes:

  OUT_DIR/hf-export-bert/        the notebook's export (fp32, traced on the CPU) of a 2-layer BertForSequenceClassification
                                 with random weights and a 2,000-token WordPiece vocabulary taken from the default model's
  OUT_DIR/hf-export-bert-reference.json  texts, the transformers tokenizer's ids and the original (untraced) model's logits
  OUT_DIR/checkpoints/           the checkpoints it made (not needed afterwards)

Both are kept in pipeline/src/test/resources/models/, where the test
`SentimentModelTest.loadsWhatTheExportNotebookWrites` loads the export with DJL and checks token ids and probabilities
against the reference. With --gpu it also runs the notebook's half-precision path on the GPU and times a
BERT-base-shaped export there in fp32 and fp16 against a large matrix multiply.
"""

import json
import os
import sys
import time

import torch
import transformers
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
NOTEBOOK = os.path.join(REPO, "notebooks", "export_hf_model.ipynb")
VOCABULARY = 2000
TEXTS = [
    "A wonderful film with a smart script and performances that stay with you.",
    "Dull, overlong and badly acted. I checked my watch three times.",
    "The plot was OK<br /><br />but the ending? Not so much...",
    "I loved it!",
    "Worst. Movie. Ever.",
    "An uneven but often brilliant thriller; the director's best work since the nineties, and the music is great.",
    "The acting was decent, the story slow, and the ending predictable " * 12,
    "Far longer than the position table: " + "a plot that wanders and wanders again, " * 90,
]


def make_checkpoint(folder, hidden, layers, heads, vocabulary_size=None, seed=7):
    """A BertForSequenceClassification with random weights and a WordPiece vocabulary, saved like a fine-tuned one."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(REPO, "models", "movie-sentiment", "tokenizer.json"), encoding="utf-8") as f:
        vocab = sorted(json.load(f)["model"]["vocab"].items(), key=lambda item: item[1])
    if vocabulary_size:
        vocab = vocab[:vocabulary_size]
    tokenizer = bert_tokenizer(dict(vocab), folder)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=heads, intermediate_size=4 * hidden, max_position_embeddings=512,
                        initializer_range=0.2,
                        id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1})
    model = BertForSequenceClassification(config).eval()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def bert_tokenizer(vocab, folder):
    """A fast BERT tokenizer (lower-casing WordPiece) over this vocabulary, as transformers' own classes build it.

    Releases before 5 take a vocab.txt file; release 5 takes the vocabulary itself (and ignores a file).
    """
    vocab_file = os.path.join(folder, "vocab.txt")
    with open(vocab_file, "w", encoding="utf-8") as f:
        f.writelines(token + "\n" for token in vocab)
    for make in (lambda: transformers.BertTokenizerFast(vocab_file=vocab_file, do_lower_case=True),
                 lambda: transformers.BertTokenizer(vocab=vocab, do_lower_case=True)):
        try:
            tokenizer = make()
        except (TypeError, ValueError, OSError):
            continue
        if len(tokenizer.get_vocab()) == len(vocab):
            return tokenizer
    raise RuntimeError(f"transformers {transformers.__version__} built no tokenizer with the {len(vocab)} tokens")


def run_notebook(checkpoint, out, half_precision):
    """Executes the notebook's code cells in order, with its settings pointed at this checkpoint and folder."""
    with open(NOTEBOOK, encoding="utf-8") as f:
        cells = [("".join(cell["source"])) for cell in json.load(f)["cells"] if cell["cell_type"] == "code"]
    namespace = {"__name__": "__notebook__"}
    exec(cells[0], namespace)
    namespace.update(CHECKPOINT=checkpoint, OUT=out, HALF_PRECISION=half_precision)
    for cell in cells[1:]:
        exec(cell, namespace)


def reference(checkpoint):
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = BertForSequenceClassification.from_pretrained(checkpoint).eval()
    cases = []
    for text in TEXTS:
        encoded = tokenizer(text, truncation=True, max_length=512, return_tensors="pt")
        with torch.no_grad():
            logits = model(**encoded).logits[0]
        cases.append({"text": text, "ids": encoded["input_ids"][0].tolist(), "logits": logits.tolist()})
    if sum(case["ids"].count(tokenizer.unk_token_id) for case in cases) > len(cases):
        raise RuntimeError("the tokenizer maps the sample texts to [UNK]: its vocabulary did not load")
    return cases


def time_forward(module, inputs, repeats):
    with torch.no_grad():
        for _ in range(3):
            module(*inputs)
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(repeats):
            module(*inputs)
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats


def matmul_flops(dtype, n=8192, repeats=10):
    a = torch.randn(n, n, device="cuda", dtype=dtype)
    b = torch.randn(n, n, device="cuda", dtype=dtype)
    seconds = time_forward(lambda x, y: x @ y, (a, b), repeats)
    return 2 * n ** 3 / seconds


def gpu_checks(out, scratch):
    print("GPU:", torch.cuda.get_device_name(0), "torch", torch.__version__)
    small = make_checkpoint(os.path.join(scratch, "checkpoint-small"), 32, 2, 2, VOCABULARY)
    run_notebook(small, os.path.join(out, "hf-export-bert-fp16"), True)
    loaded = torch.jit.load(os.path.join(out, "hf-export-bert-fp16", "model.pt"), map_location="cuda")
    worst = 0.0
    for case in reference(small):
        ids = torch.tensor([case["ids"]], device="cuda")
        with torch.no_grad():
            probabilities = torch.softmax(loaded(ids, torch.ones_like(ids), torch.zeros_like(ids)).float(), -1)
        worst = max(worst, (probabilities.cpu() - torch.softmax(torch.tensor(case["logits"]), -1)).abs().max().item())
    print(f"fp16 export on the GPU, reloaded: max probability difference to the fp32 original {worst:.2e}")

    base = make_checkpoint(os.path.join(scratch, "checkpoint-base"), 768, 12, 12)
    model = BertForSequenceClassification.from_pretrained(base, attn_implementation="eager").eval()
    batch, length = 32, 512
    flop_per_sequence = 12 * (24 * length * 768 ** 2 + 4 * length ** 2 * 768)
    ids = torch.randint(5, 20000, (batch, length), device="cuda")
    inputs = (ids, torch.ones_like(ids), torch.zeros_like(ids))
    rows = []
    for name, dtype in (("fp32", torch.float32), ("fp16", torch.float16)):
        namespace = {}
        exec(_wrapper_source(), namespace)
        exportable = namespace["LogitsOnly"](model.to("cuda", dtype), ["input_ids", "attention_mask", "token_type_ids"])
        with torch.no_grad():
            traced = torch.jit.trace(exportable, inputs, strict=False)
        seconds = time_forward(traced, inputs, 10)
        peak = matmul_flops(dtype)
        achieved = batch * flop_per_sequence / seconds
        rows.append((name, batch / seconds, achieved / 1e12, peak / 1e12, achieved / peak))
    print("| precision | sequences of 512 tokens per s | model TFLOP/s | 8192^3 matmul TFLOP/s | model / matmul |")
    print("|---|---:|---:|---:|---:|")
    for name, rate, achieved, peak, share in rows:
        print(f"| {name} | {rate:,.0f} | {achieved:.1f} | {peak:.1f} | {share:.2f} |")


def _wrapper_source():
    with open(NOTEBOOK, encoding="utf-8") as f:
        code = [("".join(cell["source"])) for cell in json.load(f)["cells"] if cell["cell_type"] == "code"]
    source = code[1]
    return "import torch\n" + source[source.index("class LogitsOnly"):source.index("exportable =")]


def main():
    out = os.path.abspath(sys.argv[1])
    scratch = os.path.join(out, "checkpoints")
    print("torch", torch.__version__, "transformers", transformers.__version__)
    checkpoint = make_checkpoint(os.path.join(scratch, "checkpoint"), 32, 2, 2, VOCABULARY)
    run_notebook(checkpoint, os.path.join(out, "hf-export-bert"), False)
    with open(os.path.join(out, "hf-export-bert-reference.json"), "w", encoding="utf-8") as f:
        json.dump({"torch": torch.__version__, "transformers": transformers.__version__,
                   "cases": reference(checkpoint)}, f, indent=1)
    print("wrote", os.path.join(out, "hf-export-bert"), sorted(os.listdir(os.path.join(out, "hf-export-bert"))))
    if "--gpu" in sys.argv:
        gpu_checks(out, scratch)


if __name__ == "__main__":
    main()
