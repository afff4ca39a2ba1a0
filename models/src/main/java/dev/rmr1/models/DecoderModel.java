package dev.rmr1.models;

import dev.rmr1.models.config.ModelConfig;
import dev.rmr1.nn.Embedding;
import dev.rmr1.nn.Module;
import dev.rmr1.nn.ModuleList;
import dev.rmr1.nn.RMSNorm;

/**
 * The decoder stack without the LM head, transformers' {@code Qwen2Model} (the {@code model.}
 * prefix of every state-dict key): {@code embed_tokens}, {@code layers.N}, {@code norm}.
 */
final class DecoderModel extends Module {
  final Embedding embedTokens;
  final ModuleList<DecoderLayer> layers;
  final RMSNorm norm;

  DecoderModel(ModelConfig c, ParameterSource source, String prefix) {
    embedTokens = registerModule("embed_tokens", source.embedding(prefix + "embed_tokens.", c.vocabSize(), c.hiddenSize()));
    layers = registerModule("layers", new ModuleList<>());
    for (int i = 0; i < c.numHiddenLayers(); i++) layers.add(new DecoderLayer(c, source, prefix + "layers." + i + "."));
    norm = registerModule("norm", source.rmsNorm(prefix + "norm.", c.hiddenSize(), c.rmsNormEps()));
  }
}
