package dev.rmr1.cli;

import dev.rmr1.models.config.Architecture;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.training.grpo.TrainingThroughput;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./rmr1 bench train}: SFT and GRPO throughput on a random Qwen2 model (see {@link TrainingThroughput}). */
@Command(name = "train", header = "SFT and GRPO (rollout, update) throughput on a random-weight Qwen2.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"SFT tokens/s and GRPO rollout + update tokens/s on a Qwen2 model with random weights and random tokens.",
        "Defaults: a small Qwen2 (hidden 256, 4 layers, 4 heads, 2 KV heads, FFN 704) with Qwen2.5's 151,936-token tied vocabulary."})
public final class BenchTrainCommand implements Callable<Integer> {
  @Option(names = "--hidden", defaultValue = "256", description = "hidden_size (default: ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--layers", defaultValue = "4", description = "num_hidden_layers (default: ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--heads", defaultValue = "4", description = "num_attention_heads (default: ${DEFAULT-VALUE}).")
  int heads;

  @Option(names = "--kv-heads", defaultValue = "2", description = "num_key_value_heads (default: ${DEFAULT-VALUE}).")
  int kvHeads;

  @Option(names = "--intermediate", defaultValue = "704", description = "intermediate_size (default: ${DEFAULT-VALUE}).")
  int intermediate;

  @Option(names = "--vocab", defaultValue = "151936", description = "vocab_size, tied embeddings (default: ${DEFAULT-VALUE}).")
  int vocab;

  @Option(names = "--lora-r", defaultValue = "16", description = "LoRA rank on all linear layers of a BF16 base; 0: full fine-tuning in F32 (default: ${DEFAULT-VALUE}).")
  int loraRank;

  @Option(names = "--checkpointing", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Gradient checkpointing (default: ${DEFAULT-VALUE}).")
  boolean checkpointing;

  @Option(names = "--seq-len", defaultValue = "256", description = "SFT sequence length (default: ${DEFAULT-VALUE}).")
  int seqLen;

  @Option(names = "--prompt-len", defaultValue = "128", description = "SFT masked prompt positions (default: ${DEFAULT-VALUE}).")
  int promptLen;

  @Option(names = "--batch", defaultValue = "4", description = "SFT sequences per optimizer step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--micro-batch", defaultValue = "1", description = "SFT sequences per forward/backward (default: ${DEFAULT-VALUE}).")
  int microBatch;

  @Option(names = "--grpo-prompts", defaultValue = "2", description = "GRPO prompts per step (default: ${DEFAULT-VALUE}).")
  int grpoPrompts;

  @Option(names = "--group-size", defaultValue = "4", description = "GRPO samples per prompt (default: ${DEFAULT-VALUE}).")
  int groupSize;

  @Option(names = "--grpo-prompt-len", defaultValue = "128", description = "GRPO prompt length (default: ${DEFAULT-VALUE}).")
  int grpoPromptLen;

  @Option(names = "--new-tokens", defaultValue = "64", description = "GRPO response length (default: ${DEFAULT-VALUE}).")
  int newTokens;

  @Option(names = "--grpo-micro-batch", defaultValue = "2", description = "GRPO responses per forward/backward (default: ${DEFAULT-VALUE}).")
  int grpoMicroBatch;

  @Option(names = "--warmup", defaultValue = "1", description = "Unmeasured steps first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--steps", defaultValue = "3", description = "Measured steps; medians are reported (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of weights and data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin DeviceOption device;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ModelConfig config = ModelConfig.builder(Architecture.QWEN2).vocabSize(vocab).hiddenSize(hidden).intermediateSize(intermediate).numHiddenLayers(layers)
        .numAttentionHeads(heads).numKeyValueHeads(kvHeads).maxPositionEmbeddings(Math.max(seqLen, grpoPromptLen + newTokens) + 1).tieWordEmbeddings(true)
        .ropeTheta(1_000_000).build();
    TrainingThroughput.Settings s = new TrainingThroughput.Settings(config, loraRank, checkpointing, seqLen, promptLen, batch, microBatch, warmup, steps,
        grpoPrompts, groupSize, grpoPromptLen, newTokens, grpoMicroBatch, seed, device.device());
    TrainingThroughput.Result r = TrainingThroughput.run(s);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("device: %s%n", device.device());
    out.printf("model: Qwen2 hidden %d, %d layers, %d/%d heads, FFN %d, vocab %d (tied); %s, %d trainable parameters, checkpointing %s%n", hidden, layers,
        heads, kvHeads, intermediate, vocab, loraRank == 0 ? "full fine-tuning (F32)" : "LoRA r " + loraRank + " on a BF16 base", r.trainableParameters(),
        checkpointing ? "on" : "off");
    out.printf("sft:  %d x %d tokens per step (micro-batch %d), median %.1f tokens/s %s, process CPU / wall %.2f%n", batch, seqLen, microBatch,
        r.sftTokensPerSecond(), r.sftSteps(), r.sftCpuPerWall());
    out.printf("grpo: %d prompts x %d samples, prompt %d + %d new tokens: rollout median %.1f tokens/s %s, update median %.1f tokens/s %s,"
        + " step median %.1f s, process CPU / wall %.2f%n", grpoPrompts, groupSize, grpoPromptLen, newTokens, r.rolloutTokensPerSecond(), r.rolloutSteps(),
        r.updateTokensPerSecond(), r.updateSteps(), r.grpoStepSeconds(), r.grpoCpuPerWall());
    out.flush();
    return 0;
  }
}
