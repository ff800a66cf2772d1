"""Re-solve the OT heights of the shipped models with today's default solver, keeping their autoencoders.

2-D models are solved exactly by Newton (``method="auto"``, issue 22); the others by the pooled solver (issue 35).

For each bundle: the OT settings take the current defaults of :class:`aeot_viz.pipeline.config.OTConfig` for
``max_iter``, ``floor_factor`` and ``validation_samples`` (the rest, seeds included, stay), the heights
are solved afresh for the same normalised codes, the solver log, validation and snapshots are replaced,
and the convex null of the singular set (an OT solve with the same settings) is rebuilt. Then an
independent 2^22-sample check (a seed the solver never uses) is printed beside its noise floor.

    python scripts/resolve_shipped_ot.py [bundle ...]     # default: the shipped models in assets/
    python scripts/resolve_shipped_ot.py --validation-samples 8388608 assets/stacked_mnist.npz   # a capped rule

``--validation-samples`` replaces the default validation size (``"auto"``: 1,024 per code, 26 million for Stacked
MNIST's 25,600 codes) for a quicker solve to the same floor factor. The views that depend on the heights are then
stale: rebuild them with ``python scripts/build_views.py --only <name>``.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aeot_viz import load_bundle, model_singular_set, save_bundle  # noqa: E402
from aeot_viz.ot import solve_ot, validate_ot  # noqa: E402
from aeot_viz.pipeline.config import OTConfig  # noqa: E402
from aeot_viz.pipeline.training import ot_model_fields  # noqa: E402

SHIPPED = ["default_mnist10k.npz", "toy_grid25.npz", "toy_ring8.npz"]
CHECK_SEED = 20_251_124


def main(argv: list[str]) -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundles", nargs="*")
    ap.add_argument("--validation-samples", type=int, default=None)
    args = ap.parse_args(argv)
    defaults = OTConfig()
    for path in args.bundles or [str(ROOT / "assets" / name) for name in SHIPPED]:
        model = load_bundle(path)
        cfg = dataclasses.replace(model.config.ot, max_iter=defaults.max_iter, floor_factor=defaults.floor_factor,
                                  validation_samples=args.validation_samples or defaults.validation_samples,
                                  method=defaults.method, device="cpu")
        t0 = time.perf_counter()
        result = solve_ot(model.targets, **dataclasses.asdict(cfg))
        t_ot = time.perf_counter() - t0
        v = result.validation
        model.config.ot = cfg
        for name, value in ot_model_fields(result).items():
            setattr(model, name, value)
        model.singular_null = None
        t1 = time.perf_counter()
        ss = model_singular_set(model, random_state=cfg.random_state)
        model.singular_null = ss.null
        t_null = time.perf_counter() - t1
        save_bundle(model, path)
        check = validate_ot(model.targets, model.h, n_samples=2**22, random_state=CHECK_SEED, device="cpu")
        exact = "" if v.exact_l1 is None else f"exact Newton, exact L1 {v.exact_l1:.1e}; "
        print(f"{path}: N = {len(model.h):,}, d = {model.targets.shape[1]}; {exact}OT {result.n_iter} iterations in "
              f"{t_ot:.0f} s (converged: {result.converged}, validation {v.l1:.4f} on "
              f"{v.n_samples:,} samples, floor {v.noise_floor:.4f}); null in "
              f"{t_null:.0f} s; independent 2^22 check L1 {check.l1:.4f}, floor {check.noise_floor:.4f} "
              f"({check.l1 / check.noise_floor:.2f}x), empty cells {check.empty_share:.2%}; {ss.verdict()}",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
