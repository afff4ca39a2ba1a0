/**
 * Checkpoints that survive a kill and resume exactly ({@link dev.rmr1.training.checkpoint.CheckpointManager}):
 * named tensor groups written with safetensors, plus a {@link dev.rmr1.training.checkpoint.TrainerState}
 * (step, epoch, data position, schedule position, RNG snapshots, metric tail, configuration hash).
 *
 * <pre>{@code
 * CheckpointManager ckpt = new CheckpointManager(cfg.run().out(), cfg.run().keepLast());
 * Optional<LoadedCheckpoint> last = cfg.run().resume() ? ckpt.latest() : Optional.empty();
 * if (last.isPresent()) {
 *   LoadedCheckpoint c = last.get();
 *   c.verifyConfig(eff, cfg.run().onConfigMismatch(), System.err::println);
 *   copy c.read("model") into the parameters, c.read("optimizer") into the optimizer;
 *   dataRng.restore(c.state().rng("data")); cursor = c.state().dataPosition(); step = c.step(); ...
 * }
 * ...
 * ckpt.save(step, Map.of("model", params, "optimizer", optimizerState),
 *     TrainerState.of(step, epoch, cursor, step).withRng("data", dataRng.snapshot())
 *         .withMetricsTail(log.tail(100)).withConfig(eff));
 * }</pre>
 */
package dev.rmr1.training.checkpoint;
