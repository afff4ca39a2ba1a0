"""Writes the Hugging Face reference outputs that the Java tokenizer tests compare against.

Run from the repository root with Python, `tokenizers` (0.22/0.23) and `transformers` (5.x) installed:
    python tokenizers/src/test/python/make_refs.py
Outputs go to tokenizers/src/test/resources/refs/. Deterministic (fixed seeds).
"""
import json
import os
import random

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.abspath(__file__))
RES = os.path.join(ROOT, "..", "resources")
OUT = os.path.join(RES, "refs")
QWEN = os.path.join(RES, "qwen3", "tokenizer.json")

QWEN_RE = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
CL100K_RE = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
GPT2_RE = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
# Regexes without a hand-written matcher (java.util.regex path): DeepSeek-V3-style splits and a few others.
OTHER_RES = [
    ("deepseek_digits", r"\p{N}{1,3}"),
    ("deepseek_cjk", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+"),
    ("deepseek_words", "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"),
    ("words_digits", r"\w+|\d+|[^\w\s]+|\s+"),
    ("case_insensitive", r"(?i:the|and)|\S+|\s+"),
]

# Pieces that exercise every branch of the pre-tokenizer regexes and of NFC.
FRAGMENTS = [
    "Hello", "world", " the", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n ", "\u00a0", "\u3000", "\u2003", "\u2028",
    "\u0085", "\x0b", "\x0c", "\x1c", "'s", "'S", "'re", "'RE", "'Ll", "'ve", "'m", "'d", "'t", "'x", "'", "\u017f",
    "''", "don't", "I'M", "123", "4567890", "\u0663\u0664", "\u00bd", "\u2167", "\U0001d7d8", "x1", "1x", "-5", "3.14",
    "!!", "...", "?!", " (", ")", "{}", "[[A]]", "<answer>", "</answer>", "@", "#", "$", "%", "^&*", "~", "`", "|",
    "\u4f60\u597d", "\u4e16\u754c", "\uff0c", "\u3002", "\u65e5\u672c\u8a9e", "\u3053\u3093\u306b\u3061\u306f",
    "\uc548\ub155", "\u0645\u0631\u062d\u0628\u0627", "\u05e9\u05dc\u05d5\u05dd", "\u0e20\u0e32\u0e29\u0e32",
    "\u0928\u092e\u0938\u094d\u0924\u0947", "\u0393\u03b5\u03b9\u03ac", "\u041f\u0440\u0438\u0432\u0435\u0442",
    "e\u0301", "a\u0308", "\u00e9", "\u212b", "\u1e9b\u0323", "\ufb01", "\uff21", "\u2460", "\U0001f600", "\U0001f44d\U0001f3fd",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\u200b", "\u200d", "\ufeff", "\x00", "\x01", "\x7f", "\ufffd",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "<tool_call>", "<|fim_prefix|>",
    "def f(x):\n    return x**2\n", "for (int i = 0; i < n; i++) {", "    ", "\t\t", "x = y + z;", "// comment",
    "http://example.com/a?b=c", "user@example.com", "CamelCase", "snake_case", "ALLCAPS", "\U00010d40", "\U00020000",
]


def random_text(rng, max_parts=12):
    parts = []
    for _ in range(rng.randint(1, max_parts)):
        r = rng.random()
        if r < 0.7:
            parts.append(rng.choice(FRAGMENTS))
        elif r < 0.85:
            parts.append(" ")
        else:  # random code points from interesting ranges
            lo, hi = rng.choice([(0x20, 0x7e), (0xa0, 0x2ff), (0x300, 0x36f), (0x370, 0x3ff), (0x4e00, 0x4fff),
                                 (0xac00, 0xac40), (0x1f300, 0x1f64f), (0x2000, 0x206f), (0x0, 0x1f), (0xfe00, 0xfeff)])
            parts.append("".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 4))))
    return "".join(parts)


def corpus_texts(rng, n):
    texts = [random_text(rng) for _ in range(n)]
    texts += ["a" * 300, "\u4f60" * 200 + "\u597d", "ab" * 150, " " * 300 + "x", "1" * 50, "\n" * 40 + " x", "'" * 20]
    return texts


def dump(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=0)


def qwen_refs():
    tok = Tokenizer.from_file(QWEN)
    rng = random.Random(1234)
    rows = []
    for text in corpus_texts(rng, 1200):
        ids = tok.encode(text, add_special_tokens=False).ids
        rows.append({"text": text, "ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False),
                     "decoded_skip": tok.decode(ids, skip_special_tokens=True)})
    dump("qwen3_random_refs.json", rows)


