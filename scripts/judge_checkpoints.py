#!/usr/bin/python3
"""Judge maha's weight readers and architecture builders the way issue 3 will be judged.

Creates seeded random-weight checkpoints with Debian's PyTorch / torchvision (zip and legacy formats, several
architectures, the wrappers, key prefixes, dtypes and storage layouts a user may hand over, random BatchNorm
running statistics), computes PyTorch's pooled level features on a few photos, runs
``maha embed --backbone NAME --weights FILE`` on the same photos and compares per level (max |maha - torch| /
max |torch|). Then tries tampered and malicious checkpoints, which must fail with one error line, a non-zero
exit, and no code run. Checkpoints live in a scratch folder (default /tmp/maha-judge) and are deleted after use;
nothing is committed but this script.

Usage (from the repository root, after ``mvn -o -DskipTests package``):
    /usr/bin/python3 scripts/judge_checkpoints.py [--work /tmp/maha-judge] [--only resnet18,...] [--quick]
Prints a Markdown table; exit status 1 when any case fails.

Preprocessing: each photo is resized by OpenCV (INTER_LINEAR, as maha resizes) to the input size and written as
PNG, so maha's own resize is the identity and both sides normalise the same 8-bit pixels (maha's float32 formula
(p - 255 mean) * (1 / (255 std)) is repeated here).
"""
import argparse
import collections
import csv
import os
import pickle
import shutil
import subprocess
import sys
import time

import cv2
import numpy as np
import torch
import torchvision

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_IMAGES = os.path.join(os.path.dirname(ROOT), "shared", "images")
if not os.path.isdir(SHARED_IMAGES):
    SHARED_IMAGES = "/work/shared/images"
PHOTOS = ["owl.jpg", "parrot.jpg", "cat.bmp"]
TOL = 1e-4
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- models and their reference features

def randomise_bn(model, gen):
    """Random BatchNorm affine parameters and running statistics (not the defaults 0/1)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.2)
                m.running_var.copy_(torch.rand(c, generator=gen) * 1.5 + 0.5)
                m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=gen)))


def make_model(arch, seed):
    torch.manual_seed(seed)
    model = getattr(torchvision.models, arch)(weights=None)
    randomise_bn(model, torch.Generator().manual_seed(seed + 1))
    return model.eval()


def level_features(model, arch, x):
    """Pooled [N, C] features at maha's taps (PAPER.md §1.4): ResNet 5 taps, EfficientNet 9 taps."""
    out = []
    with torch.no_grad():
        if arch.startswith("efficientnet"):
            h = x
            for block in model.features:
                h = block(h)
                out.append(h.mean(dim=(2, 3)))
        else:
            h = model.maxpool(model.relu(model.bn1(model.conv1(x))))
            out.append(h.mean(dim=(2, 3)))
            for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
                h = layer(h)
                out.append(h.mean(dim=(2, 3)))
    return [o.double().numpy() for o in out]


def prepare_images(work, size):
    """PNG files of the photos at size × size, and the normalised float32 batch maha will compute from them."""
    folder = os.path.join(work, "img%d" % size)
    os.makedirs(folder, exist_ok=True)
    files, batch = [], []
    for name in PHOTOS:
        bgr = cv2.imread(os.path.join(SHARED_IMAGES, name), cv2.IMREAD_COLOR)
        bgr = cv2.resize(bgr, (size, size), interpolation=cv2.INTER_LINEAR)
        path = os.path.join(folder, os.path.splitext(name)[0] + ".png")
        cv2.imwrite(path, bgr)
        rgb = bgr[:, :, ::-1].astype(np.float32)
        m = MEAN * np.float32(255)
        d = np.float32(1) / (STD * np.float32(255))
        batch.append(((rgb - m) * d).transpose(2, 0, 1))
        files.append(path)
    return files, torch.from_numpy(np.ascontiguousarray(np.stack(batch)))


# ---------------------------------------------------------------- running maha

MAHA = [os.path.join(ROOT, "maha")]


