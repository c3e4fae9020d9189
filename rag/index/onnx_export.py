"""An int8 ONNX copy of a sentence-transformers model's transformer, made once from the local weights.

The copy is exported with torch's TorchScript exporter, its attention layers fused into ONNX Runtime's
one-node ``Attention`` where its transformer optimiser recognises them (BERT-like models), and quantised
dynamically: int8 weights in a 7-bit range, per output channel, for the projections and the fused attention
(quantising the embedding tables too drifted the vectors several times more, see docs/performance.md). A graph the
optimiser cannot fuse is quantised as exported. Nothing is downloaded: the weights are the ones already loaded.
The file's name carries a fingerprint of the weights and of this recipe, so a changed model gets a new copy.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

# Raise when the export or quantisation below changes: older copies are then not reused. Recipe 2 was chosen on
# experiments/compare_backends.py (retrieval against torch) and experiments/embed_speed.py (speed-up).
RECIPE = 2
# The int8 copy must point where the model points; below this cosine on the probe texts it is refused.
MIN_PROBE_COSINE = 0.97
_PROBES = (
    "Officials said on Tuesday that the talks would resume next week.",
    "Prices rose 3.2% in March, the fastest pace in a year, according to the statistics office.",
)


class ExportError(Exception):
    """The model cannot run on ONNX Runtime here (the reason is the message)."""


def quantized_copy(model: Any, name: str, folder: Path) -> Path:
    """The int8 ONNX file for ``model`` in ``folder``, exported and checked first if it is not there yet."""
    transformer = _transformer_of(model)
    target = folder / f"{_slug(name)}-{_fingerprint(transformer)}.int8.onnx"
    if target.exists():
        return target
    try:
        import onnx  # noqa: F401  (the quantiser needs it; say so plainly instead of deep in the stack)
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as error:
        raise ExportError(f"{error.name} is not installed (pip install onnx)") from None
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".export-") as scratch:
        full = Path(scratch) / "model.onnx"
        fused = Path(scratch) / "model.fused.onnx"
        quantized = Path(scratch) / "model.int8.onnx"
        names = input_names(model)
        sample = _tokenize(model, list(_PROBES), names)
        try:
            with warnings.catch_warnings(), torch.inference_mode(), _eager_attention(transformer.auto_model):
                warnings.simplefilter("ignore")  # the exporter's tracer notes are about shapes it handles
                torch.onnx.export(
                    _traceable(transformer.auto_model, names),
                    tuple(torch.from_numpy(sample[n]) for n in names),
                    str(full),
                    input_names=list(names),
                    output_names=["token_embeddings"],
                    dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "token_embeddings"]},
                    opset_version=17,
                    dynamo=False,
                )
            with _quiet_root_logger():  # the quantiser advises pre-processing on the root logger, every time
                source = fused if _fuse_attention(full, fused, transformer.auto_model.config) else full
                quantize_dynamic(
                    str(source),
                    str(quantized),
                    weight_type=QuantType.QInt8,
                    # 7-bit weights: on CPUs with AVX2 but no VNNI, ONNX Runtime's int8 products can saturate at
                    # full range, which cost retrieval rank here; the reduced range cost no speed
                    # (see docs/performance.md).
                    reduce_range=True,
                    per_channel=True,
                    op_types_to_quantize=["MatMul", "Attention"],
                )
        except Exception as error:  # an architecture the exporter cannot trace: the caller falls back to torch
            detail = " ".join(str(error).split())[:160] or error.__class__.__name__
            raise ExportError(f"export failed: {detail}") from None
        _check_probes(model, transformer, quantized, names)
        os.replace(quantized, target)  # whole or not at all: a concurrent reader never sees half a file
    return target


@contextmanager
def _eager_attention(model: Any) -> Iterator[None]:
    """Trace the attention as plain matrix products (not one fused torch kernel): that is the pattern ONNX
    Runtime's optimiser rewrites into its own fused node. The model's own setting is restored after."""
    before = getattr(model.config, "_attn_implementation", None)
    try:
        model.set_attn_implementation("eager")
    except (AttributeError, ValueError, ImportError):  # a model that knows one implementation only
        before = None
    try:
        yield
    finally:
        if before is not None:
            model.set_attn_implementation(before)


def _fuse_attention(exported: Path, fused: Path, config: Any) -> bool:
    """Write ``exported`` with its attention layers fused to ``fused``; False when there was nothing to fuse."""
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        # opt_level 0: only the fusions; ONNX Runtime's own graph rewrites still run when a session loads it.
        # The head count and width come from the model's config: the optimiser cannot read them off this graph.
        optimized = optimize_model(
            str(exported),
            model_type="bert",
            num_heads=getattr(config, "num_attention_heads", 0),
            hidden_size=getattr(config, "hidden_size", 0),
            opt_level=0,
        )
    except Exception:  # an architecture the optimiser does not know: the exported graph is quantised as it is
        return False
    if not any(node.op_type == "Attention" for node in optimized.model.graph.node):
        return False
    from onnxruntime.quantization.shape_inference import quant_pre_process

    unshaped = fused.with_suffix(".unshaped.onnx")
    optimized.save_model_to_file(str(unshaped))
    # The quantiser needs every tensor's type, which the fused nodes' outputs lack until shapes are inferred.
    quant_pre_process(str(unshaped), str(fused), skip_optimization=True)
    return True


def _transformer_of(model: Any) -> Any:
    from sentence_transformers.models import Transformer

    first = model[0] if len(model) else None
    if not isinstance(first, Transformer) or not hasattr(first, "auto_model"):
        raise ExportError(f"its first module is {type(first).__name__}, not a Hugging Face transformer")
    text = getattr(first, "modality_config", {}).get("text", {})
    if (text.get("method"), text.get("method_output_name")) != ("forward", "last_hidden_state"):
        raise ExportError("its transformer does not embed text with its forward pass's token vectors")
    return first


def input_names(model: Any) -> tuple[str, ...]:
    """The tokenizer outputs the transformer takes, in the order the exported graph expects them."""
    known = ("input_ids", "attention_mask", "token_type_ids")
    return tuple(n for n in known if n in model.tokenizer.model_input_names)


def _tokenize(model: Any, texts: list[str], names: tuple[str, ...]) -> dict[str, np.ndarray]:
    encoded = model.tokenizer(
        texts, padding=True, truncation=True, max_length=model.max_seq_length, return_tensors="np"
    )
    return {n: encoded[n].astype(np.int64) for n in names}


def _check_probes(model: Any, transformer: Any, path: Path, names: tuple[str, ...]) -> None:
    import onnxruntime
    import torch

    sample = _tokenize(model, list(_PROBES), names)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    quantized = session.run(None, sample)[0]
    with torch.inference_mode():
        reference = transformer.auto_model(
            **{n: torch.from_numpy(v) for n, v in sample.items()}
        ).last_hidden_state.numpy()
    mask = sample["attention_mask"][..., None].astype(np.float32)
    a, b = (quantized * mask).sum(1), (reference * mask).sum(1)
    cosine = float(np.min((a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))))
    if cosine < MIN_PROBE_COSINE:
        raise ExportError(f"the int8 copy drifts from the model (cosine {cosine:.3f} < {MIN_PROBE_COSINE})")


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """While it lasts, the root logger has a handler (that drops everything), so ``logging.warning`` prints nothing
    and does not configure logging for the whole process as a side effect."""
    root = logging.getLogger()
    silent = logging.NullHandler()
    root.addHandler(silent)
    try:
        yield
    finally:
        root.removeHandler(silent)


def _traceable(model: Any, names: tuple[str, ...]) -> Any:
    """The transformer as a function of positional tensors returning its token vectors (what the exporter traces)."""
    import torch

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(names, tensors, strict=True))).last_hidden_state

    # In eval mode: the exporter restores the mode it found, and a module left training would keep dropout on.
    return LastHiddenState().eval()


def _fingerprint(transformer: Any) -> str:
    import torch

    digest = hashlib.sha1(f"recipe {RECIPE}".encode())
    for key, tensor in transformer.auto_model.state_dict().items():
        digest.update(key.encode())
        digest.update(tensor.detach().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:16]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name or name)[:60]
