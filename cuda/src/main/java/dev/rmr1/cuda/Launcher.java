package dev.rmr1.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import jcuda.driver.CUfunction;
import jcuda.driver.CUresult;

/**
 * {@code cuLaunchKernel} called through java.lang.foreign. A training step launches thousands of
 * small kernels, so what a launch costs on the host matters: JCuda's launch marshals every argument
 * through JNI (a Java array and a {@code Pointer} per argument); here the arguments are written into
 * one reusable off-heap block and the driver is called directly. The kernel's function handle still
 * comes from JCuda's module ({@link Handle}).
 *
 * <p>Argument types: Integer (int), Long (long long or a raw device address), Float, Double, byte[]
 * (a struct such as TensorDesc, 8-byte aligned) and {@link DevicePointer}. The driver copies the
 * values during the call, so the block is reused at once.
 */
final class Launcher {
  private static final long BLOCK_BYTES = 8192;
  private static final int MAX_ARGS = 64;

  private final MemorySegment values = Arena.global().allocate(BLOCK_BYTES, 16);
  private final MemorySegment pointers = Arena.global().allocate(8L * MAX_ARGS, 8);

  /** A JCuda function whose native handle can be read (CUfunction keeps it protected). */
  static final class Handle extends CUfunction {
    long address() {
      return getNativePointer();
    }
  }

  /** The driver's entry point, looked up on first use (the packing needs no driver). */
  private static final class Driver {
    static final MethodHandle LAUNCH;

    static {
      SymbolLookup cuda = SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
      ValueLayout.OfInt u32 = ValueLayout.JAVA_INT;
      LAUNCH = Linker.nativeLinker().downcallHandle(cuda.find("cuLaunchKernel").orElseThrow(() -> new IllegalStateException("libcuda.so.1 has no cuLaunchKernel")),
          FunctionDescriptor.of(u32, ValueLayout.ADDRESS, u32, u32, u32, u32, u32, u32, u32, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }
  }

  /** Launches {@code name} (for errors) as a 1-d grid on the default stream of the current context. */
  synchronized void launch(String name, Handle function, int grid, int block, int sharedBytes, Object[] args) {
    MemorySegment params = pack(name, args);
    int rc;
    try {
      rc = (int) Driver.LAUNCH.invokeExact(MemorySegment.ofAddress(function.address()), grid, 1, 1, block, 1, 1, sharedBytes, MemorySegment.NULL, params,
          MemorySegment.NULL);
    } catch (Throwable t) {
      throw new IllegalStateException("cuLaunchKernel(" + name + ") failed", t);
    }
    if (rc != 0) throw new IllegalStateException("cuLaunchKernel(" + name + ", grid " + grid + ", block " + block + "): " + CUresult.stringFor(rc));
  }

  /**
   * Writes the arguments into the value block (each 8-byte aligned) and returns the array of their
   * addresses, cuLaunchKernel's {@code kernelParams}. Callers hold this launcher's lock.
   */
  MemorySegment pack(String name, Object[] args) {
    if (args.length > MAX_ARGS) throw new IllegalArgumentException(name + ": " + args.length + " kernel arguments, at most " + MAX_ARGS);
    long at = 0;
    long base = values.address();
    for (int i = 0; i < args.length; i++) {
      at = (at + 7) & ~7L;
      int size = switch (args[i]) {
        case Integer v -> {
          values.set(ValueLayout.JAVA_INT, at, v);
          yield 4;
        }
        case Long v -> {
          values.set(ValueLayout.JAVA_LONG, at, v);
          yield 8;
        }
        case Float v -> {
          values.set(ValueLayout.JAVA_FLOAT, at, v);
          yield 4;
        }
        case Double v -> {
          values.set(ValueLayout.JAVA_DOUBLE, at, v);
          yield 8;
        }
        case byte[] v -> {
          if (at + v.length > BLOCK_BYTES) throw new IllegalArgumentException(name + ": kernel arguments exceed " + BLOCK_BYTES + " bytes");
          MemorySegment.copy(v, 0, values, ValueLayout.JAVA_BYTE, at, v.length);
          yield v.length;
        }
        case DevicePointer p -> {
          values.set(ValueLayout.JAVA_LONG, at, p.address());
          yield 8;
        }
        default -> throw new IllegalArgumentException(name + ": unsupported kernel argument " + args[i]);
      };
      pointers.setAtIndex(ValueLayout.JAVA_LONG, i, base + at);
      at += size;
    }
    return pointers;
  }
}