def run_maha(args, timeout=900):
    t = time.time()
    p = subprocess.run(MAHA + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr, time.time() - t


def maha_features(backbone, weights, files, size, work, cache):
    out = os.path.join(work, "embed")
    shutil.rmtree(out, ignore_errors=True)
    rc, so, se, secs = run_maha(["embed", "-q", "--backbone", backbone, "--weights", weights, "--input-size",
                                 str(size), "--backbone-cache", cache, "--threads", "2", "-o", out] + files)
    if rc != 0:
        return None, rc, se.strip(), secs
    # index.csv (row,image; quoted, so any file name keeps its row) replaced index.txt as the row order
    with open(os.path.join(out, "index.csv"), newline="") as f:
        index = [row[1] for row in list(csv.reader(f))[1:]]
    order = [index.index(p) if p in index else i for i, p in enumerate(files)]
    feats = []
    lv = 0
    while os.path.exists(os.path.join(out, "L%d.npy" % lv)):
        feats.append(np.load(os.path.join(out, "L%d.npy" % lv))[order])
        lv += 1
    return feats, rc, se.strip(), secs


def compare(ref, got):
    if got is None or len(got) != len(ref):
        return None
    errs = []
    for r, g in zip(ref, got):
        if r.shape != g.shape:
            return None
        errs.append(float(np.abs(r - g).max() / max(np.abs(r).max(), 1e-30)))
    return errs


# ---------------------------------------------------------------- checkpoint variants

def save(obj, path, legacy):
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)


def non_contiguous(sd):
    """Conv weights as permuted views, BN weight+bias as two views of one storage, fc weight as a transpose."""
    out = collections.OrderedDict()
    pending = {}
    for k, v in sd.items():
        if v.dim() == 4:
            out[k] = v.permute(2, 3, 0, 1).contiguous().permute(2, 3, 0, 1)  # same values, strides not C-order
        elif v.dim() == 2:
            out[k] = v.t().contiguous().t()
        elif k.endswith(".weight") and k[:-7] + ".bias" in sd and v.dim() == 1:
            bias = sd[k[:-7] + ".bias"]
            both = torch.cat([v, bias])
            out[k] = both[: v.numel()]
            pending[k[:-7] + ".bias"] = both[v.numel():]
        elif k in pending:
            out[k] = pending[k]
        else:
            out[k] = v
    for k, v in pending.items():
        out[k] = v
    assert not all(t.is_contiguous() for t in out.values() if t.dim() == 4)
    return collections.OrderedDict((k, out[k]) for k in sd)


def training_checkpoint(sd, model):
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return {"epoch": 90, "arch": "resnet18", "state_dict": sd, "best_acc1": torch.tensor(69.7),
            "optimizer": opt.state_dict()}


class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + PWNED,))


PWNED = "/tmp/maha-judge-pwned"


# ---------------------------------------------------------------- the cases

def feature_cases(only, quick):
    """(label, arch, maha backbone, input size, variant) — variant names below."""
    big = [("resnet18", "resnet18", 224), ("resnet34", "resnet34", 224), ("resnet50", "resnet50", 224),
           ("resnet101", "resnet101", 224), ("wide_resnet50_2", "wide_resnet50_2", 224),
           ("resnext50_32x4d", "resnet50", 224),
           ("efficientnet_b0", "torchvision-efficientnet_b0", 224),
           ("efficientnet_b3", "torchvision-efficientnet_b3", 300)]
    cases = []
    for arch, backbone, size in big:
        for fmt in ("zip", "legacy"):
            cases.append((arch, backbone, size, fmt))
    variants = ["wrapped", "training-checkpoint", "module-prefix", "float16", "float64", "bfloat16",
                "non-contiguous", "parameters", "other-depth"]
    for v in variants:
        for fmt in ("zip", "legacy"):
            if v in ("bfloat16", "training-checkpoint", "parameters") and fmt == "legacy":
                continue
            cases.append(("resnet18", "resnet18", 224, fmt + "+" + v))
    cases.append(("efficientnet_b0", "torchvision-efficientnet_b0", 224, "zip+non-contiguous"))
    cases.append(("efficientnet_b0", "torchvision-efficientnet_b0", 224, "legacy+float16"))
    if only:
        cases = [c for c in cases if c[0] in only]
    if quick:
        cases = [c for c in cases if c[0] in ("resnet18", "efficientnet_b0")]
    return cases


