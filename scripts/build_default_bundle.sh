#!/usr/bin/env bash
# Rebuild the shipped default model, assets/default_mnist10k.npz (MNIST-10k, conv AE with widths (64, 128), latent 32).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m aeot_viz train --dataset mnist10k --latent-dim 32 --epochs 20 --batch-size 128 \
  --seed 0 --device cpu --out assets/default_mnist10k.npz "$@"
# the small 2-D toy model offered beside it (seconds)
python3 -m aeot_viz train --dataset grid25 --n-samples 1000 --seed 0 --quiet --out assets/toy_grid25.npz
# the bundles carry their views (projections, singular set, slices); add the Mode Collapse samples and scores
# against the shipped baselines (scripts/build_baselines.py) with
#   python3 scripts/build_views.py
