"""The native PyTorch comparison point of `npm run bench`: the same model, loss and training step
as the polytoy trainer, written the way a PyTorch user writes it (autograd, torch.optim), on the
same workloads.

Usage: python3 train_step.py '<json>' where <json> is {"workloads": [...], "budget": seconds,
"repeats": k, "threads": [1, 2]}; each workload is {"name", "n", "m", "batch", "instances",
"data": "half-split" | "basis", "weights": "tied" | "untied", "hidden": "none" | "relu",
"outputBias", "outputRelu", "l1": {"target": "activations" | "weights", "lambda"},
"optimizer": {"kind": "adam" | "adamw", "lr", "weightDecay"}}. Prints one JSON object per
workload per line on stdout, progress on stderr.

Timing: a "run" builds the model and optimizer and trains N steps (batch drawn with torch's RNG
each step, loss read back each step as the polytoy trainer does). Seconds per step are
(t(3N) - t(N)) / 2N, so set-up and any first-call cost cancel; the median over `repeats`. Every
thread setting in `threads` is measured (torch.set_num_threads), and for workloads with several
instances both ways of training them: all at once (batched einsum over [I, ...] parameters, as
the paper's and the TMS code do) and one instance after another. CPU seconds per step (the
process's, all threads) come from the same two runs.
"""

import json
import math
import statistics
import sys
import time

import torch


def draw_batch(w, gen):
    """[I, B, n] inputs: half-split (pick a half, set n/4 of its n/2 coordinates to 1) or basis."""
    n, B, inst = w["n"], w["batch"], w["instances"]
    if w["data"] == "basis":
        return None  # constant identity: built once per run
    half, k = n // 2, n // 4
    # k distinct coordinates of the half: the k largest of uniform keys (topk: cheaper than argsort).
    idx = torch.rand(inst, B, half, generator=gen).topk(k, dim=2, sorted=False).indices
    idx += torch.randint(0, 2, (inst, B, 1), generator=gen) * half
    x = torch.zeros(inst, B, n)
    x.scatter_(2, idx, 1.0)
    return x


class Model:
    """Parameters of `inst` instances stacked on a leading axis (inst = 1 for one instance)."""

    def __init__(self, w, inst, gen):
        n, m = w["n"], w["m"]
        self.w = w
        std = math.sqrt(2.0 / (n + m))
        self.untied = w["weights"] == "untied"
        if self.untied:
            self.E = (torch.randn(inst, m, n, generator=gen) * std).requires_grad_()
            self.D = (torch.randn(inst, n, m, generator=gen) * std).requires_grad_()
            self.project()
            weights = [self.E, self.D]
        else:
            self.W = (torch.randn(inst, m, n, generator=gen) * std).requires_grad_()
            weights = [self.W]
        self.b = torch.zeros(inst, n, requires_grad=True) if w["outputBias"] else None
        o = w["optimizer"]
        groups = [{"params": weights}]
        if self.b is not None:
            groups.append({"params": [self.b], "weight_decay": 0.0})
        if o["kind"] == "adamw":
            self.opt = torch.optim.AdamW(groups, lr=o["lr"], weight_decay=o.get("weightDecay", 0.01))
        else:
            self.opt = torch.optim.Adam(groups, lr=o["lr"])

    @torch.no_grad()
    def project(self):
        """Unit-norm decoder columns D[:, :, j] (the trainer's default constraint for untied weights)."""
        self.D /= self.D.norm(dim=1, keepdim=True).clamp_min(1e-12)

    def loss(self, x):
        w = self.w
        B = x.shape[1]
        enc = self.E if self.untied else self.W
        h = torch.einsum("ibn,imn->ibm", x, enc) if x.shape[0] > 1 else (x[0] @ enc[0].T)[None]
        if w["hidden"] == "relu":
            h = torch.relu(h)
        if self.untied:
            z = torch.einsum("ibm,inm->ibn", h, self.D) if x.shape[0] > 1 else (h[0] @ self.D[0].T)[None]
        else:
            z = torch.einsum("ibm,imn->ibn", h, self.W) if x.shape[0] > 1 else (h[0] @ self.W[0])[None]
        if self.b is not None:
            z = z + self.b[:, None, :]
        y = torch.relu(z) if w["outputRelu"] else z
        # Per instance: Σ (y − x)² / B + λ·L1; instances are independent, so their sum is one loss.
        loss = ((y - x) ** 2).sum() / B
        lam = w["l1"]["lambda"]
        if w["l1"]["target"] == "activations":
            loss = loss + lam * h.abs().sum() / B
        elif self.untied:
            loss = loss + lam * (self.E.abs().sum() + self.D.abs().sum())
        else:
            loss = loss + lam * self.W.abs().sum()
        return loss

    def step(self, x):
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss(x)
        loss.backward()
        self.opt.step()
        if self.untied:
            self.project()
        return loss.item()  # the trainer reads the loss back (and checks it) every step


def run(w, inst, steps, seed):
    """Set-up plus `steps` updates of `inst` instances trained together: (wall, CPU) seconds."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    gen = torch.Generator().manual_seed(seed)
    model = Model(w, inst, gen)
    sub = dict(w, instances=inst)
    eye = torch.eye(w["n"]).expand(inst, w["n"], w["n"]).contiguous() if w["data"] == "basis" else None
    for _ in range(steps):
        x = eye if eye is not None else draw_batch(sub, gen)
        loss = model.step(x)
        if not math.isfinite(loss):
            raise RuntimeError(f"{w['name']}: loss is {loss}")
    return time.perf_counter() - t0, time.process_time() - c0


def per_step(w, mode, budget, repeats):
    """Seconds per update of the whole workload (all instances) in `mode` ('batched' | 'sequential')."""
    inst = w["instances"] if mode == "batched" else 1
    # Sequential: one instance after another, so an update of the workload is I single updates.
    factor = 1 if mode == "batched" else w["instances"]
    run(w, inst, 2, 0)  # first-call warm-up (allocator, kernels)
    probe = max(run(w, inst, 3, 1)[0] / 3, 1e-6)
    n1 = max(2, int(budget / 4 / probe))
    walls, cpus = [], []
    for r in range(repeats):
        a = run(w, inst, n1, 2 + r)
        b = run(w, inst, 3 * n1, 2 + r)
        walls.append(max(b[0] - a[0], 1e-9) / (2 * n1))
        cpus.append(max(b[1] - a[1], 0.0) / (2 * n1))
    return statistics.median(walls) * factor, statistics.median(cpus) * factor, n1


def main():
    spec = json.loads(sys.argv[1])
    budget = float(spec.get("budget", 1.5))
    repeats = int(spec.get("repeats", 3))
    threads = spec.get("threads", [1, 2])
    torch.set_num_interop_threads(1)
    for w in spec["workloads"]:
        modes = ["batched", "sequential"] if w["instances"] > 1 else ["batched"]
        results = []
        for t in threads:
            torch.set_num_threads(t)
            for mode in modes:
                sec, cpu, n1 = per_step(w, mode, budget, repeats)
                results.append(
                    {"threads": t, "mode": mode, "secondsPerStep": sec, "cpuSecondsPerStep": cpu, "runLengths": [n1, 3 * n1]}
                )
                print(f"  torch {w['name']} {mode} {t} thread(s): {1 / sec:.2f} steps/s", file=sys.stderr, flush=True)
        best = min(results, key=lambda r: r["secondsPerStep"])
        print(json.dumps({"workload": w["name"], "results": results, "best": best}), flush=True)


if __name__ == "__main__":
    print(json.dumps({"torch": torch.__version__, "threadsDefault": torch.get_num_threads()}), flush=True)
    main()
