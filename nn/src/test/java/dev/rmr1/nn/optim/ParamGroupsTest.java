package dev.rmr1.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rmr1.tensor.DType;
import dev.rmr1.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParamGroupsTest {
  @Test
  void splitsMatricesFromBiasesAndNorms() {
    try (TestParam q = new TestParam("model.layers.0.self_attn.q_proj.weight", Tensor.zeros(DType.F32, 4, 4));
        TestParam qb = new TestParam("model.layers.0.self_attn.q_proj.bias", Tensor.zeros(DType.F32, 4));
        TestParam ln = new TestParam("model.layers.0.input_layernorm.weight", Tensor.zeros(DType.F32, 4));
        TestParam norm = new TestParam("model.norm.weight", Tensor.zeros(DType.F32, 4));
        TestParam emb = new TestParam("model.embed_tokens.weight", Tensor.zeros(DType.F32, 8, 4));
        TestParam oddNorm = new TestParam("model.final_layernorm.scale2d", Tensor.zeros(DType.F32, 2, 4));
        TestParam bias2d = new TestParam("head.bias", Tensor.zeros(DType.F32, 2, 4))) {
      List<ParamGroup> groups = ParamGroups.decayAndNoDecay(List.of(q, qb, ln, norm, emb, oddNorm, bias2d), 1e-3, 0.01);
      assertEquals(2, groups.size());
      assertEquals(ParamGroups.DECAY, groups.get(0).name());
      assertEquals(List.of(q, emb), groups.get(0).params());
      assertEquals(0.01, groups.get(0).weightDecay());
      assertEquals(ParamGroups.NO_DECAY, groups.get(1).name());
      assertEquals(List.of(qb, ln, norm, oddNorm, bias2d), groups.get(1).params());
      assertEquals(0.0, groups.get(1).weightDecay());
      assertEquals(1e-3, groups.get(1).lr());
    }
  }

  @Test
  void emptyGroupIsLeftOut() {
    try (TestParam a = new TestParam("lora_A.weight", Tensor.zeros(DType.F32, 2, 4))) {
      List<ParamGroup> groups = ParamGroups.decayAndNoDecay(List.of(a), 1e-3, 0.01);
      assertEquals(1, groups.size());
      assertEquals(ParamGroups.DECAY, groups.get(0).name());
    }
  }
}
