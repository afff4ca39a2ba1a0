package dev.rmr1.tensor;

/**
 * An optional capability of a {@link Backend}: one AdamW update of dense F32 tensors in a single
 * kernel, bit-identical to the optimizer's composed tensor path ({@code nn.optim.AdamW}), which
 * runs about a dozen elementwise kernels and temporaries per parameter. The optimizer uses it when
 * the parameter's backend implements this interface; the scalars are computed by the optimizer in
 * double, as PyTorch computes them in Python ({@code torch/optim/adamw.py, _single_tensor_adam}).
 *
 * <p>With {@code w = lerpWeight}: {@code p *= decayFactor} (when {@code decay});
 * {@code m = lerp(m, g, w)} (ATen's two-sided lerp form); {@code v = v * beta2 + gradSqWeight * g * g};
 * {@code p += negStepSize * m / (sqrt(v) / biasCorrection2Sqrt + eps)}.
 */
public interface FusedAdamW {
  /** p, g, m, v: dense F32 tensors of one shape on this backend's device. */
  void adamW(Tensor p, Tensor g, Tensor m, Tensor v, boolean decay, double decayFactor, double lerpWeight, double beta2, double gradSqWeight,
      double biasCorrection2Sqrt, double eps, double negStepSize);
}
