package dev.rmr1.cuda;

import dev.rmr1.tensor.Backends;
import dev.rmr1.tensor.Device;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * Whether cuda:0 can be used in this JVM, probed once. jqwik containers skip through this hook
 * ({@code @AddLifecycleHook(RequiresCuda.class)}), JUnit tests through {@link #reason()} in an
 * assumption; both report why (CI has no GPU).
 */
public final class RequiresCuda implements SkipExecutionHook {
  static final Device GPU = new Device("cuda", 0);
  private static final String UNAVAILABLE = probe();

  private static String probe() {
    try {
      // where the kernels came from (NVRTC, cache or shipped PTX) and which cuBLAS: for the run's log
      System.out.println("CUDA backend: " + ((CudaBackend) Backends.of(GPU)).describe());
      return null;
    } catch (RuntimeException | LinkageError e) {
      return e.getMessage();
    }
  }

  /** Null when cuda:0 works, else why not. */
  static String reason() {
    return UNAVAILABLE == null ? null : "no usable CUDA device: " + UNAVAILABLE;
  }

  @Override
  public SkipResult shouldBeSkipped(LifecycleContext context) {
    return UNAVAILABLE == null ? SkipResult.doNotSkip() : SkipResult.skip(reason());
  }
}
