package dev.rmr1.nn;

import dev.rmr1.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A node of a model tree (PyTorch's nn.Module): named parameters and named child modules, so that
 * the dotted names of {@link #namedParameters()} equal Hugging Face state-dict keys
 * ({@code model.layers.0.self_attn.q_proj.weight}), plus a training/evaluation mode that reaches
 * every descendant. Closing a module frees all its parameters.
 */
public abstract class Module implements AutoCloseable {
  private final Map<String, Parameter> parameters = new LinkedHashMap<>();
  private final Map<String, Module> children = new LinkedHashMap<>();
  private boolean training = true;

  protected final Parameter registerParameter(String name, Parameter p) {
    checkName(name);
    parameters.put(name, p);
    return p;
  }

  protected final <M extends Module> M registerModule(String name, M m) {
    checkName(name);
    children.put(name, m);
    return m;
  }

  private void checkName(String name) {
    if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("invalid module or parameter name '" + name + "'");
    if (parameters.containsKey(name) || children.containsKey(name))
      throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
  }

  /** This module's own parameters and direct children, in registration order. */
  public final Map<String, Parameter> directParameters() {
    return Collections.unmodifiableMap(parameters);
  }

  public final Map<String, Module> children() {
    return Collections.unmodifiableMap(children);
  }

  /**
   * Every parameter of the tree by dotted name, depth first in registration order. A parameter
   * shared by several modules (tied embeddings) appears once, under its first name, as in PyTorch's
   * {@code named_parameters()}.
   */
  public final Map<String, Parameter> namedParameters() {
    Map<String, Parameter> out = new LinkedHashMap<>();
    collect("", out, Collections.newSetFromMap(new IdentityHashMap<>()));
    return out;
  }

  private void collect(String prefix, Map<String, Parameter> out, Set<Parameter> seen) {
    parameters.forEach((n, p) -> {
      if (seen.add(p)) out.put(prefix + n, p);
    });
    children.forEach((n, m) -> m.collect(prefix + n + ".", out, seen));
  }

  /** Every module of the tree by dotted name, this one first under the empty name. */
  public final Map<String, Module> namedModules() {
    Map<String, Module> out = new LinkedHashMap<>();
    out.put("", this);
    children.forEach((n, m) -> m.namedModules().forEach((k, v) -> out.put(k.isEmpty() ? n : n + "." + k, v)));
    return out;
  }

  /** The parameters that require a gradient, with their names (what an optimizer gets). */
  public final List<NamedParameter> trainableParameters() {
    List<NamedParameter> out = new ArrayList<>();
    namedParameters().forEach((n, p) -> {
      if (p.requiresGrad()) out.add(new NamedParameter(n, p));
    });
    return out;
  }

  /** The parameter with dotted name {@code name}. */
  public final Parameter parameter(String name) {
    Parameter p = namedParameters().get(name);
    if (p == null) throw new IllegalArgumentException("no parameter '" + name + "' in " + getClass().getSimpleName());
    return p;
  }

  /** Parameter values by name (the tensors themselves, not copies). */
  public final Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    namedParameters().forEach((n, p) -> out.put(n, p.value()));
    return out;
  }

  /**
   * Copies values into the parameters of the same names, casting to each parameter's dtype. With
   * {@code strict}, every parameter must be present and every key used; otherwise the missing and
   * unexpected keys are returned. Shapes must match (the error names the key).
   */
  public final LoadReport loadStateDict(Map<String, Tensor> values, boolean strict) {
    Map<String, Parameter> own = namedParameters();
    List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
    for (String k : values.keySet()) if (!own.containsKey(k)) unexpected.add(k);
    for (String k : own.keySet()) if (!values.containsKey(k)) missing.add(k);
    if (strict && (!missing.isEmpty() || !unexpected.isEmpty()))
      throw new IllegalArgumentException("state dict does not match " + getClass().getSimpleName() + ": missing " + new TreeSet<>(missing)
          + ", unexpected " + new TreeSet<>(unexpected));
    own.forEach((n, p) -> {
      Tensor v = values.get(n);
      if (v == null) return;
      if (!Arrays.equals(v.shape(), p.shape()))
        throw new IllegalArgumentException("state dict key " + n + ": shape " + Arrays.toString(v.shape()) + ", expected " + Arrays.toString(p.shape()));
      p.value().copyFrom(v);
    });
    return new LoadReport(missing, unexpected);
  }

  /** Keys a non-strict {@link #loadStateDict} did not find, and keys it did not use. */
  public record LoadReport(List<String> missing, List<String> unexpected) {}

  /** Sets training (true) or evaluation mode on the whole tree (dropout is active only in training). */
  public final Module train(boolean on) {
    for (Module m : namedModules().values()) m.training = on;
    return this;
  }

  public final Module eval() {
    return train(false);
  }

  public final boolean isTraining() {
    return training;
  }

  /** Freezes or unfreezes every parameter of the tree. */
  public final void setRequiresGrad(boolean requires) {
    for (Parameter p : namedParameters().values()) p.setRequiresGrad(requires);
  }

  /** Closes the gradients of every parameter (PyTorch's zero_grad(set_to_none=True)). */
  public final void clearGrads() {
    for (Parameter p : namedParameters().values()) p.var().clearGrad();
  }

  /** Frees every parameter of the tree. */
  @Override
  public void close() {
    for (Parameter p : namedParameters().values()) p.close();
  }
}
