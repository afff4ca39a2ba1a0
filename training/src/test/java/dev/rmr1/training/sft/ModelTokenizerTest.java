package dev.rmr1.training.sft;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.training.TinyModelDir;
import dev.rmr1.training.data.ChatMessage;
import dev.rmr1.training.data.SftRecord;
import dev.rmr1.training.data.SftTextBuilder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTokenizerTest {
  @Test
  void codecTemplateAndEosOfAModelDirectory(@TempDir Path tmp) {
    ModelTokenizer tok = ModelTokenizer.load(TinyModelDir.create(tmp));
    assertEquals("<|im_end|>", tok.eosText());
    assertEquals(TinyModelDir.EOS, tok.eosId());
    String text = "Chatbot A is better. <answer>[[A]]</answer><|im_end|>";
    int[] ids = tok.encode(text);
    assertEquals(TinyModelDir.EOS, ids[ids.length - 1], "special tokens are matched, not split");
    assertEquals(text, tok.decode(ids), "special tokens are kept on decode");
    for (int id : ids) assertTrue(id < 320);
    var messages = List.of(ChatMessage.system("judge"), ChatMessage.user("which?"));
    assertEquals("<|im_start|>system\njudge<|im_end|>\n<|im_start|>user\nwhich?<|im_end|>\n<|im_start|>assistant\n",
        tok.chatTemplate().render(messages, true));
    // the SFT pipeline end to end on the real template and tokenizer
    SftSampleBuilder b = new SftSampleBuilder(new SftTextBuilder(tok.chatTemplate(), tok.eosText(), false), tok, tok.eosId(), 512);
    SftSample s = b.build(new SftRecord(messages, "A is better. <answer>[[A]]</answer>")).orElseThrow();
    assertEquals(tok.eosId(), s.id(s.length() - 1));
    assertEquals(TinyModelDir.IM_START, s.labels()[s.maskedLength()], "the first trained token opens the assistant header");
  }
}