def split_refs():
    rng = random.Random(99)
    texts = corpus_texts(rng, 1500)
    out = {}
    for name, pattern in [("qwen", QWEN_RE), ("cl100k", CL100K_RE), ("gpt2", GPT2_RE)] + OTHER_RES:
        sp = pre_tokenizers.Split(Regex(pattern), "isolated")
        out[name] = {"pattern": pattern,
                     "cases": [{"text": t, "pieces": [p for p, _ in sp.pre_tokenize_str(t)]} for t in texts]}
    dump("split_refs.json", out)


TRAIN_TEXT = [random_text(random.Random(i), 20) for i in range(400)] + [
    "The quick brown fox jumps over the lazy dog. " * 3, "Hello world, hello tokenizers!", "a aa aaa aaaa b bb",
    "Don't stop: it's 2025 and we're here. I'll go.", "def add(a, b):\n    return a + b\n",
]


def component_tokenizers():
    """Small tokenizers trained with HF covering each supported component; records encode/decode."""
    specs = []

    def bpe_with(name, model_kw, normalizer=None, pre=None, post=None, decoder=None, added=(), special=(),
                 vocab_size=700, byte_level_alphabet=False, trainer_kw=None):
        tok = Tokenizer(models.BPE(**model_kw))
        if normalizer is not None:
            tok.normalizer = normalizer
        if pre is not None:
            tok.pre_tokenizer = pre
        kw = dict(vocab_size=vocab_size, special_tokens=list(special), show_progress=False)
        if byte_level_alphabet:
            kw["initial_alphabet"] = pre_tokenizers.ByteLevel.alphabet()
        kw.update(trainer_kw or {})
        tok.train_from_iterator(TRAIN_TEXT, trainers.BpeTrainer(**kw))
        if decoder is not None:
            tok.decoder = decoder
        if post is not None:
            tok.post_processor = post(tok)
        if added:
            tok.add_tokens(list(added))
        specs.append((name, tok))

    bl = dict(add_prefix_space=False, use_regex=False)
    bpe_with("llama3_like", dict(ignore_merges=True),
             pre=pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(CL100K_RE), "isolated"), pre_tokenizers.ByteLevel(**bl)]),
             decoder=decoders.ByteLevel(), special=["<|begin_of_text|>", "<|eot_id|>"], byte_level_alphabet=True,
             post=lambda t: processors.TemplateProcessing(single="<|begin_of_text|> $A", special_tokens=[("<|begin_of_text|>", t.token_to_id("<|begin_of_text|>"))]))
    bpe_with("gpt2_like", dict(), pre=pre_tokenizers.ByteLevel(add_prefix_space=False), decoder=decoders.ByteLevel(),
             special=["<|endoftext|>"], byte_level_alphabet=True,
             post=lambda t: processors.ByteLevel(trim_offsets=False))
    bpe_with("gpt2_prefix_space", dict(), pre=pre_tokenizers.ByteLevel(add_prefix_space=True), decoder=decoders.ByteLevel(),
             byte_level_alphabet=True)
    bpe_with("llama2_like", dict(byte_fallback=True, unk_token="<unk>", fuse_unk=True),
             normalizer=normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")]),
             decoder=decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)]),
             special=["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)],
             post=lambda t: processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", t.token_to_id("<s>"))]))
    bpe_with("metaspace_first", dict(unk_token="[UNK]"), pre=pre_tokenizers.Metaspace(prepend_scheme="first"),
             decoder=decoders.Metaspace(prepend_scheme="first"), special=["[UNK]", "[SEP]"],
             added=[AddedToken("[SEP]", special=True)])
    bpe_with("metaspace_nosplit", dict(unk_token="[UNK]"), pre=pre_tokenizers.Metaspace(prepend_scheme="always", split=False),
             decoder=decoders.Metaspace(prepend_scheme="always"), special=["[UNK]"])
    bpe_with("wordpiece_style", dict(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"),
             normalizer=normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents(), normalizers.Lowercase()]),
             pre=pre_tokenizers.Sequence([pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=True)]),
             decoder=decoders.BPEDecoder(suffix="</w>"), special=["[UNK]", "[CLS]", "[SEP]"],
             trainer_kw=dict(continuing_subword_prefix="##", end_of_word_suffix="</w>"),
             post=lambda t: processors.BertProcessing(("[SEP]", t.token_to_id("[SEP]")), ("[CLS]", t.token_to_id("[CLS]"))))
    bpe_with("nfkc_splits", dict(unk_token="<unk>", fuse_unk=False),
             normalizer=normalizers.Sequence([normalizers.NFKC(), normalizers.Strip(), normalizers.Replace(Regex(r"\d+"), "0")]),
             pre=pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(),
                                          pre_tokenizers.Digits(individual_digits=False),
                                          pre_tokenizers.Split(Regex(r"[aeiou]"), "merged_with_previous"),
                                          pre_tokenizers.Split("x", "merged_with_next"),
                                          pre_tokenizers.Split(Regex(r"o+"), "contiguous", invert=True)]),
             decoder=decoders.Fuse(), special=["<unk>"])
    bpe_with("added_flags", dict(), pre=pre_tokenizers.ByteLevel(add_prefix_space=False), decoder=decoders.ByteLevel(),
             byte_level_alphabet=True,
             added=[AddedToken("<L>", lstrip=True, special=True), AddedToken("<R>", rstrip=True, special=False),
                    AddedToken("word", single_word=True), AddedToken("Hello", normalized=True),
                    AddedToken("<LR>", lstrip=True, rstrip=True, special=True), AddedToken("<", special=False),
                    AddedToken("<LRX>", special=True, normalized=False),
                    AddedToken("<\uff5cUser\uff5c>", special=True, normalized=False),
                    AddedToken("\u2581tok\u00e9n", special=False, normalized=False)])
    bpe_with("lowercase_added", dict(), normalizer=normalizers.Lowercase(),
             pre=pre_tokenizers.ByteLevel(add_prefix_space=False), decoder=decoders.ByteLevel(), byte_level_alphabet=True,
             added=[AddedToken("HeLLo", normalized=True), AddedToken("ÉCOLE", normalized=True), AddedToken("ABC", normalized=False)])

    rng = random.Random(7)
    texts = corpus_texts(rng, 150) + [
        "Hello word, wordy words word", "x <L> y <R> z", "  <L>  <LR>  <R>  ", "<LRX><LR><", "hello HeLLo HELLO école ÉCOLE abc ABC",
        "<s> text </s> [SEP] [UNK]", "<\uff5cUser\uff5c>hi\u2581tok\u00e9n<\uff5cUser\uff5c>", "The year 2025 had 365 days", "zoo xoxo oooh", "  leading and trailing  ", "",
    ]
    for name, tok in specs:
        path = os.path.join(OUT, "tok_" + name + ".json")
        tok.save(path)
        rows = []
        for text in texts:
            plain = tok.encode(text, add_special_tokens=False).ids
            with_special = tok.encode(text, add_special_tokens=True).ids
            rows.append({"text": text, "ids": plain, "ids_special": with_special,
                         "decoded": tok.decode(with_special, skip_special_tokens=False),
                         "decoded_skip": tok.decode(with_special, skip_special_tokens=True)})
        dump("tok_" + name + "_refs.json", rows)


