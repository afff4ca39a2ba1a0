package dev.rmr1.nn.optim;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Global-norm gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} with the L2 norm: the
 * norm of all gradients taken together is computed (dense CPU gradients accumulated in double;
 * others as F32 row sums added in double, still more precise than PyTorch's F32 norms), and when
 * {@code maxNorm / (norm + 1e-6)} is below 1 every gradient is multiplied by it. Parameters without a
 * gradient are ignored.
 */
public final class GradClip {
  private GradClip() {}

  /**
   * sqrt(sum over all gradients of sum(g^2)); 0 when no parameter has a gradient. Off the CPU the
   * per-gradient sums stay on their device, added into one F64 scalar per device that is read once:
   * reading each back would wait for the device hundreds of times per step.
   */
  public static double totalNorm(List<? extends OptimParam> params) {
    double sum = 0;
    Map<Device, Tensor> onDevice = new LinkedHashMap<>();
    try {
      for (OptimParam p : params) {
        Tensor g = p.grad();
        if (g == null) continue;
        if (CpuKernels.denseCpuF32(g)) {
          sum += CpuKernels.sumOfSquares(g);
          continue;
        }
        Tensor part = squares(g);
        Tensor acc = onDevice.putIfAbsent(g.device(), part);
        if (acc != null) {
          try (part) {
            acc.addInPlace(part);
          }
        }
      }
      for (Tensor acc : onDevice.values()) sum += acc.item();
    } finally {
      for (Tensor acc : onDevice.values()) acc.close();
    }
    return Math.sqrt(sum);
  }

  /**
   * Clips in place and returns the norm before clipping (what RM-R1 logs as grad norm). As in
   * PyTorch, a non-finite norm yields a NaN or 0 coefficient, which is applied (the step is spoiled
   * visibly rather than silently skipped).
   */
  public static double clipGradNorm(List<? extends OptimParam> params, double maxNorm) {
    if (!(maxNorm >= 0)) throw new IllegalArgumentException("clipGradNorm: invalid max norm " + maxNorm);
    double total = totalNorm(params);
    double coef = maxNorm / (total + 1e-6);
    if (!(coef >= 1.0)) {
      for (OptimParam p : params) {
        Tensor g = p.grad();
        if (g != null) g.mulInPlace(coef);
      }
    }
    return total;
  }

  /** sum(g^2) by tensor operations ({@link #squares}): the reference for the fused CPU loop. */
  static double composedSumOfSquares(Tensor g) {
    try (Tensor s = squares(g)) {
      return s.item();
    }
  }

  /**
   * sum(g^2) as an F64 scalar on g's device, by tensor operations: the path for devices other than
   * the CPU and for other dtypes. Squares are summed along the last dim in F32 (F64 for F64
   * gradients; kernels accumulate in at least F32 and round each row sum once), then the row sums
   * are added in F64. No F64 copy of the whole gradient is made: for a 0.5B-parameter model on a GPU
   * that was 4 GB of temporaries and a tenth of the training step.
   */
  @SuppressWarnings("try") // the scope frees the temporaries
  static Tensor squares(Tensor g) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor x = g.dtype() == DType.F64 || g.dtype() == DType.F32 ? g : g.to(DType.F32);
      Tensor rows = x.dim() == 0 ? x.square() : x.square().sum(-1, false); // (..., C) -> (...)
      return scope.keep(rows.to(DType.F64).sum());
    }
  }
}
