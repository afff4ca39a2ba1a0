package dev.rmr1.training.grpo;

import dev.rmr1.training.data.ChatTemplate;
import dev.rmr1.training.data.RlvrRecord;
import dev.rmr1.training.sft.TokenCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns RLVR records into {@link GrpoPrompt}s as verl's {@code RLHFDataset} does (spec 4): render the context with the
 * generation prompt, tokenize without special tokens, and drop prompts longer than {@code maxPromptLen} tokens
 * (counted in {@link Prepared#dropped()}, never silently).
 */
public final class GrpoPrompts {
  private GrpoPrompts() {}

  /** The kept prompts and the number dropped for length. */
  public record Prepared(List<GrpoPrompt> prompts, int dropped) {
    public Prepared {
      prompts = List.copyOf(prompts);
    }
  }

  public static Prepared prepare(List<RlvrRecord> records, ChatTemplate template, TokenCodec codec, int maxPromptLen) {
    if (maxPromptLen < 1) throw new IllegalArgumentException("max prompt length " + maxPromptLen);
    List<GrpoPrompt> out = new ArrayList<>(records.size());
    int dropped = 0;
    for (RlvrRecord r : records) {
      int[] ids = codec.encode(template.render(r.contextMessages(), true));
      if (ids.length > maxPromptLen || ids.length == 0) {
        dropped++;
        continue;
      }
      out.add(new GrpoPrompt(ids, r.winner().winnerLabel()));
    }
    return new Prepared(out, dropped);
  }
}
