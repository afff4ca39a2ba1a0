package dev.rmr1.cuda;

import dev.rmr1.tensor.Device;

/**
 * The whole-model contract on the host-memory test device: shows, without a GPU, that models,
 * autograd, nn and the optimizer run on a device whose memory the host cannot read directly.
 */
class HostDeviceModelTest extends ModelContract {
  @Override
  Device device() {
    return HostDevice.DEVICE;
  }
}
