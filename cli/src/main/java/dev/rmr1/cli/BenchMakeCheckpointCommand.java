package dev.rmr1.cli;

import dev.rmr1.models.CausalLM;
import dev.rmr1.models.ModelSaver;
import dev.rmr1.models.config.Architecture;
import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.tensor.DType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./rmr1 bench make-checkpoint}: writes a checkpoint shaped like Qwen2.5-0.5B(-Instruct)
 * with random weights (its config.json values: hidden 896, 24 layers, 14 heads, 2 KV heads,
 * intermediate 4864, vocab 151936, tied embeddings, rope theta 1e6), for benchmarks that must not
 * depend on downloading the real model.
 */
@Command(name = "make-checkpoint", header = "Write a Qwen2.5-0.5B-shaped checkpoint with random weights.", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Write a Qwen2.5-0.5B-shaped checkpoint with random weights (default BF16, about 1 GB).")
public final class BenchMakeCheckpointCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write (created).")
  Path out;

  @Option(names = "--dtype", defaultValue = "bf16", paramLabel = "DTYPE", description = "bf16, f16 or f32 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of the weights (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--std", defaultValue = "0.02", paramLabel = "X", description = "Standard deviation of the weights (default: ${DEFAULT-VALUE}).")
  double std;

  @Option(names = "--tokenizer-from", paramLabel = "DIR",
      description = "Copy tokenizer files from this directory (peers such as Jlama need tokenizer.json).")
  Path tokenizerFrom;

  @Option(names = "--max-shard-mb", paramLabel = "MB",
      description = "Split the weights into shards of at most this many MB with model.safetensors.index.json, as transformers' max_shard_size (default: transformers' 5 GB: one file).")
  Long maxShardMb;

  @Spec CommandSpec spec;

  /** Qwen2.5-0.5B-Instruct's config.json. */
  static ModelConfig qwen25HalfB() {
    return ModelConfig.builder(Architecture.QWEN2).vocabSize(151936).hiddenSize(896).intermediateSize(4864).numHiddenLayers(24)
        .numAttentionHeads(14).numKeyValueHeads(2).maxPositionEmbeddings(32768).rmsNormEps(1e-6).ropeTheta(1_000_000).tieWordEmbeddings(true)
        .bosTokenId(151643).eosTokenIds(List.of(151645)).build();
  }

  @Override
  public Integer call() {
    PrintWriter w = spec.commandLine().getOut();
    DType d = switch (dtype.toLowerCase(java.util.Locale.ROOT)) {
      case "bf16", "bfloat16" -> DType.BF16;
      case "f16", "float16" -> DType.F16;
      case "f32", "float32" -> DType.F32;
      default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--dtype must be bf16, f16 or f32, got " + dtype);
    };
    long t0 = System.nanoTime();
    ModelSaver.Options options = ModelSaver.Options.defaults();
    if (tokenizerFrom != null) options = options.withTokenizerFrom(tokenizerFrom);
    if (maxShardMb != null) {
      if (maxShardMb < 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--max-shard-mb must be at least 1, got " + maxShardMb);
      options = options.withMaxShardBytes(maxShardMb * 1_000_000);
    }
    try (CausalLM model = CausalLM.random(qwen25HalfB(), d, seed, std)) {
      ModelSaver.save(model, out, options);
    }
    w.printf("wrote %s (%s, random weights, seed %d) in %.1f s%n", out, d, seed, (System.nanoTime() - t0) / 1e9);
    w.flush();
    return 0;
  }
}
