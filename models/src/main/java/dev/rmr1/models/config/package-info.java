/**
 * Model and generation configuration: {@code config.json} of Qwen2, Llama and Qwen3 checkpoints in
 * both transformers layouts ({@link dev.rmr1.models.config.ModelConfigJson} into {@link
 * dev.rmr1.models.config.ModelConfig}), rotary frequencies with Llama-3 scaling ({@link
 * dev.rmr1.models.config.RotaryFrequencies}), and {@code generation_config.json} ({@link
 * dev.rmr1.models.config.GenerationConfig}).
 */
package dev.rmr1.models.config;
