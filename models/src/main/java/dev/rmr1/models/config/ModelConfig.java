package dev.rmr1.models.config;

import dev.rmr1.tensor.DType;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The architecture of a decoder checkpoint, as read from its {@code config.json} (see {@link
 * ModelConfigJson}) or built in code ({@link #builder}). Field names follow transformers'
 * Qwen2Config/LlamaConfig/Qwen3Config. Every instance is valid: the constructor checks sizes, head
 * counts and the bias rules of the architecture, and throws a {@link ConfigException} naming the
 * field.
 *
 * @param architecture the decoder family
 * @param vocabSize rows of the embedding and of the LM head ({@code vocab_size})
 * @param hiddenSize model width ({@code hidden_size})
 * @param intermediateSize MLP width ({@code intermediate_size})
 * @param numHiddenLayers decoder layers
 * @param numAttentionHeads query heads
 * @param numKeyValueHeads key/value heads (grouped-query attention); divides {@code
 *     numAttentionHeads}
 * @param headDim dimensions per head ({@code head_dim}; {@code hidden_size / num_attention_heads}
 *     when the file has none); even, since rotary embedding rotates pairs
 * @param maxPositionEmbeddings the longest sequence the model supports
 * @param rmsNormEps epsilon of every RMSNorm
 * @param ropeTheta rotary base
 * @param ropeScaling rotary frequency scaling
 * @param tieWordEmbeddings whether the LM head reuses the embedding matrix
 * @param qkvBias whether q_proj, k_proj and v_proj have a bias
 * @param outputBias whether o_proj has a bias
 * @param mlpBias whether gate_proj, up_proj and down_proj have a bias
 * @param dtype the dtype the weights were saved in ({@code torch_dtype} in v4, {@code dtype} in v5)
 * @param bosTokenId beginning-of-sequence id
 * @param eosTokenIds end-of-sequence ids (Hugging Face allows one or several)
 * @param padTokenId padding id
 */
public record ModelConfig(
    Architecture architecture,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    int maxPositionEmbeddings,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tieWordEmbeddings,
    boolean qkvBias,
    boolean outputBias,
    boolean mlpBias,
    Optional<DType> dtype,
    OptionalInt bosTokenId,
    List<Integer> eosTokenIds,
    OptionalInt padTokenId) {

  public ModelConfig {
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(ropeScaling, "ropeScaling");
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(bosTokenId, "bosTokenId");
    Objects.requireNonNull(padTokenId, "padTokenId");
    eosTokenIds = List.copyOf(eosTokenIds);
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("intermediate_size", intermediateSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("num_key_value_heads", numKeyValueHeads);
    positive("head_dim", headDim);
    positive("max_position_embeddings", maxPositionEmbeddings);
    if (numAttentionHeads % numKeyValueHeads != 0) {
      throw new ConfigException(null, "num_key_value_heads",
          "num_attention_heads (" + numAttentionHeads + ") must be a multiple of num_key_value_heads ("
              + numKeyValueHeads + ")");
    }
    if (headDim % 2 != 0) {
      throw new ConfigException(null, "head_dim", "rotary embedding needs an even head_dim, got " + headDim);
    }
    if (!(rmsNormEps > 0) || !Double.isFinite(rmsNormEps)) {
      throw new ConfigException(null, "rms_norm_eps", "expected a positive number, got " + rmsNormEps);
    }
    if (!(ropeTheta > 0) || !Double.isFinite(ropeTheta)) {
      throw new ConfigException(null, "rope_theta", "expected a positive number, got " + ropeTheta);
    }
    if (dtype.isPresent() && !dtype.get().isFloating()) {
      throw new ConfigException(null, "torch_dtype", "weights must be floating point, got " + dtype.get());
    }
    checkBiases(architecture, qkvBias, outputBias, mlpBias);
  }

  private static void positive(String field, int value) {
    if (value <= 0) throw new ConfigException(null, field, "expected a positive integer, got " + value);
  }

  private static void checkBiases(Architecture a, boolean qkv, boolean out, boolean mlp) {
    if (a == Architecture.QWEN2 && (!qkv || out)) {
      throw new ConfigException(null, "attention_bias",
          "Qwen2 always has q/k/v biases and no o_proj bias (got qkv " + qkv + ", o " + out + ")");
    }
    if (a.hasAttentionBiasFlag() && qkv != out) {
      throw new ConfigException(null, "attention_bias",
          a.className() + " uses one attention_bias flag for q/k/v and o_proj (got qkv " + qkv + ", o " + out + ")");
    }
    if (mlp && !a.hasMlpBiasFlag()) {
      throw new ConfigException(null, "mlp_bias", a.className() + " has no MLP bias");
    }
  }

  /** Whether queries and keys get a per-head RMSNorm before rotary embedding (Qwen3's q_norm/k_norm). */
  public boolean qkNorm() {
    return architecture == Architecture.QWEN3;
  }

  /** Query heads per key/value head. */
  public int kvGroups() {
    return numAttentionHeads / numKeyValueHeads;
  }

  /** Output width of q_proj: {@code num_attention_heads * head_dim}. */
  public int queryDim() {
    return numAttentionHeads * headDim;
  }

  /** Output width of k_proj and v_proj: {@code num_key_value_heads * head_dim}. */
  public int keyValueDim() {
    return numKeyValueHeads * headDim;
  }

  /** A builder with the defaults of transformers' config class for {@code architecture}. */
  public static Builder builder(Architecture architecture) {
    return new Builder(architecture);
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder(architecture);
    b.vocabSize = vocabSize;
    b.hiddenSize = hiddenSize;
    b.intermediateSize = intermediateSize;
    b.numHiddenLayers = numHiddenLayers;
    b.numAttentionHeads = numAttentionHeads;
    b.numKeyValueHeads = OptionalInt.of(numKeyValueHeads);
    b.headDim = OptionalInt.of(headDim);
    b.maxPositionEmbeddings = maxPositionEmbeddings;
    b.rmsNormEps = rmsNormEps;
    b.ropeTheta = ropeTheta;
    b.ropeScaling = ropeScaling;
    b.tieWordEmbeddings = tieWordEmbeddings;
    b.qkvBias = qkvBias;
    b.outputBias = outputBias;
    b.mlpBias = mlpBias;
    b.dtype = dtype;
    b.bosTokenId = bosTokenId;
    b.eosTokenIds = eosTokenIds;
    b.padTokenId = padTokenId;
    return b;
  }

  /**
   * Builds a {@link ModelConfig}. Sizes have no default and must be set; {@code num_key_value_heads}
   * defaults to the number of heads, {@code head_dim} to {@code hidden_size / num_attention_heads},
   * rope theta to 10000, RMSNorm epsilon to 1e-6, embeddings untied, biases as the architecture's
   * default (Qwen2: q/k/v bias; Llama, Qwen3: none).
   */
  public static final class Builder {
    private final Architecture architecture;
    private int vocabSize;
    private int hiddenSize;
    private int intermediateSize;
    private int numHiddenLayers;
    private int numAttentionHeads;
    private OptionalInt numKeyValueHeads = OptionalInt.empty();
    private OptionalInt headDim = OptionalInt.empty();
    private int maxPositionEmbeddings;
    private double rmsNormEps = 1e-6;
    private double ropeTheta = 10000.0;
    private RopeScaling ropeScaling = new RopeScaling.None();
    private boolean tieWordEmbeddings;
    private boolean qkvBias;
    private boolean outputBias;
    private boolean mlpBias;
    private Optional<DType> dtype = Optional.empty();
    private OptionalInt bosTokenId = OptionalInt.empty();
    private List<Integer> eosTokenIds = List.of();
    private OptionalInt padTokenId = OptionalInt.empty();

    private Builder(Architecture architecture) {
      this.architecture = Objects.requireNonNull(architecture, "architecture");
      this.qkvBias = architecture == Architecture.QWEN2;
    }

    public Builder vocabSize(int v) { vocabSize = v; return this; }
    public Builder hiddenSize(int v) { hiddenSize = v; return this; }
    public Builder intermediateSize(int v) { intermediateSize = v; return this; }
    public Builder numHiddenLayers(int v) { numHiddenLayers = v; return this; }
    public Builder numAttentionHeads(int v) { numAttentionHeads = v; return this; }
    public Builder numKeyValueHeads(int v) { numKeyValueHeads = OptionalInt.of(v); return this; }
    public Builder headDim(int v) { headDim = OptionalInt.of(v); return this; }
    public Builder maxPositionEmbeddings(int v) { maxPositionEmbeddings = v; return this; }
    public Builder rmsNormEps(double v) { rmsNormEps = v; return this; }
    public Builder ropeTheta(double v) { ropeTheta = v; return this; }
    public Builder ropeScaling(RopeScaling v) { ropeScaling = v; return this; }
    public Builder tieWordEmbeddings(boolean v) { tieWordEmbeddings = v; return this; }
    /** Llama and Qwen3 {@code attention_bias}: bias on q/k/v and o_proj. Qwen2 has no such switch. */
    public Builder attentionBias(boolean v) { qkvBias = v; outputBias = v; return this; }
    public Builder mlpBias(boolean v) { mlpBias = v; return this; }
    public Builder dtype(DType v) { dtype = Optional.of(v); return this; }
    public Builder bosTokenId(int v) { bosTokenId = OptionalInt.of(v); return this; }
    public Builder eosTokenIds(List<Integer> v) { eosTokenIds = List.copyOf(v); return this; }
    public Builder padTokenId(int v) { padTokenId = OptionalInt.of(v); return this; }

    /**
     * @throws ConfigException when a size is missing or the values contradict each other
     */
    public ModelConfig build() {
      int heads = numAttentionHeads;
      int resolvedHeadDim;
      if (headDim.isPresent()) {
        resolvedHeadDim = headDim.getAsInt();
      } else {
        if (heads <= 0) {
          throw new ConfigException(null, "num_attention_heads", "expected a positive integer, got " + heads);
        }
        if (hiddenSize % heads != 0) {
          throw new ConfigException(null, "hidden_size", "hidden_size (" + hiddenSize
              + ") is not divisible by num_attention_heads (" + heads + ") and no head_dim is given");
        }
        resolvedHeadDim = hiddenSize / heads;
      }
      return new ModelConfig(architecture, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, heads,
          numKeyValueHeads.orElse(heads), resolvedHeadDim, maxPositionEmbeddings, rmsNormEps, ropeTheta,
          ropeScaling, tieWordEmbeddings, qkvBias, outputBias, mlpBias, dtype, bosTokenId, eosTokenIds,
          padTokenId);
    }
  }
}
