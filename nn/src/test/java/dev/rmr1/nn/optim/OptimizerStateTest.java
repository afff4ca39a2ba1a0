package dev.rmr1.nn.optim;

import static dev.rmr1.nn.optim.OptimTesting.bits;
import static dev.rmr1.nn.optim.OptimTesting.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Rng;
import dev.rmr1.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints: save, load into a fresh optimizer, continue; identical to never stopping, bit for bit. */
class OptimizerStateTest {
  @TempDir
  Path dir;

  private static final int STEPS = 12, SAVE_AT = 5;

  /** F32 matrix (fused AdamW path), F32 vector, F64 matrix (composed path). */
  private static List<TestParam> initialParams() {
    Rng rng = new Rng(7);
    return List.of(new TestParam("model.w", gaussian(DType.F32, rng, 1.0, 5, 7)), new TestParam("model.b", gaussian(DType.F32, rng, 1.0, 7)),
        new TestParam("model.d", gaussian(DType.F64, rng, 1.0, 3, 2)));
  }

  /** Gradients depend only on the step, so two runs see the same ones; "model.b" gets none for the first two steps. */
  private static void train(Optimizer opt, List<TestParam> ps, int from, int to) {
    for (int s = from; s < to; s++) {
      Rng rng = new Rng(1000 + s);
      for (TestParam p : ps) p.setGrad(s < 2 && p.name().equals("model.b") ? null : gaussian(p.value().dtype(), rng, 1.0, p.value().shape()));
      GradClip.clipGradNorm(ps, 2.0);
      opt.step();
    }
  }

  private static List<TestParam> copies(List<TestParam> ps) {
    List<TestParam> r = new ArrayList<>();
    for (TestParam p : ps) r.add(new TestParam(p.name(), p.value().copy()));
    return r;
  }

  private static Optimizer adamW(List<TestParam> ps) {
    return adamW(ps, 0.05, 0.95);
  }

  private static Optimizer adamW(List<TestParam> ps, double lr, double beta2) {
    AdamW opt = new AdamW(ParamGroups.decayAndNoDecay(ps, lr, 0.1), 0.9, beta2, 1e-8);
    opt.setSchedule(LrSchedule.cosineWithMinLr(3, STEPS, 0.1));
    return opt;
  }

  private static Optimizer sgd(List<TestParam> ps) {
    Sgd opt = new Sgd(ParamGroups.decayAndNoDecay(ps, 0.05, 0.1), 0.9, 0.1, false);
    opt.setSchedule(LrSchedule.linearWithWarmup(2, STEPS));
    return opt;
  }

  private void resumesBitExactly(Function<List<TestParam>, Optimizer> factory) throws IOException {
    Path file = dir.resolve("optim.state");
    List<TestParam> straight = initialParams(), first = copies(straight);
    List<TestParam> resumed = null;
    try (Optimizer a = factory.apply(straight)) {
      train(a, straight, 0, STEPS);
      try (Optimizer b = factory.apply(first)) {
        train(b, first, 0, SAVE_AT);
        b.save(file);
      }
      resumed = copies(first); // the model checkpoint: parameter values at step SAVE_AT
      try (Optimizer c = factory.apply(resumed)) {
        c.load(file);
        assertEquals(SAVE_AT, c.stepCount());
        train(c, resumed, SAVE_AT, STEPS);
        assertEquals(STEPS, c.stepCount());
        for (int k = 0; k < straight.size(); k++)
          assertArrayEquals(bits(straight.get(k).value()), bits(resumed.get(k).value()), straight.get(k).name());
        if (a instanceof AdamW aa && c instanceof AdamW cc) {
          for (TestParam p : straight) {
            assertEquals(aa.paramStep(p.name()), cc.paramStep(p.name()));
            try (Tensor x = aa.expAvgSq(p.name()); Tensor y = cc.expAvgSq(p.name())) {
              assertArrayEquals(bits(x), bits(y));
            }
          }
        }
      }
    } finally {
      for (List<TestParam> l : List.of(straight, first)) l.forEach(TestParam::close);
      if (resumed != null) resumed.forEach(TestParam::close);
    }
  }

