"""Record the progress events of one real training job, with their wall times, as a JSON fixture.

    python benchmarks/record_progress.py --out tests/pipeline/data/progress_digits.json

The job is what the Train page runs in the background (:func:`aeot_viz.apps.ui.background.submit_training`):
``fit_aeot`` (autoencoder, encoding, OT solve, the convex null's OT solve) and then ``compute_views``, through
one callback. Every event is stored with the seconds since the job started (``time.perf_counter``), its stage,
step, total and the metrics the time-left estimate reads (:data:`KEPT_METRICS`), one list per column. The
settings are those of a small run a visitor might start: the scikit-learn digits (600), 6 epochs, an OT budget
of 600 iterations checked on 2^21 samples, which takes two rounds of the OT solve and two of the convex null's.

Torch runs on one thread by default: on a 2-core machine shared with other work, a two-thread run's steps
slow down a hundredfold at random (its OpenMP threads wait for each other while a neighbour holds a core),
which records the neighbours rather than the job.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from aeot_viz.data import load_dataset  # noqa: E402
from aeot_viz.pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig  # noqa: E402
from aeot_viz.pipeline.training import fit_aeot  # noqa: E402
from aeot_viz.pipeline.views import compute_views  # noqa: E402

#: the metrics the time-left estimate reads (aeot_viz.pipeline.jobs.eta_segment); the others are left out
KEPT_METRICS = ("solver", "round", "round_first", "round_iters", "view")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--dataset", default="digits")
    p.add_argument("--samples", type=int, default=600)
    p.add_argument("--latent-dim", type=int, default=8)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--ot-iters", type=int, default=600)
    p.add_argument("--validation-exp", type=int, default=21)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads (default 1: see the module docstring)")
    args = p.parse_args(argv)
    ds = load_dataset(args.dataset, n_samples=args.samples, random_state=0)
    cfg = AEOTConfig(ae=AEConfig(latent_dim=args.latent_dim), train=TrainConfig(epochs=args.epochs, random_state=0),
                     ot=OTConfig(max_iter=args.ot_iters, validation_samples=2 ** args.validation_exp, random_state=0))
    torch.set_num_threads(args.threads)
    rows = []
    t0 = time.perf_counter()

    def callback(ev):
        m = ev.metrics
        rows.append((round(time.perf_counter() - t0, 4), ev.stage, ev.step, ev.total,
                     *(m.get(k) for k in KEPT_METRICS)))

    model = fit_aeot(ds, cfg, callback=callback)
    compute_views(model, callback=callback)
    columns = ("t", "stage", "step", "total") + KEPT_METRICS
    record = {
        "command": "python benchmarks/record_progress.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "settings": {"dataset": args.dataset, "samples": args.samples, "latent_dim": args.latent_dim,
                     "epochs": args.epochs, "ot_iters": args.ot_iters, "validation_samples": 2 ** args.validation_exp,
                     "threads": args.threads},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "wall_s": round(time.perf_counter() - t0, 3),
        "n_events": len(rows),
        # one list per column (t: seconds since the job started; a metric the event lacks is null)
        "events": {c: [r[i] for r in rows] for i, c in enumerate(columns)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, separators=(",", ":")) + "\n")
    print(f"{len(rows)} events over {record['wall_s']:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
