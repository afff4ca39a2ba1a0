/**
 * Qwen2-family decoders from Hugging Face checkpoints.
 *
 * <ul>
 *   <li>{@link dev.rmr1.models.CausalLM}: one decoder for Qwen2, Llama and Qwen3 configured by
 *       {@code config.json}, built from the {@code nn} layers with Hugging Face parameter names;
 *       loaded zero-copy from safetensors ({@link dev.rmr1.models.LoadOptions}); full-sequence
 *       forward and loss through autograd, and a packed multi-sequence step over
 *       {@link dev.rmr1.models.SequenceCache}s for generation.
 *   <li>{@link dev.rmr1.models.ModelSaver}: model directories transformers loads;
 *       {@link dev.rmr1.models.PeftAdapter}: PEFT LoRA adapter directories.
 *   <li>{@link dev.rmr1.models.generate}: batched generation and sampling;
 *       {@link dev.rmr1.models.config}: config.json and generation_config.json;
 *       {@link dev.rmr1.models.hub}: model references and Hub downloads.
 * </ul>
 *
 * <pre>{@code
 * try (CausalLM model = CausalLM.load(ModelResolver.fromEnvironment().resolve("Qwen/Qwen2.5-0.5B-Instruct").directory())) {
 *   GenerationResult r = new Generator(model).generate(
 *       List.of(new GenerationRequest(promptIds, SamplingParams.temperature(1.0), seed)),
 *       GenerationOptions.of(512, GenerationConfig.forModelDirectory(dir, model.config())));
 * }
 * }</pre>
 */
package dev.rmr1.models;
