package dev.rmr1.tensor;

/**
 * Where a tensor's storage lives: {@code cpu}, or {@code cuda:N}. The backend that computes on a
 * device is found through {@link Backends}.
 */
public record Device(String type, int index) {
  public static final Device CPU = new Device("cpu", 0);

  public Device {
    if (!type.equals("cpu") && !type.equals("cuda"))
      throw new IllegalArgumentException("unknown device type '" + type + "' (expected cpu or cuda[:N])");
    if (index < 0) throw new IllegalArgumentException("negative device index " + index);
  }

  /** Parses {@code cpu}, {@code cuda} or {@code cuda:N}. */
  public static Device parse(String spec) {
    String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("cpu")) return CPU;
    if (s.equals("cuda") || s.equals("gpu")) return new Device("cuda", 0);
    if (s.startsWith("cuda:")) {
      try {
        return new Device("cuda", Integer.parseInt(s.substring(5)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad device '" + spec + "': expected cpu, cuda or cuda:N");
      }
    }
    throw new IllegalArgumentException("bad device '" + spec + "': expected cpu, cuda or cuda:N");
  }

  public boolean isCpu() {
    return type.equals("cpu");
  }

  @Override
  public String toString() {
    return isCpu() ? "cpu" : type + ":" + index;
  }
}
