#!/usr/bin/python3
# make_golden.py: writes golden.json, the logits, loss and parameter gradients of two tiny GPTs
# on one packed SFT batch, computed by PyTorch from the math (float64, torch autograd). It is
# the independent reference trainer/golden.test.ts checks trainer/model.ts against, as llm.c
# checks its C against tensors dumped from PyTorch. It shares no code with the trainer: only the
# conventions below, written from the model's documentation. `npm test` never runs it.
#
#   /usr/bin/python3 trainer/testdata/golden/make_golden.py    # Debian's python3-torch
#
# Conventions (trainer/model.ts, trainer/ops.ts, trainer/sft.ts):
# - a linear weight is stored (in, out) and applied as x @ W + b; the tied head is h @ wte^T
# - qkv is one (d, 3d) linear whose output columns are [q | k | v], head h at h*hs..(h+1)*hs
# - rotary embeddings rotate pairs (i, i + hs/2) of each q and k head by pos * 10000^(-2i/hs)
# - pre-norm blocks: x += proj(attn(ln1(x))); x += mlp(ln2(x)); logits = head(lnf(x));
#   layer and RMS norm use eps 1e-5; the MLP is fc, GELU (tanh form), proj
# - attention is causal within a row and nothing else: examples packed into one row see the
#   ones before them, and the padding at a row's end is never seen by a real token
# - SFT rows hold t+1 tokens of whole examples, then padding; position i reads token i and
#   predicts token i+1, and is in the loss only when token i+1 is a response token. The loss
#   is the mean over those positions (trainer/sft.ts weights each by 1 / their count).
#
# Weights are drawn here (torch seeded) in float32 and written into the fixture; the reference
# pass runs on their float64 copies, so the stored numbers are the exact math rounded once.
import base64
import json
import math
import re
from pathlib import Path

import torch
import torch.nn.functional as F

OUT = Path(__file__).with_name("golden.json")
PAD = 0
T = 8
# Examples in the order trainer/sft.ts packRows receives them, and the rows it must make of
# them: B does not fit after C, so first-fit puts it beside A.
A = {"prompt": [3, 4, 5], "response": [6, 7, 2]}
C = {"prompt": [10, 11, 12, 13], "response": [14, 15, 2]}
B = {"prompt": [8], "response": [9, 2]}
EXAMPLES = [A, C, B]
ROWS = [[A, B], [C]]

CASES = [
    # mlpRatio 2, not the default 4, halves the fixture; the code path is the same.
    {"name": "tied, rotary, layer norm (the demo model's kind)",
     "config": {"vocab": 16, "d": 16, "layers": 2, "heads": 2, "ctx": 8, "mlpRatio": 2,
                "tied": True, "norm": "layernorm", "positions": "rope"}},
    {"name": "untied, learned positions, RMS norm",
     "config": {"vocab": 16, "d": 8, "layers": 1, "heads": 2, "ctx": 8, "mlpRatio": 4,
                "tied": False, "norm": "rmsnorm", "positions": "learned"}},
]


def param_shapes(c):
    """The parameter names (safetensors keys) and shapes, in checkpoint order."""
    d, v, f = c["d"], c["vocab"], c["mlpRatio"] * c["d"]
    s = [("wte", [v, d])]
    if c["positions"] == "learned":
        s.append(("wpe", [c["ctx"], d]))

    def norm(name):
        s.append((f"{name}.weight", [d]))
        if c["norm"] == "layernorm":
            s.append((f"{name}.bias", [d]))

    for l in range(c["layers"]):
        p = f"h.{l}"
        norm(f"{p}.ln1")
        s += [(f"{p}.attn.qkv.weight", [d, 3 * d]), (f"{p}.attn.qkv.bias", [3 * d]),
              (f"{p}.attn.proj.weight", [d, d]), (f"{p}.attn.proj.bias", [d])]
        norm(f"{p}.ln2")
        s += [(f"{p}.mlp.fc.weight", [d, f]), (f"{p}.mlp.fc.bias", [f]),
              (f"{p}.mlp.proj.weight", [f, d]), (f"{p}.mlp.proj.bias", [d])]
    norm("lnf")
    if not c["tied"]:
        s.append(("head.weight", [d, v]))
    return s


def draw_weights(c, gen):
    """Weights larger than the trainer's init, so every path carries a clear gradient."""
    w = {}
    for name, shape in param_shapes(c):
        z = torch.randn(shape, generator=gen, dtype=torch.float32)
        if len(shape) == 1:
            w[name] = (1 + 0.2 * z) if name.endswith(".weight") else 0.2 * z
        elif name in ("wte", "wpe"):
            w[name] = 0.3 * z
        else:
            w[name] = z / math.sqrt(shape[0])
    return w


