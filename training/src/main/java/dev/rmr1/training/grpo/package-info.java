/**
 * GRPO with a verifiable reward as RM-R1 ran verl (spec section 6).
 *
 * <ul>
 *   <li>Loss: {@link dev.rmr1.training.grpo.GrpoLoss} (clipped ratio, k3 KL clamped, entropy bonus) over
 *       {@link dev.rmr1.training.grpo.Aggregation} modes with {@link dev.rmr1.training.grpo.AggregationTotals};
 *       {@link dev.rmr1.training.grpo.PolicyLossMetrics} accumulates pg_loss, pg_clipfrac, ppo_kl, kl_loss, entropy.
 *   <li>Rollouts: {@link dev.rmr1.training.grpo.Completion} (response through the first eos),
 *       {@link dev.rmr1.training.grpo.ScoredRollouts} (decoded rewards, group advantages),
 *       {@link dev.rmr1.training.grpo.ResponseBatch} (log-probs and entropy of response tokens only).
 *   <li>Training: {@link dev.rmr1.training.grpo.GrpoTrainer} (generate, score, old and reference log-probs, mini-batch
 *       updates), {@link dev.rmr1.training.grpo.GrpoRun} (the whole {@code ./rmr1 grpo} run),
 *       {@link dev.rmr1.training.grpo.RewardFunctions} (rewards by name), and
 *       {@link dev.rmr1.training.grpo.TrainingThroughput} ({@code ./rmr1 bench train}).
 * </ul>
 */
package dev.rmr1.training.grpo;
