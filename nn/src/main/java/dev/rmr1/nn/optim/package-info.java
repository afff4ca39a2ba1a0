/**
 * Optimizers, learning-rate schedules, gradient clipping and optimizer checkpoints, with PyTorch
 * and Hugging Face semantics.
 *
 * <p>A training step:
 *
 * <pre>{@code
 * AdamW opt = new AdamW(ParamGroups.decayAndNoDecay(params, 1e-6, 0.01), 0.9, 0.999, 1e-8); // outside any TensorScope
 * opt.setSchedule(LrSchedule.rmR1Sft(rows, 128));
 * ...
 * try (TensorScope step = TensorScope.open()) {
 *   ... forward, backward (fills each OptimParam.grad()) ...
 *   double gradNorm = GradClip.clipGradNorm(opt.params(), 1.0);   // pre-clip norm, for the log
 *   double lr = opt.lr(0);                                          // the rate this step uses
 *   opt.step();
 * }
 * opt.save(dir.resolve("optimizer.state"));   // atomic; opt.load(path) resumes bit for bit
 * }</pre>
 *
 * Parameters are anything implementing {@link dev.rmr1.nn.optim.OptimParam} (F32 master weights).
 */
package dev.rmr1.nn.optim;