def gpt2_string_merges():
    """The legacy merges format ("a b" strings) of GPT-2's own tokenizer.json, from the gpt2_like tokenizer."""
    path = os.path.join(OUT, "tok_gpt2_like.json")
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    d["model"]["merges"] = [" ".join(m) if isinstance(m, list) else m for m in d["model"]["merges"]]
    path2 = os.path.join(OUT, "tok_gpt2_string_merges.json")
    with open(path2, "w", encoding="utf-8") as f:
        json.dump(d, f, ensure_ascii=False)
    tok = Tokenizer.from_file(path2)
    with open(os.path.join(OUT, "tok_gpt2_like_refs.json"), encoding="utf-8") as f:
        rows = json.load(f)
    assert all(tok.encode(r["text"], add_special_tokens=False).ids == r["ids"] for r in rows)
    dump("tok_gpt2_string_merges_refs.json", rows)


def utf8_refs():
    rng = random.Random(5)
    pool = [0x41, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0xA0, 0x9F, 0x90, 0x8F]
    rows = []
    for _ in range(3000):
        b = bytes(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        rows.append({"bytes": list(b), "text": b.decode("utf-8", "replace")})
    dump("utf8_lossy_refs.json", rows)




CHAT_CASES = [
    {"messages": [{"role": "user", "content": "What is 2+2?"}]},
    {"messages": [{"role": "system", "content": "You are a fair judge."}, {"role": "user", "content": "Compare A and B."}]},
    {"messages": [{"role": "system", "content": "Sys"}, {"role": "user", "content": "Hi there!"},
                  {"role": "assistant", "content": "Hello. How can I help?"}, {"role": "user", "content": "Tell me a joke?"}]},
    {"messages": [{"role": "user", "content": "First"},
                  {"role": "assistant", "content": "<think>\nI should answer.\n</think>\n\nReply one"},
                  {"role": "user", "content": "Second \u4f60\u597d"}]},
    {"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "<think>r</think>a"}]},
    {"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "plain", "reasoning_content": "why"}]},
    {"messages": [{"role": "system", "content": "Use tools."}, {"role": "user", "content": "Weather in Paris?"},
                  {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 2, "units": ["C", "\u00b0"]}}}]},
                  {"role": "tool", "content": "{\"temp\": 21}"}, {"role": "tool", "content": "sunny"},
                  {"role": "assistant", "content": "It is 21 degrees and sunny."}],
     "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather \u00e0 la carte",
                                                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]},
    {"messages": [{"role": "user", "content": "Call it"},
                  {"role": "assistant", "content": "Calling.", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{\"x\": 1}"}}]},
                  {"role": "tool", "content": "<tool_response>ok</tool_response>"}]},
    {"messages": [{"role": "user", "content": "\u4f60\u597d <|im_end|> {{ not a tag }} {% raw %} \\n tab\tend"}]},
    {"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": ""}]},
    {"messages": [{"role": "user", "content": "Think less"}], "extra": {"enable_thinking": False}},
    {"messages": [{"role": "user", "content": "Think more"}], "extra": {"enable_thinking": True}},
    {"messages": [{"role": "error", "content": "bad"}]},
]

