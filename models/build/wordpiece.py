"""A BERT-style WordPiece tokenizer: learns a vocabulary and writes a tokenizer.json.

The tokenizer.json written here is read by Hugging Face tokenizers (and so by DJL's
HuggingFaceTokenizer). The Python encoding below mirrors what that library does with it:

  normalizer     Replace(<br />-style line breaks -> space), then BertNormalizer
                 (clean text, pad CJK ideographs, strip accents, lower-case)
  pre-tokenizer  BertPreTokenizer (split on whitespace, isolate punctuation)
  model          WordPiece, greedy longest match first, "##" continuation, [UNK] fallback
  post-processor TemplateProcessing: [CLS] $A [SEP]

so that the model is trained on exactly the ids the pipeline will feed it
(tests/tokenizer-parity.json pins that down).
"""

import collections
import json
import re
import unicodedata

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP = 0, 1, 2, 3
MAX_CHARS_PER_WORD = 100
LINE_BREAK_TAG = r"<\s*br\s*/?\s*>"
_LINE_BREAK_RE = re.compile(LINE_BREAK_TAG, re.IGNORECASE)


def _is_whitespace(c):
    return c in " \t\n\r" or c.isspace()


def _is_control(c):
    if c in "\t\n\r":
        return False
    return unicodedata.category(c).startswith("C")


def _is_punctuation(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def normalize(text):
    """Replace line-break tags, then BertNormalizer(clean, CJK, strip accents, lowercase)."""
    text = _LINE_BREAK_RE.sub(" ", text)
    out = []
    for c in text:
        cp = ord(c)
        if cp == 0 or cp == 0xFFFD or _is_control(c):
            continue
        if _is_whitespace(c):
            out.append(" ")
        elif _is_cjk(cp):
            out.append(" " + c + " ")
        else:
            out.append(c)
    text = unicodedata.normalize("NFD", "".join(out))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text.lower()


def pre_tokenize(normalized):
    """BertPreTokenizer: words split on whitespace, each punctuation char its own word."""
    words = []
    for chunk in normalized.split():
        current = []
        for c in chunk:
            if _is_punctuation(c):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(c)
            else:
                current.append(c)
        if current:
            words.append("".join(current))
    return words


def words_of(text):
    return pre_tokenize(normalize(text))


class WordPiece:
    """A WordPiece vocabulary with BERT's greedy longest-match-first encoding."""

    def __init__(self, tokens):
        self.tokens = list(tokens)
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        self._cache = {}

    def __len__(self):
        return len(self.tokens)

    def word_ids(self, word):
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        ids = self._split(word)
        if len(self._cache) < 2_000_000:
            self._cache[word] = ids
        return ids

    def _split(self, word):
        if len(word) > MAX_CHARS_PER_WORD:
            return [UNK]
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    found = self.ids[piece]
                    break
                end -= 1
            if found is None:
                return [UNK]
            pieces.append(found)
            start = end
        return pieces

    def encode(self, text, max_length=None):
        """Ids with [CLS] ... [SEP]; truncation keeps the head, as the tokenizer's default does."""
        ids = [CLS]
        for word in words_of(text):
            ids.extend(self.word_ids(word))
        ids.append(SEP)
        if max_length is not None and len(ids) > max_length:
            ids = ids[: max_length - 1] + [SEP]
        return ids

    @staticmethod
    def learn(word_counts, size, min_char_count=20):
        """Learns a vocabulary of `size` tokens from word frequencies.

        Specials, then every frequent character (word-initial and "##" continuation), then the most
        frequent whole words, then the most frequent word-initial prefixes and "##" suffixes of the
        words left out, each weighted by how often those words occur.
        """
        chars = collections.Counter()
        for word, n in word_counts.items():
            for i, c in enumerate(word):
                chars[c if i == 0 else "##" + c] += n
        tokens = list(SPECIAL_TOKENS)
        tokens += sorted(t for t, n in chars.items() if n >= min_char_count)
        seen = set(tokens)
        budget = size - len(tokens)
        ranked = [w for w, _ in word_counts.most_common() if w not in seen]
        whole = ranked[: int(budget * 0.85)]
        tokens += whole
        seen.update(whole)
        pieces = collections.Counter()
        for word in ranked[len(whole):]:
            n = word_counts[word]
            for k in range(3, min(len(word), 9)):
                pieces[word[:k]] += n
            for k in range(2, min(len(word), 7)):
                pieces["##" + word[-k:]] += n
        for piece, _ in pieces.most_common():
            if len(tokens) >= size:
                break
            if piece not in seen:
                tokens.append(piece)
                seen.add(piece)
        return WordPiece(tokens)

    def tokenizer_json(self):
        """The tokenizer.json document for Hugging Face tokenizers."""
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": True}
                for i, t in enumerate(SPECIAL_TOKENS)
            ],
            "normalizer": {
                "type": "Sequence",
                "normalizers": [
                    {"type": "Replace", "pattern": {"Regex": "(?i)" + LINE_BREAK_TAG}, "content": " "},
                    {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                     "strip_accents": None, "lowercase": True},
                ],
            },
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                           {"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                         {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                         {"Sequence": {"id": "B", "type_id": 1}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                "special_tokens": {
                    "[CLS]": {"id": "[CLS]", "ids": [CLS], "tokens": ["[CLS]"]},
                    "[SEP]": {"id": "[SEP]", "ids": [SEP], "tokens": ["[SEP]"]},
                },
            },
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
            "model": {
                "type": "WordPiece",
                "unk_token": "[UNK]",
                "continuing_subword_prefix": "##",
                "max_input_chars_per_word": MAX_CHARS_PER_WORD,
                "vocab": {t: i for i, t in enumerate(self.tokens)},
            },
        }

    def write(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.tokenizer_json(), f, ensure_ascii=False, indent=1)
            f.write("\n")