def batch():
    ids, targets, mask = [], [], []
    for row in ROWS:
        tok = [x for e in row for x in e["prompt"] + e["response"]]
        resp = [r for e in row for r in [0] * len(e["prompt"]) + [1] * len(e["response"])]
        assert len(tok) <= T + 1
        for i in range(T):
            real = i + 1 < len(tok)
            ids.append(tok[i] if real else PAD)
            targets.append(tok[i + 1] if real else PAD)
            mask.append(resp[i + 1] if real else 0)
    return ids, targets, mask


def norm(c, w, name, x):
    if c["norm"] == "layernorm":
        return F.layer_norm(x, (c["d"],), w[f"{name}.weight"], w[f"{name}.bias"], eps=1e-5)
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w[f"{name}.weight"]


def rotate(x, pos):
    """Rotary embedding of x (B, nh, T, hs): pair (i, i + hs/2) turns by pos * 10000^(-2i/hs)."""
    hs = x.shape[-1]
    half = hs // 2
    freq = 10000.0 ** (-2 * torch.arange(half, dtype=torch.float64) / hs)
    ang = pos.to(torch.float64)[:, None] * freq[None, :]  # (T, half)
    cos, sin = torch.cos(ang), torch.sin(ang)
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


def attention(c, w, p, x, pos):
    b, t, d = x.shape
    nh = c["heads"]
    hs = d // nh
    qkv = x @ w[f"{p}.attn.qkv.weight"] + w[f"{p}.attn.qkv.bias"]  # (B, T, 3d)
    q, k, v = (qkv[..., i * d:(i + 1) * d].reshape(b, t, nh, hs).transpose(1, 2) for i in range(3))
    if c["positions"] == "rope":
        q, k = rotate(q, pos), rotate(k, pos)
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(hs)  # (B, nh, T, T)
    future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    att = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
    y = (att @ v).transpose(1, 2).reshape(b, t, d)
    return y @ w[f"{p}.attn.proj.weight"] + w[f"{p}.attn.proj.bias"]


def forward(c, w, ids):
    b, t = ids.shape
    pos = torch.arange(t)
    x = w["wte"][ids]  # (B, T, d)
    if c["positions"] == "learned":
        x = x + w["wpe"][pos]
    for l in range(c["layers"]):
        p = f"h.{l}"
        x = x + attention(c, w, p, norm(c, w, f"{p}.ln1", x), pos)
        h = norm(c, w, f"{p}.ln2", x)
        u = F.gelu(h @ w[f"{p}.mlp.fc.weight"] + w[f"{p}.mlp.fc.bias"], approximate="tanh")
        x = x + u @ w[f"{p}.mlp.proj.weight"] + w[f"{p}.mlp.proj.bias"]
    x = norm(c, w, "lnf", x)
    return x @ (w["wte"].T if c["tied"] else w["head.weight"])  # (B, T, vocab)


def f32(t):
    a = t.detach().to(torch.float32).contiguous().numpy().astype("<f4")
    return {"shape": list(t.shape), "f32": base64.b64encode(a.tobytes()).decode("ascii")}


def run_case(case, gen, ids, targets, mask):
    c = case["config"]
    w32 = draw_weights(c, gen)
    w = {k: v.to(torch.float64).requires_grad_(True) for k, v in w32.items()}
    logits = forward(c, w, torch.tensor(ids).view(len(ROWS), T))
    ignored = torch.tensor([tg if m else -100 for tg, m in zip(targets, mask)])
    loss = F.cross_entropy(logits.reshape(-1, c["vocab"]), ignored, ignore_index=-100)
    loss.backward()
    return {
        "name": case["name"],
        "config": c,
        "params": {k: f32(v) for k, v in w32.items()},
        "logits": f32(logits.reshape(-1, c["vocab"])),
        "loss": loss.item(),
        "grads": {k: f32(v.grad) for k, v in w.items()},
    }


def main():
    gen = torch.Generator().manual_seed(20261202)
    ids, targets, mask = batch()
    fixture = {
        "about": "Written by make_golden.py (float64 PyTorch reference, stored as float32 little-endian base64); do not edit.",
        "torch": torch.__version__,
        "batch": {"rows": len(ROWS), "t": T, "pad": PAD, "examples": EXAMPLES,
                  "ids": ids, "targets": targets, "mask": mask},
        "cases": [run_case(case, gen, ids, targets, mask) for case in CASES],
    }
    text = json.dumps(fixture, indent=1)
    # Lists of integers (token ids, shapes) on one line each: the file reads as a table.
    text = re.sub(r"\[\n\s*(-?\d[-\d,\s]*?)\n\s*\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text)
    OUT.write_text(text + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
