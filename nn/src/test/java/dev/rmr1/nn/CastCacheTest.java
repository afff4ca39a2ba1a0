package dev.rmr1.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.autograd.Grad;
import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import dev.rmr1.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/** Frozen parameters are cast once per open {@link CastCache}, to the same values; trainable ones never. */
@SuppressWarnings("try") // scopes and caches are opened for what they free
class CastCacheTest {
  static Linear frozenBf16Linear() {
    Linear l = new Linear(5, 3, true, DType.F32, Device.CPU).resetParameters(new Rng(1));
    l.weight().replace("weight", l.weight().value().to(DType.BF16));
    l.bias().replace("bias", l.bias().value().to(DType.BF16));
    l.weight().setRequiresGrad(false);
    l.bias().setRequiresGrad(false);
    return l;
  }

  @Test
  void aFrozenParameterIsCastOncePerCacheToTheSameValues() {
    try (Linear l = frozenBf16Linear(); TensorScope s = TensorScope.open()) {
      Parameter b = l.bias();
      Tensor uncached = b.as(DType.F32).data();
      assertNotSame(uncached, b.as(DType.F32).data(), "without a cache every call casts");
      Tensor x = Tensor.of(new double[] {0.5, -1, 2, 0.25, 3, -0.5, 1, 1, -2, 0}, 2, 5).to(DType.F32);
      double[] plain = l.forward(Var.constant(x)).data().toDoubleArray();
      Tensor cached;
      try (CastCache c = CastCache.open()) {
        cached = b.as(DType.F32).data();
        assertSame(cached, b.as(DType.F32).data());
        assertSame(b.var(), b.as(DType.BF16), "its own dtype is the parameter itself");
        assertArrayEquals(uncached.toDoubleArray(), cached.toDoubleArray());
        try (Grad.Guard g = Grad.disabled()) {
          assertArrayEquals(plain, l.forward(Var.constant(x)).data().toDoubleArray());
        }
        try (CastCache inner = CastCache.open()) {
          assertNotSame(cached, b.as(DType.F32).data(), "a nested cache has its own copies");
        }
        assertSame(cached, b.as(DType.F32).data(), "the outer cache is current again");
      }
      assertThrows(IllegalStateException.class, cached::toDoubleArray, "closing frees the copies");
    }
  }

  @Test
  void trainableParametersAreNeverCached() {
    try (Linear l = new Linear(4, 2, true, DType.F32, Device.CPU); CastCache c = CastCache.open(); TensorScope s = TensorScope.open()) {
      Var b = l.bias().as(DType.F64);
      assertNotSame(b.data(), l.bias().as(DType.F64).data());
      assertTrue(b.requiresGrad(), "the cast stays on the gradient's path");
    }
  }

  @Test
  void cachesCloseInnermostFirst() {
    CastCache outer = CastCache.open(), inner = CastCache.open();
    assertThrows(IllegalStateException.class, outer::close);
    inner.close();
    outer.close();
  }
}
