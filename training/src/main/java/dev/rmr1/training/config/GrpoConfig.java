package dev.rmr1.training.config;

/**
 * Configuration of GRPO with the verifiable reward ({@code ./rmr1 grpo}), with RM-R1's verl
 * settings as defaults (spec section 6):
 *
 * <pre>
 * model: runs/sft/final
 * data: data/rlvr.jsonl
 * rollout: {group_size: 7, max_new_tokens: 8192}
 * grpo: {prompts_per_step: 1024, mini_batches: 8, kl_beta: 1e-3, loss_aggregation: token_mean}
 * optim: {lr: 1e-6}
 * </pre>
 */
public record GrpoConfig(
    @Doc("Hugging Face model directory or hub id (the policy; also the reference)") String model,
    @Doc("prompts, JSON or JSONL with context_messages and winner") String data,
    @Doc("cpu, cuda or cuda:N") String device,
    @Doc("products of F32 matrices on a GPU, as torch.set_float32_matmul_precision: highest (F32), high (TF32 tensor cores) or medium (BF16 operands, F32 accumulation)") String float32MatmulPrecision,
    @Doc("seed of every random stream (data order, sampling, dropout, initialisation)") long seed,
    @Doc("unusable data records: fail or skip (each reported)") BadRecordPolicy badRecords,
    RolloutConfig rollout,
    GrpoOptions grpo,
    OptimConfig optim,
    @Doc("LoRA adapters; the reference policy is then the base with adapters off") @Nullable LoraConfig lora,
    @NotHashed RunConfig run)
    implements Validated {

  /** RM-R1's RLVR recipe; model and data must be set. */
  public static GrpoConfig defaults() {
    return new GrpoConfig(null, null, "cpu", "highest", 42, BadRecordPolicy.FAIL, RolloutConfig.defaults(), GrpoOptions.defaults(),
        OptimConfig.grpoDefaults(), null, RunConfig.defaults("grpo", 10));
  }

  public static ConfigLoader<GrpoConfig> loader() {
    return ConfigLoader.of(GrpoConfig.class, defaults());
  }

  /** Loads from command-line arguments ({@link ConfigLoader#fromArgs}). */
  public static EffectiveConfig<GrpoConfig> fromArgs(String... args) {
    return loader().fromArgs(args);
  }

  /** Responses in one optimizer update: {@code prompts_per_step / mini_batches * group_size}. */
  public int responsesPerMiniBatch() {
    return grpo.promptsPerStep() / grpo.miniBatches() * rollout.groupSize();
  }

  @Override
  public void validate(Problems p) {
    DeviceName.check(p, "device", device);
    p.check(float32MatmulPrecision.matches("highest|high|medium"), "float32_matmul_precision", "must be highest, high or medium");
    if (grpo.promptsPerStep() >= 1 && grpo.miniBatches() >= 1 && grpo.microBatch() >= 1 && rollout.groupSize() >= 1)
      p.check(responsesPerMiniBatch() % grpo.microBatch() == 0, "grpo.micro_batch",
          "must divide the responses per mini-batch (prompts_per_step / mini_batches * group_size = " + responsesPerMiniBatch() + ")");
  }
}