  @Test
  void adamWResumesBitExactly() throws IOException {
    resumesBitExactly(OptimizerStateTest::adamW);
  }

  @Test
  void sgdResumesBitExactly() throws IOException {
    resumesBitExactly(OptimizerStateTest::sgd);
  }

  /** Saves an AdamW checkpoint after two steps and returns its path. */
  private Path savedAdamW() throws IOException {
    Path file = dir.resolve("adamw.state");
    List<TestParam> ps = initialParams();
    try (Optimizer opt = adamW(ps)) {
      train(opt, ps, 0, 2);
      opt.save(file);
    } finally {
      ps.forEach(TestParam::close);
    }
    return file;
  }

  private static String loadError(Path file, Function<List<TestParam>, Optimizer> factory, List<TestParam> ps) {
    try (Optimizer opt = factory.apply(ps)) {
      var e = assertThrows(IllegalArgumentException.class, () -> opt.load(file));
      assertEquals(0, opt.stepCount(), "a failed load must leave the optimizer as it was");
      return e.getMessage();
    } finally {
      ps.forEach(TestParam::close);
    }
  }

  @Test
  void mismatchedConfigurationIsRejectedByName() throws IOException {
    Path file = savedAdamW();
    String m = loadError(file, ps -> adamW(ps, 0.05, 0.999), initialParams());
    assertTrue(m.contains("hyper.beta2") && m.contains("0.95") && m.contains("0.999"), m);
    m = loadError(file, ps -> {
      Optimizer o = adamW(ps);
      o.setSchedule(LrSchedule.constant());
      return o;
    }, initialParams());
    assertTrue(m.contains("'schedule'"), m);
    m = loadError(file, ps -> adamW(ps, 0.01, 0.95), initialParams());
    assertTrue(m.contains("group.0.lr"), m);
    m = loadError(file, OptimizerStateTest::sgd, initialParams());
    assertTrue(m.contains("'optimizer'") && m.contains("AdamW") && m.contains("SGD"), m);
    List<TestParam> renamed = List.of(new TestParam("model.w2", Tensor.zeros(DType.F32, 5, 7)), new TestParam("model.b", Tensor.zeros(DType.F32, 7)),
        new TestParam("model.d", Tensor.zeros(DType.F64, 3, 2)));
    m = loadError(file, OptimizerStateTest::adamW, renamed);
    assertTrue(m.contains("group.0.params"), m);
  }

  @Test
  void wrongStateShapeIsRejectedBeforeAnythingChanges() throws IOException {
    Path file = savedAdamW();
    List<TestParam> reshaped = List.of(new TestParam("model.w", Tensor.zeros(DType.F32, 7, 5)), new TestParam("model.b", Tensor.zeros(DType.F32, 7)),
        new TestParam("model.d", Tensor.zeros(DType.F64, 3, 2)));
    String m = loadError(file, OptimizerStateTest::adamW, reshaped);
    assertTrue(m.contains("param.model.w.exp_avg") && m.contains("[5, 7]") && m.contains("[7, 5]"), m);
  }

  @Test
  void unexpectedEntryIsRejected() throws IOException {
    Path file = dir.resolve("extra.state");
    List<TestParam> ps = initialParams();
    try (Optimizer opt = adamW(ps)) {
      BinaryStateFile.write(file, w -> {
        opt.save(w);
        w.putTensor("param.model.zzz.exp_avg", Tensor.zeros(DType.F32, 1));
      });
    } finally {
      ps.forEach(TestParam::close);
    }
    String m = loadError(file, OptimizerStateTest::adamW, initialParams());
    assertTrue(m.contains("unexpected entry 'param.model.zzz.exp_avg'"), m);
  }
}
