#!/usr/bin/env python3
"""Where a backbone's time goes: sums an ONNX Runtime profile by operator kind (issue 12, item 1).

Record a profile with any maha command, e.g.
  MAHA_JAVA_OPTS=-Dmaha.ort.profile=/tmp/b0 ./maha bench --backbone efficientnet-b0 --random-init 1 \\
      --threads 2 --batches 16 --images 64 --fit-n 0 --pipeline-images 0
then: scripts/ort_profile.py /tmp/b0_*.json [--peak GFLOPS]

For every node ONNX Runtime ran (its trace's kernel events, after its own fusions and layout changes), the kind is
the operator, with convolutions split into pointwise (1x1), depthwise (one input channel per group) and other (full
k x k); a convolution's FLOP are 2 x (output elements) x (weight elements per output channel), read from the shapes
in the trace. Prints per kind: share of the time, milliseconds, GFLOP and GFLOP/s (and % of --peak, the machine's
measured fp32 peak that `maha bench` prints), so it says which operators keep a network from the machine's peak.
Standard library only.
"""
import argparse, collections, json, math


def shapes(arg):
    """ONNX Runtime writes input_type_shape as [{"float": [1, 3, 224, 224]}, ...]."""
    out = []
    for item in arg or []:
        for dims in item.values():
            out.append(dims)
    return out


def kind(op, ins):
    if "Conv" not in op or len(ins) < 2 or len(ins[1]) != 4:
        return op, 0
    w = ins[1]
    per_out = w[1] * w[2] * w[3]
    if w[2] == 1 and w[3] == 1:
        return "Conv pointwise 1x1", per_out
    if w[1] == 1:
        return "Conv depthwise", per_out
    return "Conv k x k", per_out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("profile", help="ONNX Runtime's JSON trace (maha.ort.profile=PREFIX writes PREFIX_date.json)")
    ap.add_argument("--peak", type=float, default=0.0, help="the machine's fp32 peak in GFLOP/s (maha bench)")
    ap.add_argument("--skip-runs", type=int, default=1, help="leading model runs to leave out (warm-up)")
    a = ap.parse_args()
    with open(a.profile) as f:
        events = json.load(f)
    runs = [e for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"]
    start = sorted(e["ts"] for e in runs)[a.skip_runs] if len(runs) > a.skip_runs else 0
    us = collections.Counter()
    flop = collections.Counter()
    count = collections.Counter()
    for e in events:
        if e.get("cat") != "Node" or not e.get("name", "").endswith("_kernel_time") or e["ts"] < start:
            continue
        args = e.get("args", {})
        op = args.get("op_name", "?")
        k, per_out = kind(op, shapes(args.get("input_type_shape")))
        outs = shapes(args.get("output_type_shape"))
        if per_out and outs:
            flop[k] += 2 * per_out * math.prod(outs[0])
        us[k] += e.get("dur", 0)
        count[k] += 1
    total = sum(us.values())
    if not total:
        raise SystemExit(f"{a.profile}: no node events after {a.skip_runs} warm-up run(s)")
    timed = len(runs) - min(a.skip_runs, len(runs))
    print(f"{a.profile}: {timed} runs timed, node time {total / 1e3:.0f} ms, "
          f"{sum(flop.values()) / 1e9:.2f} GFLOP counted (convolutions)")
    print()
    print("| operator | nodes run | share of time | ms | GFLOP | GFLOP/s | % of peak |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for k, t in us.most_common():
        g = flop[k] / 1e9
        rate = g / (t / 1e6) if g and t else 0.0
        peak = f"{100 * rate / a.peak:.0f} %" if a.peak and rate else ""
        print(f"| {k} | {count[k]} | {100 * t / total:.1f} % | {t / 1e3:.0f} | {g:.2f} | "
              f"{rate:.1f} | {peak} |" if g else
              f"| {k} | {count[k]} | {100 * t / total:.1f} % | {t / 1e3:.0f} | | | |")
    g = sum(flop.values()) / 1e9
    rate = g / (total / 1e6)
    peak = f"{100 * rate / a.peak:.0f} %" if a.peak else ""
    print(f"| all nodes | {sum(count.values())} | 100 % | {total / 1e3:.0f} | {g:.2f} | {rate:.1f} | {peak} |")


if __name__ == "__main__":
    main()
