package dev.rmr1.tokenizers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face post-processor (tokenizers/src/processors): adds special tokens around one encoded
 * sequence when {@code add_special_tokens} is true. Offsets and type ids are not modelled.
 */
sealed interface PostProcessor {
  int[] addSpecialTokens(int[] ids);

  static PostProcessor parse(JsonNodeAt n) {
    return switch (n.type()) {
      case "ByteLevel" -> new Identity(); // only trims offsets
      case "TemplateProcessing" -> TemplateProcessing.parse(n);
      case "BertProcessing", "RobertaProcessing" -> {
        JsonNodeAt cls = n.get("cls"), sep = n.get("sep");
        yield new Surround(cls.elements().get(1).intValue(), sep.elements().get(1).intValue());
      }
      case "Sequence" -> {
        List<PostProcessor> steps = new ArrayList<>();
        for (JsonNodeAt e : n.get("processors").elements()) steps.add(parse(e));
        yield new Sequence(steps);
      }
      default -> throw n.unsupported("post_processor");
    };
  }

  record Identity() implements PostProcessor {
    @Override
    public int[] addSpecialTokens(int[] ids) {
      return ids;
    }
  }

  /** [CLS] ids [SEP] (BERT, RoBERTa single sequence). */
  record Surround(int cls, int sep) implements PostProcessor {
    @Override
    public int[] addSpecialTokens(int[] ids) {
      int[] out = new int[ids.length + 2];
      out[0] = cls;
      System.arraycopy(ids, 0, out, 1, ids.length);
      out[ids.length + 1] = sep;
      return out;
    }
  }

  /** The "single" template: special tokens (each possibly several ids) around sequence $A. */
  record TemplateProcessing(List<int[]> pieces) implements PostProcessor {
    /** In {@code pieces}, this marks where the sequence goes. */
    private static final int[] SEQUENCE = new int[0];

    static TemplateProcessing parse(JsonNodeAt n) {
      Map<String, int[]> special = new HashMap<>();
      JsonNodeAt st = n.opt("special_tokens");
      if (st != null) {
        for (Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e : st.json().properties()) {
          JsonNodeAt tok = new JsonNodeAt(e.getValue(), st.path() + "[\"" + e.getKey() + "\"]", st.source());
          List<JsonNodeAt> ids = tok.get("ids").elements();
          int[] a = new int[ids.size()];
          for (int i = 0; i < a.length; i++) a[i] = ids.get(i).intValue();
          special.put(e.getKey(), a);
        }
      }
      List<int[]> pieces = new ArrayList<>();
      for (JsonNodeAt item : n.get("single").elements()) {
        if (item.opt("Sequence") != null) {
          String id = item.get("Sequence").text("id");
          if (!id.equals("A")) throw item.error("the single template can only hold sequence A, got " + id);
          pieces.add(SEQUENCE);
        } else if (item.opt("SpecialToken") != null) {
          String id = item.get("SpecialToken").text("id");
          int[] ids = special.get(id);
          if (ids == null) throw item.error("special token '" + id + "' is not in special_tokens");
          pieces.add(ids);
        } else {
          throw item.error("expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
        }
      }
      return new TemplateProcessing(pieces);
    }

    @Override
    public int[] addSpecialTokens(int[] ids) {
      IntList out = new IntList(ids.length + 4);
      for (int[] p : pieces) out.addAll(p == SEQUENCE ? ids : p);
      return out.toArray();
    }
  }

  record Sequence(List<PostProcessor> steps) implements PostProcessor {
    @Override
    public int[] addSpecialTokens(int[] ids) {
      for (PostProcessor p : steps) ids = p.addSpecialTokens(ids);
      return ids;
    }
  }
}