def build_checkpoint(arch, variant, path, seed):
    fmt, _, kind = variant.partition("+")
    legacy = fmt == "legacy"
    model = make_model("resnet34" if kind == "other-depth" else arch, seed)
    sd = model.state_dict()
    ref_model = model
    if kind == "wrapped":
        obj = {"state_dict": sd}
    elif kind == "training-checkpoint":
        obj = training_checkpoint(sd, model)
    elif kind == "module-prefix":
        obj = collections.OrderedDict(("module." + k, v) for k, v in sd.items())
    elif kind in ("float16", "bfloat16", "float64"):
        dt = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float64": torch.float64}[kind]
        obj = collections.OrderedDict((k, v.to(dt) if v.is_floating_point() else v) for k, v in sd.items())
        # the reference runs the weights as maha sees them: rounded to dt, then float32
        ref_model = make_model(arch, seed)
        ref_model.load_state_dict(collections.OrderedDict(
            (k, v.float() if v.is_floating_point() else v) for k, v in obj.items()))
        ref_model.eval()
    elif kind == "non-contiguous":
        obj = non_contiguous(sd)
    elif kind == "parameters":
        obj = collections.OrderedDict(model.state_dict(keep_vars=True))  # nn.Parameter objects + buffers
    else:
        obj = sd
    save(obj, path, legacy)
    return ref_model


