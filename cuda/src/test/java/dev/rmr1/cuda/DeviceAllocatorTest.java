package dev.rmr1.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Size classes of the caching allocator (no GPU needed). */
class DeviceAllocatorTest {
  @Test
  void sizesRoundIntoReusableClasses() {
    assertEquals(512, DeviceAllocator.roundSize(0));
    assertEquals(512, DeviceAllocator.roundSize(1));
    assertEquals(1024, DeviceAllocator.roundSize(513));
    assertEquals(1 << 20, DeviceAllocator.roundSize(1 << 20));
    assertEquals(2 << 20, DeviceAllocator.roundSize((1 << 20) + 1));
    assertEquals(4 << 20, DeviceAllocator.roundSize((2 << 20) + 1));
    assertEquals(6L << 30, DeviceAllocator.roundSize((6L << 30) - 5));
  }
}
