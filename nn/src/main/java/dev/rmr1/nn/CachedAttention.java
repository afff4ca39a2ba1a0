package dev.rmr1.nn;

import dev.rmr1.autograd.Grad;
import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.RaggedAttention;
import dev.rmr1.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Attention for a pass over several sequences packed into one row: sequence i contributes
 * {@code counts[i]} consecutive positions starting at {@code offsets[i]} of the packed T axis, and
 * those tokens sit at positions {@code caches[i].length() ..} of that sequence. Each layer first
 * appends the sequence's new keys and values to its cache, then attends its queries causally to
 * everything cached so far (qOffset = the cached length before this pass). The projections around
 * it run once over all packed tokens, so a decoding batch reads every weight once per step.
 * A backend with {@link RaggedAttention} runs a decoding step (one new token per sequence) of the
 * whole batch at once; otherwise each sequence's write and attention run in turn.
 * Inference only: the cache holds no graph, so a forward that would need gradients is refused.
 */
public final class CachedAttention implements AttentionCore {
  private final List<SequenceCache> caches;
  private final int[] offsets, counts;

  /**
   * Sequence i's new tokens are packed positions offsets[i] .. offsets[i] + counts[i] - 1; the caller
   * has {@link SequenceCache#reserve reserved} room for them and {@link SequenceCache#advance
   * advances} every cache once all layers ran.
   */
  public CachedAttention(List<SequenceCache> caches, int[] offsets, int[] counts) {
    if (offsets.length != caches.size() || counts.length != caches.size())
      throw new IllegalArgumentException(caches.size() + " caches, " + offsets.length + " offsets and " + counts.length + " counts");
    this.caches = caches;
    this.offsets = offsets;
    this.counts = counts;
  }

  @Override
  public Var attend(int layer, Var q, Var k, Var v, double scale) {
    if (Grad.isEnabled() && (q.requiresGrad() || k.requiresGrad() || v.requiresGrad()))
      throw new IllegalStateException("cached attention is for inference: run the forward under Grad.disabled()");
    Tensor qd = q.data(), kd = k.data(), vd = v.data(); // (1, Hq, N, D), (1, Hkv, N, D)
    Tensor out = Tensor.empty(qd.device(), qd.dtype(), qd.shape());
    if (qd.backend() instanceof RaggedAttention ragged) {
      // a decoding step of the whole batch in a fixed number of kernels
      List<Tensor> keys = new ArrayList<>(caches.size()), values = new ArrayList<>(caches.size());
      int[] pasts = new int[caches.size()];
      for (int i = 0; i < caches.size(); i++) {
        keys.add(caches.get(i).keyStorage(layer));
        values.add(caches.get(i).valueStorage(layer));
        pasts[i] = caches.get(i).length();
      }
      if (ragged.raggedAttentionSupports(qd, keys, values, counts)) {
        ragged.appendAndAttend(out, qd, kd, vd, keys, values, pasts, offsets, scale);
        return Var.constant(out);
      }
    }
    for (int i = 0; i < caches.size(); i++) {
      SequenceCache cache = caches.get(i);
      int past = cache.length(), n = counts[i], at = offsets[i];
      try (Tensor kn = kd.narrow(2, at, n); Tensor vn = vd.narrow(2, at, n)) {
        cache.write(layer, kn, vn);
      }
      try (Tensor qn = qd.narrow(2, at, n); Tensor ks = cache.keys(layer, past + n); Tensor vs = cache.values(layer, past + n);
          Tensor o = Tensor.attention(qn, ks, vs, scale, true, past); Tensor dst = out.narrow(2, at, n)) {
        dst.copyFrom(o);
      }
    }
    return Var.constant(out);
  }
}
