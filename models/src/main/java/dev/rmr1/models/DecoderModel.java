package dev.rmr1.models;

import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.nn.Embedding;
import dev.rmr1.nn.Module;
import dev.rmr1.nn.ModuleList;
import dev.rmr1.nn.RMSNorm;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;

/**
 * The decoder stack without the LM head, transformers' {@code Qwen2Model} (the {@code model.}
 * prefix of every state-dict key): {@code embed_tokens}, {@code layers.N}, {@code norm}.
 */
final class DecoderModel extends Module {
  final Embedding embedTokens;
  final ModuleList<DecoderLayer> layers;
  final RMSNorm norm;

  DecoderModel(ModelConfig c, DType dtype, Device device, ParameterFill fill, String prefix) {
    embedTokens = registerModule("embed_tokens",
        fill.fill(prefix + "embed_tokens.", new Embedding(c.vocabSize(), c.hiddenSize(), dtype, device)));
    layers = registerModule("layers", new ModuleList<>());
    for (int i = 0; i < c.numHiddenLayers(); i++) layers.add(new DecoderLayer(c, dtype, device, fill, prefix + "layers." + i + "."));
    norm = registerModule("norm", fill.fill(prefix + "norm.", new RMSNorm(c.hiddenSize(), c.rmsNormEps(), dtype, device)));
  }
}
