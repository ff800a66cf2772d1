#!/usr/bin/env bash
# Rebuild the shipped default model, assets/default_mnist10k.npz (MNIST-10k, conv AE, latent 16).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m aeot_viz train --dataset mnist10k --latent-dim 16 --epochs 20 --batch-size 128 \
  --ot-max-iter 600 --seed 0 --device cpu --out assets/default_mnist10k.npz "$@"
