package dev.rmr1.training.demo;

import static org.junit.jupiter.api.Assertions.*;

import dev.rmr1.tokenizers.PretrainedTokenizer;
import dev.rmr1.tokenizers.Tokenizer;
import dev.rmr1.training.data.SftRecord;
import dev.rmr1.training.judge.PretrainedChat;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTokenizerTest {
  @Test
  void trainedTokenizerRoundTripsCompressesTheTaskAndRendersChatMl(@TempDir Path dir) {
    PretrainedTokenizer pt = DemoTokenizer.train(4, 400, 100, 30, dir);
    Tokenizer tok = pt.tokenizer();
    // at most the requested size: the trainer stops when no pair occurs twice
    assertTrue(tok.vocabSize() <= 400 && tok.vocabSize() > 300, "vocab " + tok.vocabSize());
    for (String s : DemoTokenizer.SPECIALS) assertTrue(tok.isSpecial(tok.tokenToId(s)), s);
    // loading the written directory gives the same tokenizer and template
    PretrainedChat chat = new PretrainedChat(PretrainedTokenizer.load(dir));
    SftRecord r = DemoData.generate(9, 1, 0, 1, 30, 0.2).sftRecords().get(0);
    String text = chat.render(r.contextMessages(), true) + r.trace() + DemoTokenizer.EOS;
    int[] ids = chat.encode(text);
    assertEquals(text, chat.decode(ids));
    assertArrayEquals(tok.encode(text, false), ids);
    // the merges learnt the task's language: far fewer tokens than bytes; digits stay one per token
    assertTrue(ids.length * 2 < text.length(), ids.length + " tokens for " + text.length() + " chars");
    assertEquals(3, tok.encode("123", false).length);
    assertTrue(text.startsWith("<|im_start|>system\n" + DemoPrompts.SYSTEM + "<|im_end|>\n<|im_start|>user\n"), text);
  }
}
