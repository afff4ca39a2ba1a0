package dev.rmr1.models;

import dev.rmr1.nn.Module;

/**
 * Gives a freshly built module its parameter values right after construction, so that a large
 * model is never held twice: each module's placeholder tensors are replaced (by zero-copy views of
 * a checkpoint, say) before the next module is built.
 */
interface ParameterFill {
  /** Fills the parameters of {@code module}, whose full names start with {@code prefix}; returns it. */
  <M extends Module> M fill(String prefix, M module);

  /** Keeps the values the constructors gave. */
  ParameterFill KEEP = new ParameterFill() {
    @Override
    public <M extends Module> M fill(String prefix, M module) {
      return module;
    }
  };
}
