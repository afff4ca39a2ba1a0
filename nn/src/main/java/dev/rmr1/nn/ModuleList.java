package dev.rmr1.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Children named 0, 1, 2, ... (PyTorch's nn.ModuleList), e.g. {@code model.layers.3}. */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
  private final List<M> items = new ArrayList<>();

  public ModuleList<M> add(M m) {
    registerModule(Integer.toString(items.size()), m);
    items.add(m);
    return this;
  }

  public M get(int i) {
    return items.get(i);
  }

  public int size() {
    return items.size();
  }

  @Override
  public Iterator<M> iterator() {
    return java.util.Collections.unmodifiableList(items).iterator();
  }
}
