"""`make bench`: what the rule packs cost at synthesis.

Synthesizes every environment four ways, each run a fresh `python app.py` process (as the CDK CLI
runs it, with cdk.json's context and settings), interleaved, --repeat times each:

    none   no rule pack                                   (-c packs=none)
    stock  AwsSolutions + NIST 800-53 R5                  (-c packs=stock)
    vtc    stock packs + VTC                              (-c packs=vtc)
    all    stock packs + VTC + Control Tower (cfn-guard)  (-c packs=all, the default)

and prints the median wall time of each, the ratios against the two targets of the packs (the VTC
pack adds no more than the two stock packs together, and `vtc` stays under 1.5x `none`), and what
the Control Tower proactive controls add on top (no target: reported).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("none", "stock", "vtc", "all")
# cdk.json settings the CDK CLI passes to the app as reserved context keys.
CLI_SETTINGS_CONTEXT = {
    "pathMetadata": "aws:cdk:enable-path-metadata",
    "assetMetadata": "aws:cdk:enable-asset-metadata",
    "versionReporting": "aws:cdk:version-reporting",
}


def run_once(variant: str, outdir: Path) -> float:
    settings = json.loads((ROOT / "cdk.json").read_text())
    context = dict(settings["context"])
    context.update({key: settings[name] for name, key in CLI_SETTINGS_CONTEXT.items() if name in settings})
    context["packs"] = variant
    env = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps(context),
        "CDK_OUTDIR": str(outdir),
    }
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: packs={variant} failed:\n{done.stderr[-2000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per variant (default 5)")
    args = parser.parse_args(argv)
    times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="led-bench-") as tmp:
        for i in range(args.repeat):
            for variant in VARIANTS:
                seconds = run_once(variant, Path(tmp) / f"{variant}-{i}")
                times[variant].append(seconds)
                print(f"  run {i + 1}/{args.repeat} packs={variant:<5} {seconds:6.2f} s", flush=True)
    median = {v: statistics.median(t) for v, t in times.items()}
    stock_cost = median["stock"] - median["none"]
    vtc_cost = median["vtc"] - median["stock"]
    guard_cost = median["all"] - median["vtc"]
    total_ratio = median["vtc"] / median["none"]
    print()
    print(f"median wall time, {args.repeat} runs each (all environments, fresh process):")
    for v in VARIANTS:
        ratio = median[v] / median["none"]
        print(f"  {v:<5} {median[v]:6.2f} s   ({ratio:.2f}x none; fastest run {min(times[v]):.2f} s)")
    print(
        f"  stock packs add {stock_cost:+.2f} s; the VTC pack adds {vtc_cost:+.2f} s "
        f"({vtc_cost / stock_cost:.2f}x the stock packs' cost; target <= 1.00)"
        if stock_cost > 0
        else f"  stock packs add {stock_cost:+.2f} s; the VTC pack adds {vtc_cost:+.2f} s"
    )
    print(f"  stock + VTC / no packs: {total_ratio:.2f}x (target < 1.50)")
    print(
        f"  Control Tower proactive controls (cfn-guard) add {guard_cost:+.2f} s "
        f"({median['all'] / median['none']:.2f}x no packs with everything)"
    )
    ok = vtc_cost <= max(stock_cost, 0) and total_ratio < 1.5
    print("  targets met" if ok else "  targets NOT met")
    if not ok:
        print("  (the runs share the machine with whatever else runs: check the spread of the runs above)")
    print(flush=True)
    __import__("tools.bench_exit").bench_exit.main([])  # the exit drill's loader against a plain Arrow -> COPY load
    return 0


if __name__ == "__main__":
    sys.exit(main())
