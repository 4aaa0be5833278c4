"""Shared helpers for the Glimpse reference scripts (not a script itself).

Paths are resolved relative to the repository root (the parent of tools/), so every
script can be run as `python tools/reference/NAME.py` from the repo root (or anywhere).
"""

import json
import os
import random
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "Tests" / "Fixtures"
# Genuine GPT-2 vocab.json / merges.txt live in shared/ beside the repository.
GPT2_DIR = (REPO_ROOT / ".." / "shared" / "gpt2").resolve()

ENDOFTEXT = "<|endoftext|>"


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def quiet_env() -> None:
    """Keep CPU use modest and output deterministic."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    torch.set_num_threads(1)


def save_npy_f32(path: Path, array) -> None:
    """Write a .npy file, format version 1.0, dtype '<f4', C order."""
    arr = np.ascontiguousarray(np.asarray(array, dtype="<f4"))
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=(1, 0), allow_pickle=False)


def write_json(path: Path, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def bytes_to_unicode() -> dict:
    """GPT-2's byte -> printable unicode char table (as in openai/gpt-2 encoder.py)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


_BYTE_DECODER = {v: k for k, v in bytes_to_unicode().items()}


def token_bytes(token: str) -> bytes:
    """Raw bytes of a byte-level BPE token string (special tokens: their UTF-8 text)."""
    if all(ch in _BYTE_DECODER for ch in token):
        return bytes(_BYTE_DECODER[ch] for ch in token)
    return token.encode("utf-8")
