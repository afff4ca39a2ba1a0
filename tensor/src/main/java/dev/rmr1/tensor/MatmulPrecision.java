package dev.rmr1.tensor;

import java.util.Locale;

/**
 * How an accelerator multiplies two F32 matrices (the CUDA backend; the CPU always multiplies in
 * F32), named as PyTorch's
 * {@code torch.set_float32_matmul_precision}: {@code highest} (F32 arithmetic, the default, as in
 * PyTorch), {@code high} (TF32 tensor cores: 10-bit mantissa products, F32 accumulation) or
 * {@code medium} (both operands rounded to BF16, F32 accumulation, as PyTorch autocast's BF16
 * matmul). Chosen by {@code -Drmr1.float32MatmulPrecision=highest|high|medium} (through
 * {@code RMR1_JAVA_OPTS} for {@code ./rmr1}), {@link #set} (the training configs'
 * {@code float32_matmul_precision}, {@code bench train-step --float32-matmul-precision}); the older
 * {@code -Drmr1.cuda.tf32=true} means {@code high}. Process-wide, as PyTorch's setting, and read at
 * each product.
 */
public enum MatmulPrecision {
  HIGHEST, HIGH, MEDIUM;

  public static final String PROPERTY = "rmr1.float32MatmulPrecision";

  /** The setting in force: the property, else {@code highest}. */
  public static MatmulPrecision current() {
    String v = System.getProperty(PROPERTY);
    if (v == null) return Boolean.getBoolean("rmr1.cuda.tf32") ? HIGH : HIGHEST;
    return parse(v);
  }

  /** Parses highest, high or medium (any case); the error names the accepted values. */
  public static MatmulPrecision parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("float32 matmul precision must be highest, high or medium, got '" + name + "'");
    }
  }

  /** Makes this the setting for every later product of the process. */
  public void set() {
    System.setProperty(PROPERTY, name().toLowerCase(Locale.ROOT));
  }

  /** The name as PyTorch writes it: highest, high, medium. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
