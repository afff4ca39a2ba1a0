/**
 * SFT distillation (RM-R1 stage 1, spec section 5) and what both trainers share.
 *
 * <ul>
 *   <li>Data: {@link dev.rmr1.training.sft.SftSampleBuilder} turns {@code SftRecord}s into token samples (truncate to
 *       max_len, force eos, drop on {@code prompt_len >= max_len - 2}, labels -100 on the prompt, optionally on the
 *       assistant header), {@link dev.rmr1.training.sft.SftBatchPlan} orders them (seeded shuffle per epoch, steps of
 *       {@code global_batch}, length-bucketed micro-batches), {@link dev.rmr1.training.sft.SftLoss} is the micro-batch
 *       token mean divided by the accumulation count, computed through the LM head on labelled positions only.
 *   <li>Training: {@link dev.rmr1.training.sft.SftTrainer} (accumulate, clip, AdamW + schedule) on a
 *       {@link dev.rmr1.training.sft.TrainableModel} (full fine-tuning or LoRA); checkpoints through
 *       {@link dev.rmr1.training.sft.TrainerCheckpoints}; {@link dev.rmr1.training.sft.SftRun} is the whole
 *       {@code ./rmr1 sft} run with {@link dev.rmr1.training.sft.RunLog} (metrics, plots, samples, progress).
 *   <li>Exports: {@link dev.rmr1.training.sft.ModelExport} (PEFT adapter, merged Hugging Face directory).
 * </ul>
 *
 * <pre>{@code
 * try (TrainableModel model = TrainableModel.load(dir, Device.CPU, loraOrNull, new Rng(42));
 *     SftTrainer trainer = new SftTrainer(model, samples, SftOptions.defaults(), OptimConfig.sftDefaults(), 42, eosId)) {
 *   while (!trainer.finished()) {
 *     SftStepMetrics m = trainer.trainStep();   // loss, lr, pre-clip grad norm, tokens/s
 *   }
 * }
 * }</pre>
 */
package dev.rmr1.training.sft;
