/**
 * Hugging Face tokenizers in pure Java: {@code tokenizer.json} byte-level BPE with exact id parity, chat
 * templates, and BPE training.
 *
 * <ul>
 *   <li>{@link dev.rmr1.tokenizers.Tokenizer}: load a tokenizer.json ({@code fromFile}), {@code encode(text,
 *       addSpecialTokens)}, {@code encodeBatch} (all cores), {@code decode(ids, skipSpecialTokens)},
 *       {@code streamDecoder} for generation. Supported: BPE model (merges as "a b" or ["a", "b"],
 *       ignore_merges, byte_fallback, unk_token/fuse_unk, continuing_subword_prefix, end_of_word_suffix);
 *       normalizers NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, Prepend, Replace, Sequence;
 *       pre-tokenizers Split (regex or string, all behaviours, invert), ByteLevel, Digits, Metaspace,
 *       Whitespace, WhitespaceSplit, Punctuation, BertPreTokenizer, Sequence; post-processors ByteLevel,
 *       TemplateProcessing (single), Bert/Roberta, Sequence; decoders ByteLevel, ByteFallback, Fuse, Strip,
 *       Replace, Metaspace, BPEDecoder, Sequence. Anything else fails to load with
 *       "unsupported &lt;kind&gt; type '&lt;type&gt;' at &lt;json path&gt;".
 *   <li>{@link dev.rmr1.tokenizers.PretrainedTokenizer}: a checkpoint directory (tokenizer.json +
 *       tokenizer_config.json); {@code applyChatTemplate(messages, addGenerationPrompt)} as transformers.
 *   <li>{@link dev.rmr1.tokenizers.ChatTemplate}: jinja2-compatible rendering of {@code chat_template} on Jinjava.
 *   <li>{@link dev.rmr1.tokenizers.BpeTrainer}: train a byte-level BPE tokenizer.json (Qwen layout).
 *   <li>{@link dev.rmr1.tokenizers.SyntheticCorpus}: deterministic mixed text for benchmarks and demos.
 * </ul>
 *
 * <p>Parity is tested against Hugging Face tokenizers 0.23 / transformers 5.17 outputs recorded by
 * src/test/python/make_refs.py.
 */
package dev.rmr1.tokenizers;
