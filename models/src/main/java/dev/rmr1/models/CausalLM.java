package dev.rmr1.models;

import dev.rmr1.autograd.Checkpoint;
import dev.rmr1.autograd.Grad;
import dev.rmr1.autograd.Var;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.models.config.ModelConfigJson;
import dev.rmr1.nn.AttentionCore;
import dev.rmr1.nn.CachedAttention;
import dev.rmr1.nn.Linear;
import dev.rmr1.nn.Module;
import dev.rmr1.nn.RotaryTables;
import dev.rmr1.nn.SequenceCache;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A decoder-only language model of the Qwen2 family, configured by {@code config.json}: transformers'
 * {@code Qwen2ForCausalLM}, {@code LlamaForCausalLM} and {@code Qwen3ForCausalLM} in one
 * implementation (they differ only in biases, Qwen3's per-head q/k norms and the rotary scaling,
 * see {@link dev.rmr1.models.config.Architecture}). Parameter names are the Hugging Face state-dict
 * keys ({@code model.layers.0.self_attn.q_proj.weight}, {@code lm_head.weight}); in a tied model
 * ({@code tie_word_embeddings}) {@code lm_head} shares the embedding matrix, which is listed once,
 * as {@code model.embed_tokens.weight}, as in PyTorch.
 *
 * <p>Two ways to run it:
 * <ul>
 *   <li>{@link #forward}/{@link #hiddenStates}/{@link #loss}: whole sequences through autograd, for
 *       training and scoring. Inputs are (B, T) token ids; every row starts at position 0, so a
 *       batch of different lengths is right-padded (causal attention never lets a real token see
 *       the padding after it; mask the padded labels). Run it inside a {@link TensorScope}: the
 *       activations belong to the caller's scope, as every autograd result does. Under
 *       {@link Grad#disabled()} each layer's temporaries are freed as soon as the layer is done.
 *   <li>{@link #step}: inference with one {@link SequenceCache} per sequence: prefill prompts, then
 *       one token at a time, any number of sequences of any lengths per call (see
 *       {@link dev.rmr1.models.generate.Generator}).
 * </ul>
 * Both give the same logits (tested).
 */
@SuppressWarnings("try") // scopes and guards are opened for what they free or restore
public final class CausalLM extends Module {
  private final ModelConfig config;
  private final DecoderModel model;
  private final Linear lmHead;
  private final RotaryTables rope;
  private final DType computeDtype;
  private final Device device;
  private boolean gradientCheckpointing;

  private CausalLM(ModelConfig config, Device device, ParameterSource source) {
    if (config.mlpBias())
      throw new CheckpointException("mlp_bias=true (biases on gate/up/down_proj) is not supported; no released Qwen2/Llama/Qwen3 checkpoint uses it");
    this.config = config;
    this.device = device;
    model = registerModule("model", new DecoderModel(config, source, "model."));
    // tied: lm_head shares the embedding's parameter, listed once under model.embed_tokens.weight
    lmHead = registerModule("lm_head", config.tieWordEmbeddings() ? new Linear(model.embedTokens.weight(), null)
        : source.linear("lm_head.", config.hiddenSize(), config.vocabSize(), false));
    rope = new RotaryTables(config.headDim(), config.ropeTheta(), config.ropeScaling()::scale);
    computeDtype = model.embedTokens.weight().value().dtype() == DType.F64 ? DType.F64 : DType.F32;
  }

  // ------------------------------------------------------------------ loading

  /** Loads {@code dir} (config.json plus model.safetensors or a sharded index) for inference: zero-copy, frozen. */
  public static CausalLM load(Path dir) {
    return load(dir, LoadOptions.inference());
  }

  public static CausalLM load(Path dir, LoadOptions options) {
    return load(dir, ModelConfigJson.read(dir.resolve("config.json")), options);
  }

  /** Loads the weights of {@code dir} into a model shaped by {@code config}. */
  public static CausalLM load(Path dir, ModelConfig config, LoadOptions options) {
    try (SafeTensorsReader reader = SafeTensors.openCheckpoint(dir)) {
      return load(reader, dir.toString(), config, options);
    }
  }

  /** Loads from an open reader; {@code where} names the checkpoint in errors. The reader may be closed afterwards. */
  public static CausalLM load(SafeTensorsReader reader, String where, ModelConfig config, LoadOptions options) {
    CheckpointWeights weights = new CheckpointWeights(reader, where, options);
    CausalLM m;
    try {
      m = new CausalLM(config, options.device(), weights);
    } catch (RuntimeException e) {
      weights.closeCreated();
      throw e;
    }
    List<String> unused = weights.unused(config.tieWordEmbeddings() ? Set.of("lm_head.weight") : Set.of());
    if (!unused.isEmpty()) {
      m.close();
      throw new CheckpointException(where + ": " + unused.size() + " tensor(s) that a " + config.architecture().className()
          + " with this config.json does not have: " + unused.subList(0, Math.min(8, unused.size())) + (unused.size() > 8 ? " ..." : "")
          + (config.qkNorm() ? "" : " (q_norm/k_norm belong to Qwen3)"));
    }
    return m;
  }

  /**
   * A model with random weights in {@code dtype}: matrices, embeddings and biases N(0, std), norm
   * weights 1 + N(0, std), from {@code seed}. F32/F64 weights require gradients; others are frozen.
   */
  public static CausalLM random(ModelConfig config, DType dtype, long seed, double std) {
    return random(config, dtype, seed, std, Device.CPU);
  }

  /** {@link #random(ModelConfig, DType, long, double)} with the weights created on {@code device}. */
  public static CausalLM random(ModelConfig config, DType dtype, long seed, double std, Device device) {
    boolean trainable = dtype == DType.F32 || dtype == DType.F64;
    return new CausalLM(config, device, new RandomInit(new Rng(seed), std, trainable, dtype, device));
  }

  // ------------------------------------------------------------------ properties

  public ModelConfig config() {
    return config;
  }

  /** F64 when the weights are F64, otherwise F32 (BF16/F16 weights are widened in the products). */
  public DType computeDtype() {
    return computeDtype;
  }

  public Device device() {
    return device;
  }

  /**
   * The (V, C) matrix of the LM head: {@code lm_head.weight}, or the embedding when tied (logits =
   * hidden @ W^T).
   */
  public Var lmHeadWeight() {
    return lmHead.weight().var();
  }

  /**
   * Recomputes each layer's forward during backward instead of keeping its activations
   * ({@link Checkpoint}): one (B, T, C) tensor per layer is kept.
   */
  public void setGradientCheckpointing(boolean on) {
    gradientCheckpointing = on;
  }

  // ------------------------------------------------------------------ full-sequence forward

  /** Logits (B, T, V) of token ids (B, T), every row starting at position 0. */
  public Var forward(Tensor inputIds) {
    return logits(hiddenStates(inputIds));
  }

  /** The final hidden states (B, T, C), after the last RMSNorm, for ids (B, T). */
  public Var hiddenStates(Tensor inputIds) {
    if (inputIds.dim() != 2)
      throw new IllegalArgumentException("input ids must be (batch, length), got shape " + Arrays.toString(inputIds.shape()));
    int t = inputIds.size(1);
    checkLength(t);
    checkIds(inputIds.toLongArray());
    Tensor[] cs = rope.tables(t, computeDtype, device); // kept by the caller's scope: rope's backward reads them
    Var h = embed(inputIds);
    if (!Grad.isEnabled()) {
      try (Tensor last = runLayersFreeing(h.data(), cs, AttentionCore.CAUSAL)) {
        return model.norm.forward(Var.constant(last));
      }
    }
    int i = 0;
    for (DecoderLayer layer : model.layers) {
      int index = i++;
      h = gradientCheckpointing ? Checkpoint.apply(x -> layer.forward(x, cs[0], cs[1], AttentionCore.CAUSAL, index), h)
          : layer.forward(h, cs[0], cs[1], AttentionCore.CAUSAL, index);
    }
    return model.norm.forward(h);
  }

  /** hidden (..., C) -> logits (..., V). */
  public Var logits(Var hidden) {
    return lmHead.forward(hidden);
  }

  /**
   * Hugging Face's causal-LM loss ({@code labels=} of {@code Qwen2ForCausalLM}): logits at t predict
   * labels at t+1, the mean cross-entropy over labels other than -100. ids and labels are (B, T).
   */
  public Var loss(Tensor inputIds, Tensor labels) {
    if (!Arrays.equals(inputIds.shape(), labels.shape()))
      throw new IllegalArgumentException("labels shape " + Arrays.toString(labels.shape()) + " differs from input ids shape " + Arrays.toString(inputIds.shape()));
    int t = inputIds.size(1);
    if (t < 2) throw new IllegalArgumentException("the causal-LM loss needs at least 2 positions, got " + t);
    Tensor targets = labels.narrow(1, 1, t - 1);
    if (lmHead.lora() != null && lmHead.lora().isActive()) return forward(inputIds).narrow(1, 0, t - 1).crossEntropy(targets);
    // the LM head and cross-entropy in row blocks: no (B, T, V) logits, which dominate memory for a 151k vocabulary
    Var hidden = hiddenStates(inputIds).narrow(1, 0, t - 1).reshape(-1, config.hiddenSize());
    return Var.linearCrossEntropy(hidden, lmHeadWeight(), targets.reshape(-1), -100);
  }

  /**
   * Log-probabilities of each next token, log softmax(logits_t / temperature)[ids_{t+1}], for ids
   * (B, T): (B, T-1). What GRPO's policy, old and reference log-probs are (RM-R1 spec section 6;
   * run with the adapters disabled for the reference). The LM head runs in row blocks, so no
   * (B, T, V) logits exist, unless lm_head itself carries an active adapter.
   */
  public Var tokenLogProbs(Tensor inputIds, double temperature) {
    if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be positive, got " + temperature);
    int b = inputIds.size(0), t = inputIds.size(1);
    if (t < 2) throw new IllegalArgumentException("next-token log-probs need at least 2 positions, got " + t);
    Tensor targets = inputIds.narrow(1, 1, t - 1);
    if (lmHead.lora() != null && lmHead.lora().isActive()) return forward(inputIds).narrow(1, 0, t - 1).div(temperature).tokenLogProbs(targets);
    Var hidden = hiddenStates(inputIds).narrow(1, 0, t - 1).reshape(-1, config.hiddenSize());
    return Var.linearTokenLogProbs(hidden, lmHeadWeight(), targets.reshape(-1), temperature).reshape(b, t - 1);
  }

  private Var embed(Tensor ids) {
    Var h = model.embedTokens.forward(ids.device().equals(device) ? ids : ids.to(device));
    return h.dtype() == computeDtype ? h : h.to(computeDtype);
  }

  /**
   * Runs every layer without a graph, each inside its own scope so its temporaries are freed when it
   * ends; consumes (closes) {@code h} and returns the last layer's output, owned by the caller.
   */
  private Tensor runLayersFreeing(Tensor h, Tensor[] cs, AttentionCore core) {
    Tensor cur = h;
    try {
      int i = 0;
      for (DecoderLayer layer : model.layers) {
        Tensor next;
        try (TensorScope scope = TensorScope.open()) {
          Var out = layer.forward(Var.constant(cur), cs[0], cs[1], core, i++);
          next = TensorScope.escape(out.data().contiguous());
        }
        cur.close();
        cur = next;
      }
      return cur;
    } catch (RuntimeException | Error e) {
      cur.close();
      throw e;
    }
  }

  // ------------------------------------------------------------------ inference with caches

  /** An empty cache for one sequence of this model. */
  public SequenceCache newCache() {
    return new SequenceCache(config.numHiddenLayers(), config.numKeyValueHeads(), config.headDim(), config.maxPositionEmbeddings(),
        computeDtype, device);
  }

  /**
   * Appends {@code tokens.get(i)} to sequence i, whose past lives in {@code caches.get(i)}, and
   * returns logits in the compute dtype: with {@code allPositions}, one row per new token in order
   * (sum of the token counts, V); otherwise one row per sequence for its last new token (S, V),
   * which is all that decoding needs. A prompt is prefilled by passing all of it at once (or in
   * chunks); a decoding step passes one token per sequence. All sequences run through the
   * projections together (packed), each attends only to its own cache. Runs without gradients;
   * the result belongs to the caller (or the open scope).
   */
  public Tensor step(List<SequenceCache> caches, List<int[]> tokens, boolean allPositions) {
    if (caches.size() != tokens.size())
      throw new IllegalArgumentException(caches.size() + " caches for " + tokens.size() + " token lists");
    if (caches.isEmpty()) throw new IllegalArgumentException("step needs at least one sequence");
    int s = caches.size(), total = 0;
    int[] offsets = new int[s], counts = new int[s];
    for (int i = 0; i < s; i++) {
      int n = tokens.get(i).length;
      if (n == 0) throw new IllegalArgumentException("sequence " + i + " has no new tokens");
      checkIds(tokens.get(i));
      int len = caches.get(i).length() + n;
      if (len > config.maxPositionEmbeddings())
        throw new IllegalArgumentException("sequence " + i + " would reach " + len + " positions, more than the model's max_position_embeddings ("
            + config.maxPositionEmbeddings() + ")");
      offsets[i] = total;
      counts[i] = n;
      total += n;
    }
    long[] ids = new long[total];
    int[] positions = new int[total];
    for (int i = 0; i < s; i++) {
      int[] tk = tokens.get(i);
      int past = caches.get(i).length();
      for (int j = 0; j < tk.length; j++) {
        ids[offsets[i] + j] = tk[j];
        positions[offsets[i] + j] = past + j;
      }
    }
    for (int i = 0; i < s; i++) caches.get(i).reserve(caches.get(i).length() + counts[i]);
    try (Grad.Guard g = Grad.disabled(); TensorScope scope = TensorScope.open()) {
      Tensor idTensor = Tensor.ofLongs(ids, 1, total);
      Tensor[] cs = rope.tables(positions, computeDtype, device);
      Tensor embedded = TensorScope.escape(embed(idTensor).data().contiguous());
      try (Tensor h = runLayersFreeing(embedded, cs, new CachedAttention(caches, offsets, counts))) { // (1, N, C)
        for (int i = 0; i < s; i++) caches.get(i).advance(counts[i]);
        Tensor rows = h;
        if (!allPositions) {
          long[] last = new long[s];
          for (int i = 0; i < s; i++) last[i] = offsets[i] + counts[i] - 1;
          try (Tensor index = Tensor.ofLongs(last, s)) {
            rows = h.indexSelect(1, index.to(device)); // (1, S, C)
          }
        }
        Var out = logits(model.norm.forward(Var.constant(rows))); // (1, rows, V)
        return scope.keep(out.data().view(out.size(1), out.size(2)));
      }
    }
  }

  private void checkLength(int t) {
    if (t < 1) throw new IllegalArgumentException("input ids have no positions");
    if (t > config.maxPositionEmbeddings())
      throw new IllegalArgumentException("sequence of " + t + " tokens is longer than the model's max_position_embeddings ("
          + config.maxPositionEmbeddings() + ")");
  }

  private void checkIds(long[] ids) {
    for (long id : ids)
      if (id < 0 || id >= config.vocabSize())
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
  }

  private void checkIds(int[] ids) {
    for (int id : ids)
      if (id < 0 || id >= config.vocabSize())
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + config.vocabSize() + ")");
  }
}