DS_CASES = [
    {"messages": [{"role": "user", "content": "Which answer is better?"}]},
    {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "A or B?"},
                  {"role": "assistant", "content": "<think>\nhmm\n</think>\n\n<answer>[[A]]</answer>"}, {"role": "user", "content": "Why?"}]},
    {"messages": [{"role": "user", "content": "Weather?"},
                  {"role": "assistant", "content": None, "tool_calls": [
                      {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
                      {"type": "function", "function": {"name": "get_time", "arguments": "{}"}}]},
                  {"role": "tool", "content": "21C"}, {"role": "tool", "content": "noon"},
                  {"role": "assistant", "content": "Warm at noon."}]},
    {"messages": [{"role": "user", "content": "Tool only"},
                  {"role": "assistant", "content": None, "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                  {"role": "tool", "content": "out"}]},
]


def chat_refs():
    from transformers.utils.chat_template_utils import _compile_jinja_template

    def load(name):
        with open(os.path.join(RES, "templates", name), encoding="utf-8") as f:
            return f.read()

    with open(os.path.join(RES, "qwen3", "tokenizer_config.json"), encoding="utf-8") as f:
        qwen3 = json.load(f)["chat_template"]
    templates = {
        "qwen3": (qwen3, {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}, CHAT_CASES),
        "qwen2.5": (load("qwen2.5-instruct.jinja"), {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}, CHAT_CASES),
        "features": (load("features.jinja"), {"bos_token": "<s>", "eos_token": "</s>"}, CHAT_CASES),
        "extras": (load("extras.jinja"), {"bos_token": "<s>"}, CHAT_CASES[:12]),
        "deepseek-r1-distill-qwen": (load("deepseek-r1-distill-qwen.jinja"),
                                     {"bos_token": "<\uff5cbegin\u2581of\u2581sentence\uff5c>", "eos_token": "<\uff5cend\u2581of\u2581sentence\uff5c>"},
                                     DS_CASES + CHAT_CASES[:5]),
    }
    rows = []
    for name, (template, special, cases) in templates.items():
        compiled = _compile_jinja_template(template)
        for case in cases:
            for gen in (True, False):
                row = {"template": name, "messages": case["messages"], "tools": case.get("tools"),
                       "extra": case.get("extra", {}), "special_tokens": special, "add_generation_prompt": gen}
                try:
                    row["rendered"] = compiled.render(messages=case["messages"], tools=case.get("tools"), documents=None,
                                                      add_generation_prompt=gen, **special, **case.get("extra", {}))
                except Exception as e:  # raise_exception or a template error
                    row["error"] = str(e)
                rows.append(row)
    dump("chat_refs.json", rows)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    qwen_refs()
    split_refs()
    component_tokenizers()
    gpt2_string_merges()
    utf8_refs()
    chat_refs()