def error_cases(work, seed):
    """(label, path, what it must do) for files that must be refused."""
    model = make_model("resnet18", seed)
    sd = model.state_dict()
    out = []
    z = os.path.join(work, "e_zip.pth")
    save(sd, z, False)
    import zipfile
    with zipfile.ZipFile(z) as zf:
        info = [i for i in zf.infolist() if i.filename.endswith("/data/0")][0]
        pkl = [i for i in zf.infolist() if i.filename.endswith("/data.pkl")][0]
    raw = bytearray(open(z, "rb").read())

    def local_data_start(i):
        n = int.from_bytes(raw[i.header_offset + 26:i.header_offset + 28], "little")
        m = int.from_bytes(raw[i.header_offset + 28:i.header_offset + 30], "little")
        return i.header_offset + 30 + n + m

    flip = bytearray(raw)
    s = local_data_start(info) + 100
    for j in range(s, s + 8):
        flip[j] ^= 0xFF
    open(os.path.join(work, "e_zip_flipped_storage.pth"), "wb").write(flip)
    out.append(("zip, 8 bytes flipped inside a storage", os.path.join(work, "e_zip_flipped_storage.pth")))
    flip = bytearray(raw)
    s = local_data_start(pkl) + pkl.file_size // 2
    flip[s] ^= 0x5A
    open(os.path.join(work, "e_zip_flipped_pickle.pth"), "wb").write(flip)
    out.append(("zip, 1 byte flipped inside data.pkl", os.path.join(work, "e_zip_flipped_pickle.pth")))
    open(os.path.join(work, "e_zip_truncated.pth"), "wb").write(raw[: len(raw) // 2])
    out.append(("zip, truncated to half", os.path.join(work, "e_zip_truncated.pth")))
    leg = os.path.join(work, "e_legacy.pth")
    save(sd, leg, True)
    lraw = open(leg, "rb").read()
    open(os.path.join(work, "e_legacy_truncated.pth"), "wb").write(lraw[: len(lraw) * 2 // 3])
    out.append(("legacy, truncated to 2/3", os.path.join(work, "e_legacy_truncated.pth")))
    open(os.path.join(work, "e_legacy_header_only.pth"), "wb").write(lraw[:200])
    out.append(("legacy, first 200 bytes only", os.path.join(work, "e_legacy_header_only.pth")))
    evil = {"conv1.weight": sd["conv1.weight"], "x": Evil()}
    save(evil, os.path.join(work, "e_evil_zip.pth"), False)
    out.append(("zip, pickle with os.system via __reduce__", os.path.join(work, "e_evil_zip.pth")))
    save(evil, os.path.join(work, "e_evil_legacy.pth"), True)
    out.append(("legacy, pickle with os.system via __reduce__", os.path.join(work, "e_evil_legacy.pth")))
    with open(os.path.join(work, "e_evil_plain.pkl"), "wb") as f:
        pickle.dump(Evil(), f, protocol=2)
    out.append(("plain pickle (protocol 2) of os.system", os.path.join(work, "e_evil_plain.pkl")))
    torch.save(model, os.path.join(work, "e_whole_model.pth"))
    out.append(("whole nn.Module pickled (torch.save(model))", os.path.join(work, "e_whole_model.pth")))
    os.remove(z)
    os.remove(leg)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/maha-judge")
    ap.add_argument("--only", default="")
    ap.add_argument("--quick", action="store_true", help="resnet18 and efficientnet_b0 cases only")
    ap.add_argument("--no-errors", action="store_true")
    ap.add_argument("--seed", type=int, default=20240603)
    ap.add_argument("--jar", help="run this maha.jar with java instead of ./maha (e.g. a copy, while rebuilding)")
    a = ap.parse_args()
    if a.jar:
        MAHA[:] = ["java", "-jar", a.jar]
    torch.set_num_threads(2)
    os.makedirs(a.work, exist_ok=True)
    cache = os.path.join(a.work, "cache")
    print("torch %s, torchvision %s, numpy %s, opencv %s; photos %s; tolerance %g (max |maha - torch| / max |torch|"
          " per level)" % (torch.__version__, torchvision.__version__, np.__version__, cv2.__version__,
                           ", ".join(PHOTOS), TOL))
    failures = 0
    print()
    print("| checkpoint | maha --backbone | size | file MB | worst level rel. error | levels | maha s | result |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    only = set(x for x in a.only.split(",") if x)
    for i, (arch, backbone, size, variant) in enumerate(feature_cases(only, a.quick)):
        path = os.path.join(a.work, "%s_%s.pth" % (arch, variant.replace("+", "_")))
        ref_model = build_checkpoint(arch, variant if "+" in variant else variant + "+", path, a.seed + i)
        files, x = prepare_images(a.work, size)
        ref_arch = "resnet34" if variant.endswith("other-depth") else arch
        ref = level_features(ref_model, ref_arch, x)
        mb = os.path.getsize(path) / 1e6
        got, rc, err, secs = maha_features(backbone, path, files, size, a.work, cache)
        errs = compare(ref, got)
        ok = errs is not None and max(errs) <= TOL
        failures += 0 if ok else 1
        if errs is None:
            detail = "exit %d: %s" % (rc, err.splitlines()[-1] if err else "no features")
            print("| %s %s | %s | %d | %.1f | - | - | %.0f | FAIL %s |" % (ref_arch, variant, backbone, size, mb,
                                                                          secs, detail.replace("|", "/")))
        else:
            worst = int(np.argmax(errs))
            print("| %s %s | %s | %d | %.1f | %.1e (L%d) | %d | %.0f | %s |" % (
                ref_arch, variant, backbone, size, mb, max(errs), worst, len(errs), secs, "ok" if ok else "FAIL"))
        sys.stdout.flush()
        os.remove(path)
        shutil.rmtree(cache, ignore_errors=True)
    if not a.no_errors:
        print()
        print("| refused file | exit | stderr lines | stderr | code ran? | result |")
        print("|---|---:|---:|---|---|---|")
        if os.path.exists(PWNED):
            os.remove(PWNED)
        for label, path in error_cases(a.work, a.seed):
            files, _ = prepare_images(a.work, 224)
            rc, so, se, secs = run_maha(["embed", "-q", "--backbone", "resnet18", "--weights", path,
                                         "--backbone-cache", cache, "-o", os.path.join(a.work, "embed"), files[0]])
            lines = [line for line in se.splitlines() if line.strip()]
            ran = os.path.exists(PWNED)
            ok = rc != 0 and len(lines) == 1 and not ran
            failures += 0 if ok else 1
            print("| %s | %d | %d | %s | %s | %s |" % (label, rc, len(lines), " / ".join(lines)[:300].replace(
                "|", "/"), "YES" if ran else "no", "ok" if ok else "FAIL"))
            sys.stdout.flush()
            os.remove(path)
            shutil.rmtree(cache, ignore_errors=True)
    print()
    print("failures: %d" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
