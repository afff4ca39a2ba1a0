package dev.rmr1.cuda;

import dev.rmr1.tensor.Device;

/**
 * The backend contract on the host-memory test device (the CPU kernels behind device storage):
 * runs everywhere, so the contract's own checks (views, read-back, tolerances) are exercised
 * without a GPU.
 */
class HostDeviceBackendTest extends BackendContract {
  @Override
  Device device() {
    return HostDevice.DEVICE;
  }
}
