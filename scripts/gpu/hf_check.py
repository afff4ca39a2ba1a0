#!/usr/bin/env python3
"""Do Hugging Face tools read back what we write? (issues 5 and 7; run by scripts/gpu-check.sh)

The GPU machine is the one place with PyTorch and transformers. Inputs (the layout gpu-check.sh builds):
  WORK/hf-export/demo-model     a model directory written by our ModelSaver (./rmr1 demo: tied embeddings,
                                v4 config.json, our byte-level BPE tokenizer.json)
  WORK/hf-export/merged-model   ./rmr1 sft's final-model/ (LoRA merged into the weights)
  WORK/hf-export/adapter        ./rmr1 sft's final-adapter/ (PEFT format) for demo-model
  WORK/sharded                  (optional) ./rmr1 bench make-checkpoint --max-shard-mb: sharded BF16 with index
  WORK/wheels/*.whl             (optional) PEFT and its dependencies, installed into a temporary folder when
                                PEFT is not installed
RMR1 (the environment variable) is the command line that runs our jar ("java ... -jar rmr1.jar"): our greedy ids
(./rmr1 generate on the CPU and on the GPU) and token ids (./rmr1 tokenize) come from it.
Prints one JSON line per check ({"check", "ok", ...}) and writes transformers' logits of the fixed input ids
to OUT/hf_logits.safetensors (F64), which tests of the project compare with our own forward.
"""
import glob
import json
import os
import shlex
import subprocess
import sys
import tempfile
import traceback

import torch

IDS = [5, 17, 42, 99, 150, 201, 256, 300, 11, 7, 123, 64]  # fixed input ids (< every model's vocab here)
NEW_TOKENS = 12
TEXTS = ["What is 12+7? Answer: 19", "<answer>[[A]]</answer>", "  spaces\tand\nnewlines  ", "Ünïcödé ✓ 漢字"]
failures = 0


def report(check, ok, **fields):
    global failures
    failures += 0 if ok else 1
    print(json.dumps({"check": check, "ok": bool(ok), **fields}), flush=True)


def load(transformers, path, dtype=torch.float64):
    """The model, and the checkpoint tensors transformers found missing or did not expect (both must be empty)."""
    m, info = transformers.AutoModelForCausalLM.from_pretrained(path, dtype=dtype, output_loading_info=True)
    return m.eval(), {k: sorted(info.get(k) or []) for k in ("missing_keys", "unexpected_keys", "mismatched_keys")}


def logits_of(model, ids):
    with torch.no_grad():
        return model(input_ids=torch.tensor([ids])).logits[0].double()


def greedy(model, ids, new):
    with torch.no_grad():
        out = model.generate(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             max_new_tokens=new, do_sample=False)
    return out[0, len(ids):].tolist()


def rmr1(*args, stdin=None):
    r = subprocess.run(shlex.split(os.environ["RMR1"]) + list(args), input=stdin, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"rmr1 {' '.join(args)} exited {r.returncode}: {r.stderr[-800:]}")
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def rmr1_greedy(path, device):
    line = rmr1("generate", "--model", path, "--prompt-ids", ",".join(map(str, IDS)), "--max-new-tokens", str(NEW_TOKENS),
                "--temperature", "0", "--json", "--device", device)[-1]
    return line["ids"]


def import_peft(work):
    try:
        import peft
        return peft
    except ImportError:
        wheels = sorted(glob.glob(os.path.join(work, "wheels", "*.whl")))
        if not wheels:
            raise
        target = tempfile.mkdtemp(prefix="peft-")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", target, *wheels],
                       check=True)
        sys.path.insert(0, target)
        import peft
        return peft


def main(work, out):
    import transformers
    from safetensors.torch import save_file
    exp = os.path.join(work, "hf-export")
    print(json.dumps({"transformers": transformers.__version__, "torch": torch.__version__}), flush=True)
    saved = {}
    for name in ("demo-model", "merged-model"):
        path = os.path.join(exp, name)
        try:
            m, info = load(transformers, path)
            lg = logits_of(m, IDS)
            saved[name.replace("-", "_")] = lg.contiguous()
            cpu = rmr1_greedy(path, "cpu")
            theirs = greedy(m, IDS, len(cpu))  # ours may stop early at eos; transformers stops there too
            report(f"{name}: transformers loads every tensor; its greedy ids equal ./rmr1 generate's", not any(info.values()) and theirs == cpu,
                   transformers_ids=theirs, rmr1_ids=cpu, architecture=type(m).__name__, **info)
            try:
                gpu = rmr1_greedy(path, "cuda")
                report(f"{name}: ./rmr1 generate --device cuda gives the same greedy ids", gpu == cpu, rmr1_cuda_ids=gpu)
            except Exception as e:
                report(f"{name}: ./rmr1 generate --device cuda", False, error=f"{type(e).__name__}: {e}")
        except Exception as e:
            report(f"{name}: transformers loads it", False, error=f"{type(e).__name__}: {e}")
            traceback.print_exc()
    try:
        tok = transformers.AutoTokenizer.from_pretrained(os.path.join(exp, "demo-model"))
        lines = rmr1("tokenize", "--tokenizer", os.path.join(exp, "demo-model"), stdin="".join(json.dumps({"text": t}) + "\n" for t in TEXTS))
        for text, line in zip(TEXTS, lines):
            ids = line.get("ids")
            theirs = tok.encode(text, add_special_tokens=False)
            report("demo-model tokenizer: AutoTokenizer ids equal ./rmr1 tokenize's", theirs == ids, text=text,
                   transformers_ids=theirs, rmr1_ids=ids)
    except Exception as e:
        report("demo-model tokenizer: AutoTokenizer loads it", False, error=f"{type(e).__name__}: {e}")
    try:
        peft = import_peft(work)
        base, _ = load(transformers, os.path.join(exp, "demo-model"))
        adapted = peft.PeftModel.from_pretrained(base, os.path.join(exp, "adapter")).eval()
        lg = logits_of(adapted, IDS)
        saved["peft_adapter"] = lg.contiguous()
        if "merged_model" in saved:
            diff = (lg - saved["merged_model"]).abs().max().item()
            report("adapter: PEFT loads it; base + adapter logits equal our merged model's", diff < 1e-5, max_abs_diff=diff,
                   peft=peft.__version__)
    except Exception as e:
        report("adapter: PEFT loads it", False, error=f"{type(e).__name__}: {e}")
        traceback.print_exc()
    sharded = os.path.join(work, "sharded")
    if os.path.isdir(sharded):
        try:
            # random weights: the logits are too close for greedy ids to be compared across implementations
            shards = sorted(glob.glob(os.path.join(sharded, "*.safetensors")))
            m, info = load(transformers, sharded, torch.bfloat16)
            finite = bool(torch.isfinite(logits_of(m, IDS)).all())
            report("sharded BF16 checkpoint with index: transformers loads every tensor", finite and len(shards) > 1 and not any(info.values()),
                   shards=len(shards), **info)
        except Exception as e:
            report("sharded BF16 checkpoint with index: transformers loads it", False, error=f"{type(e).__name__}: {e}")
    if saved:
        save_file({**saved, "input_ids": torch.tensor(IDS)}, os.path.join(out, "hf_logits.safetensors"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
