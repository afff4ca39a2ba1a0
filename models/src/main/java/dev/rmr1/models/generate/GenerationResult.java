package dev.rmr1.models.generate;

import java.util.List;

/** The generations, in request order, and the work they took. */
public record GenerationResult(List<Generation> generations, GenerationStats stats) {
  public GenerationResult {
    generations = List.copyOf(generations);
  }
}
