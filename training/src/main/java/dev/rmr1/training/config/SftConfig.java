package dev.rmr1.training.config;

/**
 * Configuration of SFT distillation ({@code ./rmr1 sft}), with RM-R1's settings as defaults
 * (spec section 5). Keys in files are snake_case; sections are nested mappings:
 *
 * <pre>
 * model: Qwen/Qwen2.5-0.5B-Instruct
 * data: data/sft.jsonl
 * optim: {lr: 5e-6}
 * sft: {global_batch: 128, max_len: 12288}
 * lora: {r: 16, alpha: 32}        # omit (or null) for full fine-tuning
 * run: {out: runs/sft, save_every: 50}
 * </pre>
 */
public record SftConfig(
    @Doc("Hugging Face model directory or hub id") String model,
    @Doc("training data, JSON or JSONL with context_messages and the teacher trace") String data,
    @Doc("cpu, cuda or cuda:N") String device,
    @Doc("products of F32 matrices on a GPU, as torch.set_float32_matmul_precision: highest (F32), high (TF32 tensor cores) or medium (BF16 operands, F32 accumulation)") String float32MatmulPrecision,
    @Doc("seed of every random stream (data order, dropout, initialisation)") long seed,
    @Doc("unusable data records: fail or skip (each reported)") BadRecordPolicy badRecords,
    OptimConfig optim,
    SftOptions sft,
    @Doc("LoRA adapters") @Nullable LoraConfig lora,
    @NotHashed RunConfig run)
    implements Validated {

  /** RM-R1's SFT recipe; model and data must be set. */
  public static SftConfig defaults() {
    return new SftConfig(null, null, "cpu", "highest", 42, BadRecordPolicy.FAIL, OptimConfig.sftDefaults(), SftOptions.defaults(), null,
        RunConfig.defaults("sft", 50));
  }

  public static ConfigLoader<SftConfig> loader() {
    return ConfigLoader.of(SftConfig.class, defaults());
  }

  /** Loads from command-line arguments ({@link ConfigLoader#fromArgs}). */
  public static EffectiveConfig<SftConfig> fromArgs(String... args) {
    return loader().fromArgs(args);
  }

  @Override
  public void validate(Problems p) {
    DeviceName.check(p, "device", device);
    p.check(float32MatmulPrecision.matches("highest|high|medium"), "float32_matmul_precision", "must be highest, high or medium");
  }
}
