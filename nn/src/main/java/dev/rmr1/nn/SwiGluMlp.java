package dev.rmr1.nn;

import dev.rmr1.autograd.Var;
import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Device;

/** Hugging Face {@code Qwen2MLP}: down_proj(silu(gate_proj(x)) * up_proj(x)), no biases. */
public final class SwiGluMlp extends Module {
  private final Linear gate, up, down;

  public SwiGluMlp(int hidden, int intermediate, DType dtype, Device device) {
    gate = registerModule("gate_proj", new Linear(hidden, intermediate, false, dtype, device));
    up = registerModule("up_proj", new Linear(hidden, intermediate, false, dtype, device));
    down = registerModule("down_proj", new Linear(intermediate, hidden, false, dtype, device));
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
    return down.forward(gate.forward(x).silu().mul(up.forward(x)));
  }
}
