#!/usr/bin/env python3
"""PyTorch's side of the GPU benchmarks (issue 6), run by scripts/gpu-check.sh next to ./rmr1 bench.

Prints one JSON line per measurement (impl "pytorch"), the same quantities as our commands:
  gemm        8192^3 F32, TF32 and BF16 matrix products: TFLOP/s      (vs ./rmr1 bench matmul)
  train_step  forward + backward + AdamW of a Qwen2.5-0.5B-shaped model in BF16, batch 4 x 1024,
              SDPA attention: tokens/s (the issue quotes 40,262 on an H200) (vs ./rmr1 bench train)
  generate    Hugging Face generate in BF16, greedy at batch 1 and 16, sampled at batch 16
              (temperature 1; temperature 0.6 with top-p 0.95): new tokens/s (the issue quotes 14
              and 214 greedy on an H200); the time includes the prompt's prefill (vs ./rmr1 bench decode)
The model is built from a config with random weights: nothing is downloaded (the GPU machine has
no network). Every measurement reports the median over its repetitions after a warm-up.
"""
import json
import statistics
import sys
import time
import traceback

import torch

# The shapes of Qwen/Qwen2.5-0.5B's config.json (those of ./rmr1 bench make-checkpoint's random
# checkpoint); the rotary base does not change the cost and is left at the default.
QWEN25_05B = dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                  num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768,
                  rms_norm_eps=1e-6, tie_word_embeddings=True, hidden_act="silu")


def emit(**fields):
    fields = {"impl": "pytorch", "gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, **fields}
    print(json.dumps(fields), flush=True)


def timed(fn, warmup, reps):
    """Median seconds of fn() over reps runs after warmup runs, synchronising the device."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def gemm():
    n = 8192
    for name, dtype, tf32 in (("f32", torch.float32, False), ("tf32", torch.float32, True), ("bf16", torch.bfloat16, False)):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        a = torch.randn(n, n, device="cuda", dtype=dtype)
        b = torch.randn(n, n, device="cuda", dtype=dtype)
        s = timed(lambda: a @ b, 3, 10)
        emit(bench="gemm", dtype=name, m=n, n=n, k=n, median_ms=s * 1e3, tflops=2 * n ** 3 / s / 1e12)
        del a, b
    torch.backends.cuda.matmul.allow_tf32 = False


def model(transformers):
    config = transformers.Qwen2Config(**QWEN25_05B, attn_implementation="sdpa")
    torch.manual_seed(0)
    return transformers.Qwen2ForCausalLM(config).to(device="cuda", dtype=torch.bfloat16)


def train_step(transformers, batch=4, seq=1024, reps=10):
    m = model(transformers)
    m.train()
    opt = torch.optim.AdamW(m.parameters(), lr=1e-5)
    ids = torch.randint(0, QWEN25_05B["vocab_size"], (batch, seq), device="cuda")

    def step():
        loss = m(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    torch.cuda.reset_peak_memory_stats()
    s = timed(step, 3, reps)
    emit(bench="train_step", dtype="bf16", attention="sdpa", batch=batch, seq_len=seq, median_step_s=s,
         tokens_per_s=batch * seq / s, peak_mem_gib=torch.cuda.max_memory_allocated() / 2 ** 30, optimizer="AdamW (foreach)")
    del m, opt


# RM-R1's GRPO rollouts sample at temperature 1; DeepSeek-R1-Distill's generation_config.json
# samples at 0.6 with top-p 0.95. top_k=0 switches off transformers' default top-k of 50.
SAMPLED = {"temperature 1.0": dict(temperature=1.0, top_k=0, top_p=1.0),
           "temperature 0.6, top-p 0.95": dict(temperature=0.6, top_k=0, top_p=0.95)}


def generate(transformers, prompt=128, new=128):
    m = model(transformers)
    m.eval()
    m.generation_config.pad_token_id = 0
    runs = [(1, "greedy", dict(do_sample=False)), (16, "greedy", dict(do_sample=False))]
    runs += [(16, name, dict(do_sample=True, **kw)) for name, kw in SAMPLED.items()]
    for b, mode, kwargs in runs:
        ids = torch.randint(0, QWEN25_05B["vocab_size"], (b, prompt), device="cuda")
        mask = torch.ones_like(ids)

        def run(tokens):
            with torch.no_grad():
                return m.generate(input_ids=ids, attention_mask=mask, max_new_tokens=tokens, min_new_tokens=tokens, **kwargs)

        run(8)  # warm-up: kernels, cuBLAS handles, caches
        s = timed(lambda: run(new), 0, 3)
        emit(bench="generate", mode=mode, dtype="bf16", batch=b, prompt_tokens=prompt, new_tokens=new, median_s=s,
             tokens_per_s=b * new / s)
    del m


def main():
    if not torch.cuda.is_available():
        print(json.dumps({"impl": "pytorch", "error": "torch.cuda.is_available() is False"}))
        return 1
    import transformers
    print(json.dumps({"impl": "pytorch", "gpu": torch.cuda.get_device_name(0), "torch": torch.__version__,
                      "transformers": transformers.__version__, "cuda": torch.version.cuda}), flush=True)
    failed = 0
    chosen = set(sys.argv[1:]) or {"gemm", "train_step", "generate"}  # arguments: a subset to run
    for name, fn in (("gemm", gemm), ("train_step", lambda: train_step(transformers)), ("generate", lambda: generate(transformers))):
        if name not in chosen:
            continue
        try:
            fn()
        except Exception as e:  # one failing measurement must not hide the others
            failed += 1
            print(json.dumps({"impl": "pytorch", "bench": name, "error": f"{type(e).__name__}: {e}"}), flush=True)
            traceback.print_exc(file=sys.stderr)
        torch.cuda.empty_cache()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
