#!/usr/bin/python3
"""Monitor against scipy/numpy on the same data, in one run.

    /usr/bin/python3 tests/Monitor.Benchmarks/peer/compare.py [--n 1000000] [--features 20]

(Debian's python3-scipy; run from the repository root.) Generates `features` pairs of reference/current samples
of n values each (normal, shifted normal, heavy-tailed, discrete with ties, in turn), writes them as raw float64
for Monitor, then times per feature, each side on the same arrays:
  scipy:   scipy.stats.ks_2samp(ref, cur) (method='auto') + PSI in numpy with Monitor's binning
           (reference deciles by the inverted CDF, duplicates dropped, right-closed, open outer bins, 1e-4 floor);
  Monitor: `monitor bench peer` — build both samples, fit KS and PSI on the reference, evaluate the current (exact
           mode), one feature after another on one thread (the JIT's first compilations included); then, warm, with
           features in parallel and once more on one thread.
Prints both times, their ratio, and the largest differences between the two sides' KS statistics, KS p-values
and PSI values. KS p-values differ by design above an effective n of 20,000 (Monitor uses the limiting
distribution with Stephens' correction there; docs/statistics-numeric.md).
"""
import argparse
import json
import math
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy
from scipy import stats

ROOT = pathlib.Path(__file__).resolve().parents[3]


def samples(rng, kind, n):
    if kind == 0:
        return rng.normal(0, 1, n), rng.normal(0.01, 1, n)
    if kind == 1:
        return rng.normal(10, 2, n), rng.normal(10.05, 2.1, n)
    if kind == 2:
        return rng.standard_t(3, n), rng.standard_t(3, n) * 1.02
    return rng.integers(0, 50, n).astype(float), rng.integers(0, 51, n).astype(float)


def psi(reference, current, bins=10, eps=1e-4):
    r = np.sort(reference)
    n = len(r)
    edges = []
    for i in range(1, bins):
        rank = max(1, -(-(i * n) // bins))  # ceil(i*n/bins), exact in integers
        q = r[rank - 1]
        if not edges or edges[-1] < q:
            edges.append(q)
    edges = np.array(edges)
    rc = np.bincount(np.searchsorted(edges, reference, side="left"), minlength=len(edges) + 1) / len(reference)
    cc = np.bincount(np.searchsorted(edges, current, side="left"), minlength=len(edges) + 1) / len(current)
    p = np.maximum(rc, eps)
    q = np.maximum(cc, eps)
    return float(np.sum((q - p) * np.log(q / p)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--monitor", default=None, help="path of monitor.dll (default: dotnet run the Worker in Release)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    data = [samples(rng, f % 4, args.n) for f in range(args.features)]

    with tempfile.TemporaryDirectory(prefix="monitor-peer-") as tmp:
        np.concatenate([d[0] for d in data]).astype("<f8").tofile(os.path.join(tmp, "reference.f64"))
        np.concatenate([d[1] for d in data]).astype("<f8").tofile(os.path.join(tmp, "current.f64"))
        with open(os.path.join(tmp, "meta.json"), "w") as f:
            json.dump({"features": args.features, "n": args.n}, f)

        start = time.perf_counter()
        reference_side = []
        for ref, cur in data:
            ks = stats.ks_2samp(ref, cur)
            reference_side.append((ks.statistic, ks.pvalue, psi(ref, cur)))
        scipy_seconds = time.perf_counter() - start

        command = ["dotnet", args.monitor] if args.monitor else ["dotnet", "run", "-c", "Release", "--project", str(ROOT / "src/Monitor.Worker"), "--"]
        out = subprocess.run(command + ["bench", "peer", "--dir", tmp], check=True, capture_output=True, text=True).stdout
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    monitor_side = [l for l in lines if "feature" in l]
    monitor_seconds = next(l["seconds"] for l in lines if l.get("bench") == "peer")
    parallel = next((l for l in lines if l.get("bench") == "peer_parallel"), None)

    ks_diff = max(abs(m["ks"] - s[0]) for m, s in zip(monitor_side, reference_side))
    psi_diff = max(abs(m["psi"] - s[2]) / max(abs(s[2]), 1e-300) for m, s in zip(monitor_side, reference_side))
    p_diffs = [abs(m["ks_p"] - s[1]) / s[1] for m, s in zip(monitor_side, reference_side) if s[1] > 1e-10]
    print(f"{args.features} features, {args.n:,} vs {args.n:,} values each, exact mode; scipy {scipy.__version__}, numpy {np.__version__}")
    print(f"scipy/numpy: {scipy_seconds:.2f} s   Monitor: {monitor_seconds:.3f} s   ratio {scipy_seconds / monitor_seconds:.1f}x   (both one thread, features one after another)")
    if parallel:
        # Both second-run figures run warm (compiled code, grown heap); the first Monitor figure includes the JIT.
        print(f"Monitor again, warm: one thread {parallel['warm_sequential_seconds']:.3f} s   ratio "
              f"{scipy_seconds / parallel['warm_sequential_seconds']:.1f}x;   features in parallel on {parallel['threads']} "
              f"threads {parallel['seconds']:.3f} s   ratio {scipy_seconds / parallel['seconds']:.1f}x (against single-threaded scipy)")
        if "owned_sequential_seconds" in parallel:
            # Samples over arrays handed to Monitor (as a window's values are at evaluation), not copied first.
            print(f"Monitor on arrays it owns (no copy, as a window evaluation): one thread "
                  f"{parallel['owned_sequential_seconds']:.3f} s   ratio {scipy_seconds / parallel['owned_sequential_seconds']:.1f}x")
    print(f"largest |KS difference| {ks_diff:.3g}; largest relative PSI difference {psi_diff:.3g}; "
          f"largest relative KS p-value difference (p > 1e-10) {max(p_diffs) if p_diffs else float('nan'):.3g}")


if __name__ == "__main__":
    sys.exit(main())
