package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;

/** Hugging Face {@code Qwen2MLP}: down_proj(silu(gate_proj(x)) * up_proj(x)), no biases. */
public final class SwiGluMlp extends Module {
  private final Linear gate, up, down;

  /** Zero-initialised projections (to be loaded or initialised). */
  public SwiGluMlp(int hidden, int intermediate, DType dtype, Device device) {
    this(new Linear(hidden, intermediate, false, dtype, device), new Linear(hidden, intermediate, false, dtype, device),
        new Linear(intermediate, hidden, false, dtype, device));
  }

  /** Over existing projections: gate and up (hidden -> intermediate), down (intermediate -> hidden). */
  public SwiGluMlp(Linear gate, Linear up, Linear down) {
    int hidden = gate.inFeatures(), inter = gate.outFeatures();
    if (up.inFeatures() != hidden || up.outFeatures() != inter || down.inFeatures() != inter || down.outFeatures() != hidden)
      throw new IllegalArgumentException("SwiGluMlp: gate_proj is " + hidden + " -> " + inter + ", so up_proj must be too and down_proj "
          + inter + " -> " + hidden + "; got up_proj " + up.inFeatures() + " -> " + up.outFeatures() + ", down_proj " + down.inFeatures()
          + " -> " + down.outFeatures());
    this.gate = registerModule("gate_proj", gate);
    this.up = registerModule("up_proj", up);
    this.down = registerModule("down_proj", down);
  }

  public Linear gateProj() {
    return gate;
  }

  public Linear upProj() {
    return up;
  }

  public Linear downProj() {
    return down;
  }

  /** (..., hidden) -> (..., hidden). */
  public Var forward(Var x) {
    return down.forward(gate.forward(x).swiGlu(up.forward(x)));
  }
}
