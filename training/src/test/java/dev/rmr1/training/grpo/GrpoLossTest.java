package dev.rmr1.training.grpo;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import dev.rmr1.tensor.safetensors.SafeTensors;
import dev.rmr1.tensor.safetensors.SafeTensorsFile;
import dev.rmr1.training.config.LossAggregation;
import dev.rmr1.training.reward.GrpoAdvantages;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class GrpoLossTest {
  static Path fixture() throws Exception {
    return Path.of(GrpoLossTest.class.getResource("/dev/rmr1/training/fixtures/grpo_refs.safetensors").toURI());
  }

  /** The inputs of one batch, in double, row-major (N, T). */
  record Batch(int n, int t, double[] logp, double[] old, double[] ref, double[] adv, double[] mask) {
    Tensor tensor(double[] v, int... shape) {
      return Tensor.of(Device.CPU, DType.F64, v, shape);
    }

    GrpoLoss.Result compute(GrpoLoss loss, Var logProbs, AggregationTotals totals, double scale) {
      return loss.compute(logProbs, tensor(old, n, t), ref == null ? null : tensor(ref, n, t), tensor(adv, n), tensor(mask, n, t), null,
          totals, scale);
    }

    /** Rows [from, from + count) as a batch. */
    Batch rows(int from, int count) {
      return new Batch(count, t, slice(logp, from, count), slice(old, from, count), ref == null ? null : slice(ref, from, count),
          java.util.Arrays.copyOfRange(adv, from, from + count), slice(mask, from, count));
    }

    private double[] slice(double[] v, int from, int count) {
      return java.util.Arrays.copyOfRange(v, from * t, (from + count) * t);
    }

    static Batch random(Rng rng, int n, int t) {
      double[] logp = new double[n * t], old = new double[n * t], ref = new double[n * t], mask = new double[n * t], adv = new double[n];
      for (int i = 0; i < n; i++) {
        int len = 1 + (int) (rng.nextDouble() * t);
        adv[i] = rng.nextDouble() * 4 - 2;
        for (int j = 0; j < t; j++) {
          int k = i * t + j;
          logp[k] = -3 * rng.nextDouble();
          old[k] = logp[k] + (rng.nextDouble() - 0.5) * 0.8; // ratios in about [0.67, 1.5]: clipping active
          ref[k] = logp[k] + (rng.nextDouble() - 0.5) * 3;
          mask[k] = j < len ? 1 : 0;
        }
      }
      return new Batch(n, t, logp, old, ref, adv, mask);
    }
  }

  /** The spec's formulas, one token at a time. */
  static double referenceLoss(Batch b, double eps, double beta, LossAggregation agg, int normLength) {
    return referenceLoss(b, eps, beta, 10.0, agg, normLength);
  }

  static double referenceLoss(Batch b, double eps, double beta, double clamp, LossAggregation agg, int normLength) {
    double sum = 0, seqMean = 0, tokens = 0;
    for (int i = 0; i < b.n; i++) {
      double s = 0, len = 0;
      for (int j = 0; j < b.t; j++) {
        int k = i * b.t + j;
        double rho = Math.exp(b.logp[k] - b.old[k]);
        double a = b.adv[i];
        double l = Math.max(-a * rho, -a * Math.min(Math.max(rho, 1 - eps), 1 + eps));
        if (b.ref != null) {
          double d = b.ref[k] - b.logp[k];
          l += beta * Math.min(Math.max(Math.exp(d) - d - 1, -clamp), clamp);
        }
        s += b.mask[k] * l;
        len += b.mask[k];
      }
      sum += s;
      tokens += len;
      seqMean += s / len;
    }
    return switch (agg) {
      case TOKEN_MEAN -> sum / tokens;
      case SEQ_MEAN_TOKEN_MEAN -> seqMean / b.n;
      case SEQ_MEAN_TOKEN_SUM -> sum / b.n;
      case DR_GRPO -> sum / (b.n * (double) normLength);
    };
  }

  @Test
  void matchesTheHuggingFaceFixture() throws Exception {
    try (TensorScope scope = TensorScope.open(); SafeTensorsFile f = SafeTensors.open(fixture())) {
      double[] rewards = f.tensor("rewards").toDoubleArray();
      double[] adv = GrpoAdvantages.computeContiguous(rewards, rewards.length, true);
      assertArrayEquals(f.tensor("adv_std_unbiased").toDoubleArray(), adv, 1e-6);
      assertArrayEquals(f.tensor("adv_no_std").toDoubleArray(), GrpoAdvantages.computeContiguous(rewards, rewards.length, false), 1e-6);

      Tensor mask = f.tensor("mask").to(DType.F64);
      Tensor old = f.tensor("old_logps").to(DType.F64);
      Tensor ref = f.tensor("ref_logps").to(DType.F64);
      Tensor a = Tensor.of(Device.CPU, DType.F64, adv, adv.length);
      // The fixture was made with beta 0.04 (RM-R1 uses 1e-3).
      for (var c : List.of(new Object[] {LossAggregation.TOKEN_MEAN, "loss_token_mean"},
          new Object[] {LossAggregation.SEQ_MEAN_TOKEN_MEAN, "loss_seq_mean_token_mean"})) {
        GrpoLoss loss = new GrpoLoss(0.2, 0.04, 10.0, 0.0, (LossAggregation) c[0]);
        Var logp = Var.leaf(f.tensor("policy_logps").to(DType.F64));
        GrpoLoss.Result r = loss.compute(logp, old, ref, a, mask, null, AggregationTotals.of(mask, 9), 1.0);
        assertEquals(f.tensor((String) c[1]).item(), r.loss().item(), 2e-6, (String) c[1]);
        assertTrue(r.clippedTokens() > 0, "the fixture's noisy old log-probs make clipping active");
      }
    }
  }

  @Property(tries = 60)
  void lossMatchesScalarReferenceForEveryAggregation(@ForAll @IntRange(min = 1, max = 6) int n, @ForAll @IntRange(min = 1, max = 9) int t,
      @ForAll @IntRange(min = 0, max = 1_000_000) int seed, @ForAll LossAggregation agg) {
    Batch b = Batch.random(new Rng(seed), n, t);
    GrpoLoss loss = new GrpoLoss(0.2, 0.3, 0.7, 0.0, agg); // a small clamp, active on some tokens
    try (TensorScope scope = TensorScope.open()) {
      Var logp = Var.leaf(b.tensor(b.logp, n, t));
      Tensor mask = b.tensor(b.mask, n, t);
      GrpoLoss.Result r = b.compute(loss, logp, AggregationTotals.of(mask, t + 3), 1.0);
      assertEquals(referenceLoss(b, 0.2, 0.3, 0.7, agg, t + 3), r.loss().item(), 1e-12);

      // metrics: clip fraction and ppo_kl are masked sums; pg/kl losses aggregate like the loss
      double clipped = 0, ppoKl = 0, tokens = 0;
      for (int i = 0; i < n; i++)
        for (int j = 0; j < t; j++) {
          int k = i * t + j;
          double rho = Math.exp(b.logp[k] - b.old[k]);
          double a = b.adv[i];
          if (-a * Math.min(Math.max(rho, 0.8), 1.2) > -a * rho) clipped += b.mask[k];
          ppoKl += b.mask[k] * (b.old[k] - b.logp[k]);
          tokens += b.mask[k];
        }
      assertEquals(clipped, r.clippedTokens());
      assertEquals(ppoKl, r.ppoKlSum(), 1e-12);
      assertEquals(tokens, r.tokens());
      assertEquals(referenceLoss(b, 0.2, 0.0, agg, t + 3), r.pgLoss(), 1e-12);
      assertEquals((referenceLoss(b, 0.2, 0.3, 0.7, agg, t + 3) - r.pgLoss()) / 0.3, r.klLoss(), 1e-10);
      assertTrue(Double.isNaN(r.entropy()));
    }
  }

  @Property(tries = 25)
  void gradientMatchesFiniteDifferences(@ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 6) int t,
      @ForAll @IntRange(min = 0, max = 1_000_000) int seed, @ForAll LossAggregation agg) {
    Batch b = Batch.random(new Rng(seed), n, t);
    GrpoLoss loss = new GrpoLoss(0.2, 0.5, 0.7, 0.0, agg);
    try (TensorScope scope = TensorScope.open()) {
      Var logp = Var.leaf(b.tensor(b.logp, n, t));
      AggregationTotals totals = AggregationTotals.of(b.tensor(b.mask, n, t), t);
      b.compute(loss, logp, totals, 0.7).loss().backward();
      double[] g = logp.grad().toDoubleArray();
      double h = 1e-6;
      for (int k = 0; k < n * t; k++) {
        double keep = b.logp[k];
        b.logp[k] = keep + h;
        double plus = 0.7 * referenceLoss(b, 0.2, 0.5, 0.7, agg, t);
        b.logp[k] = keep - h;
        double minus = 0.7 * referenceLoss(b, 0.2, 0.5, 0.7, agg, t);
        b.logp[k] = keep;
        double numeric = (plus - minus) / (2 * h);
        assertEquals(numeric, g[k], 1e-6 * (1 + Math.abs(numeric)), "d loss / d logp[" + k + "]");
      }
      logp.clearGrad();
    }
  }

  /** Micro-batches normalised by the mini-batch's totals add up to the mini-batch's loss, for every mode. */
  @Property(tries = 30)
  void microBatchesWithMiniBatchTotalsAddUp(@ForAll @IntRange(min = 2, max = 8) int n, @ForAll @IntRange(min = 1, max = 7) int t,
      @ForAll @IntRange(min = 0, max = 1_000_000) int seed, @ForAll LossAggregation agg) {
    Batch b = Batch.random(new Rng(seed), n, t);
    GrpoLoss loss = new GrpoLoss(0.2, 0.1, 10.0, 0.0, agg);
    try (TensorScope scope = TensorScope.open()) {
      AggregationTotals whole = AggregationTotals.of(b.tensor(b.mask, n, t), t);
      double full = b.compute(loss, Var.leaf(b.tensor(b.logp, n, t)), whole, 1.0).loss().item();
      double sum = 0;
      for (int from = 0; from < n; from += 3) {
        Batch part = b.rows(from, Math.min(3, n - from));
        sum += part.compute(loss, Var.leaf(part.tensor(part.logp, part.n, t)), whole, 1.0).loss().item();
      }
      assertEquals(full, sum, 1e-12);
    }
  }

  /** Spec 6: RM-R1's micro-batch token mean with micro-batch 1 is exactly seq-mean-token-mean. */
  @Property(tries = 30)
  void rmR1TokenMeanPerSequenceIsSeqMeanTokenMean(@ForAll @IntRange(min = 1, max = 7) int n, @ForAll @IntRange(min = 1, max = 7) int t,
      @ForAll @IntRange(min = 0, max = 1_000_000) int seed) {
    Batch b = Batch.random(new Rng(seed), n, t);
    try (TensorScope scope = TensorScope.open()) {
      double sum = 0;
      GrpoLoss tokenMean = new GrpoLoss(0.2, 1e-3, 10.0, 0.0, LossAggregation.TOKEN_MEAN);
      for (int i = 0; i < n; i++) {
        Batch one = b.rows(i, 1);
        AggregationTotals own = AggregationTotals.of(one.tensor(one.mask, 1, t), t);
        sum += one.compute(tokenMean, Var.leaf(one.tensor(one.logp, 1, t)), own, 1.0 / n).loss().item();
      }
      assertEquals(referenceLoss(b, 0.2, 1e-3, LossAggregation.SEQ_MEAN_TOKEN_MEAN, t), sum, 1e-12);
    }
  }

  @Test
  void entropyTermAndMetric() {
    Rng rng = new Rng(5);
    Batch b = Batch.random(rng, 3, 4);
    try (TensorScope scope = TensorScope.open()) {
      Tensor logits = Tensor.normal(Device.CPU, DType.F64, rng, 0, 2, 3, 4, 11);
      Var z = Var.leaf(logits);
      Var h = TokenEntropy.of(z); // (3, 4)
      // entropy values against a scalar reference, and the chunked no-grad version
      double[] zs = logits.toDoubleArray();
      double[] hs = h.data().toDoubleArray();
      double[] hv = TokenEntropy.values(logits).toDoubleArray();
      for (int r = 0; r < 12; r++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < 11; v++) max = Math.max(max, zs[r * 11 + v]);
        double se = 0;
        for (int v = 0; v < 11; v++) se += Math.exp(zs[r * 11 + v] - max);
        double ent = 0;
        for (int v = 0; v < 11; v++) {
          double p = Math.exp(zs[r * 11 + v] - max) / se;
          ent -= p * Math.log(p);
        }
        assertEquals(ent, hs[r], 1e-12);
        assertEquals(ent, hv[r], 1e-12);
      }
      Tensor mask = b.tensor(b.mask, 3, 4);
      AggregationTotals totals = AggregationTotals.of(mask, 4);
      GrpoLoss withBonus = new GrpoLoss(0.2, 0.0, 10.0, 0.01, LossAggregation.TOKEN_MEAN);
      GrpoLoss.Result r = withBonus.compute(Var.leaf(b.tensor(b.logp, 3, 4)), b.tensor(b.old, 3, 4), null, b.tensor(b.adv, 3), mask, h,
          totals, 1.0);
      assertEquals(r.pgLoss() - 0.01 * r.entropy(), r.loss().item(), 1e-12);
      assertTrue(Double.isNaN(r.klLoss()));
      r.loss().backward();
      assertNotNull(z.grad(), "the entropy bonus reaches the logits");
      assertThrows(IllegalArgumentException.class, () -> withBonus.compute(Var.leaf(b.tensor(b.logp, 3, 4)), b.tensor(b.old, 3, 4), null,
          b.tensor(b.adv, 3), mask, null, totals, 1.0));
    }
  }

  @Test
  void badInputsAreNamed() {
    try (TensorScope scope = TensorScope.open()) {
      GrpoLoss loss = GrpoLoss.rmR1();
      Var logp = Var.leaf(Tensor.zeros(DType.F64, 2, 3));
      Tensor ok = Tensor.zeros(DType.F64, 2, 3);
      Tensor adv = Tensor.zeros(DType.F64, 2);
      AggregationTotals totals = new AggregationTotals(6, 2, 3);
      var e = assertThrows(IllegalArgumentException.class, () -> loss.compute(logp, Tensor.zeros(DType.F64, 2, 4), ok, adv, ok, null, totals, 1));
      assertTrue(e.getMessage().contains("old log-probs"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> loss.compute(logp, ok, null, adv, ok, null, totals, 1));
      assertTrue(e.getMessage().contains("reference"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> loss.compute(logp, ok, ok, Tensor.zeros(DType.F64, 3), ok, null, totals, 1));
      assertTrue(e.getMessage().contains("advantages"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> AggregationTotals.of(Tensor.zeros(DType.F64, 2, 3), 3));
    }
  }
}
