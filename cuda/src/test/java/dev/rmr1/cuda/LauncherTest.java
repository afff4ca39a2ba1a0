package dev.rmr1.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The kernel-argument block of {@link Launcher} (no GPU needed): kernelParams[i] points at argument i's value, 8-byte aligned. */
class LauncherTest {
  private static MemorySegment at(MemorySegment params, int i, long bytes) {
    long address = params.getAtIndex(ValueLayout.JAVA_LONG, i);
    assertEquals(0, address % 8, "argument " + i + " is 8-byte aligned");
    return MemorySegment.ofAddress(address).reinterpret(bytes);
  }

  @Property(tries = 50)
  void everyArgumentReadsBackThroughItsPointer(@ForAll int i, @ForAll long l, @ForAll float f, @ForAll double d, @ForAll byte[] desc) {
    Launcher launcher = new Launcher();
    byte[] struct = java.util.Arrays.copyOf(desc, Math.min(desc.length, 112));
    Object[] args = {i, struct, l, f, new DevicePointer(), d, i};
    MemorySegment params = launcher.pack("test", args);
    assertEquals(i, at(params, 0, 4).get(ValueLayout.JAVA_INT, 0));
    assertArrayEquals(struct, at(params, 1, Math.max(1, struct.length)).asSlice(0, struct.length).toArray(ValueLayout.JAVA_BYTE));
    assertEquals(l, at(params, 2, 8).get(ValueLayout.JAVA_LONG, 0));
    assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(at(params, 3, 4).get(ValueLayout.JAVA_FLOAT, 0)));
    assertEquals(0L, at(params, 4, 8).get(ValueLayout.JAVA_LONG, 0), "a device pointer's raw address");
    assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits(at(params, 5, 8).get(ValueLayout.JAVA_DOUBLE, 0)));
    assertEquals(i, at(params, 6, 4).get(ValueLayout.JAVA_INT, 0));
  }

  @Example
  void unsupportedArgumentsAndTooManyAreRejected() {
    Launcher launcher = new Launcher();
    assertThrows(IllegalArgumentException.class, () -> launcher.pack("k", new Object[] {"text"}));
    assertThrows(IllegalArgumentException.class, () -> launcher.pack("k", new Object[65]));
  }
}
