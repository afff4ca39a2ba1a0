package dev.rmr1.cuda;

import java.util.Locale;

/**
 * How the GPU multiplies two F32 matrices, named as PyTorch's
 * {@code torch.set_float32_matmul_precision}: {@code highest} (F32 arithmetic, the default, as in
 * PyTorch), {@code high} (TF32 tensor cores: 10-bit mantissa products, F32 accumulation) or
 * {@code medium} (both operands rounded to BF16, F32 accumulation, as PyTorch autocast's BF16
 * matmul). Chosen by {@code -Drmr1.float32MatmulPrecision=highest|high|medium} (through
 * {@code RMR1_JAVA_OPTS} for {@code ./rmr1}); the older {@code -Drmr1.cuda.tf32=true} means
 * {@code high}. Read at each product, so a command can set it before its first one.
 */
enum MatmulPrecision {
  HIGHEST, HIGH, MEDIUM;

  static final String PROPERTY = "rmr1.float32MatmulPrecision";

  static MatmulPrecision current() {
    String v = System.getProperty(PROPERTY);
    if (v == null) return Boolean.getBoolean("rmr1.cuda.tf32") ? HIGH : HIGHEST;
    try {
      return valueOf(v.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("-D" + PROPERTY + " must be highest, high or medium, got '" + v + "'");
    }
  }
}
