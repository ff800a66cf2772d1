"""Command line: ``python -m aeot_viz train | info``.

``train`` runs :func:`aeot_viz.pipeline.training.fit_aeot`, the same code path as the app's Train page, with
a progress bar per stage, and writes a bundle (with ``--checkpoint-dir`` an interrupted run resumes);
``info`` prints what a bundle holds and its OT validation figures. Errors in the input print one line
on stderr and exit with status 2; running out of memory exits with status 3.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

__all__ = ["main", "build_parser"]


def _int_or_auto(text: str):
    """argparse type: a positive integer or the word auto."""
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'auto', got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'auto', got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from ..models.config import AE_KINDS, IMAGE_LATENT_DIM, VECTOR_LATENT_DIM
    from ..ot.config import METHODS, SOURCES, OTConfig  # the solver's defaults, defined once

    ap = argparse.ArgumentParser(prog="python -m aeot_viz", description="AE-OT Explorer command line.")
    sub = ap.add_subparsers(dest="command", required=True)

    tr = sub.add_parser("train", help="train an AE-OT model and save it as a bundle")
    tr.add_argument("--dataset", default="mnist10k",
                    help="ring8, grid25, swiss_roll, two_moons, concentric_rings, digits, mnist10k, stacked_mnist, "
                         "or a path (.npz/.npy, Keras mnist.npz, MNIST IDX files, image folder)")
    tr.add_argument("--n-samples", type=int, default=None, help="use this many samples of the dataset")
    tr.add_argument("--data-seed", type=int, default=0, help="seed of toy data / subsets")
    tr.add_argument("--ae-kind", default="auto", choices=list(AE_KINDS),
                    help="channelwise: one conv autoencoder shared by the channels (Stacked MNIST)")
    tr.add_argument("--latent-dim", type=int, default=None,
                    help=f"latent code dimension (default {IMAGE_LATENT_DIM} for images, {VECTOR_LATENT_DIM} for "
                         "vectors)")
    tr.add_argument("--epochs", type=int, default=20)
    tr.add_argument("--batch-size", type=int, default=128)
    tr.add_argument("--lr", type=float, default=1e-3, help="autoencoder learning rate")
    tr.add_argument("--source", default=OTConfig.source, choices=list(SOURCES), help="OT source measure")
    tr.add_argument("--ot-method", default=OTConfig.method, choices=list(METHODS),
                    help="auto: exact Newton for 2-D codes from the uniform square, the pooled solver otherwise "
                         "(re-used samples, certified on fresh ones); stochastic: fresh samples every iteration")
    tr.add_argument("--ot-max-iter", type=int, default=OTConfig.max_iter,
                    help="OT iteration budget (the solver stops earlier once its validation passes)")
    tr.add_argument("--ot-round-iter", type=int, default=OTConfig.round_iter, help="OT iterations between validations")
    tr.add_argument("--ot-batch", type=int, default=OTConfig.batch_size, help="OT samples per iteration (first round)")
    tr.add_argument("--ot-tol", type=float, default=OTConfig.tol, help="stop when the validated L1 error is below this")
    tr.add_argument("--ot-validation-samples", type=_int_or_auto, default="auto",
                    help="samples of the solver's stopping check; auto: at least 2^23, about 1,024 per code")
    tr.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    tr.add_argument("--seed", type=int, default=0, help="seed of training and OT")
    tr.add_argument("--out", required=True, help="bundle file to write (.npz)")
    tr.add_argument("--checkpoint-dir", default=None,
                    help="folder for checkpoints after every epoch / OT round; run the same command again "
                         "to resume an interrupted run")
    tr.add_argument("--quiet", action="store_true", help="no progress bars")
    tr.add_argument("--no-views", dest="views", action="store_false",
                    help="skip the precomputed views (projections, singular set, default slices) that let the app "
                         "open the bundle at once; UMAP and t-SNE take about a minute for 10,000 codes")

    gen = sub.add_parser("generate", help="generate new samples from a bundle: image grid + codes")
    gen.add_argument("--bundle", required=True)
    gen.add_argument("--n", type=int, default=64, help="number of samples")
    where = gen.add_mutually_exclusive_group()
    where.add_argument("--label", type=int, default=None, help="only from cells of codes with this label")
    where.add_argument("--cells", default=None, help="only from these cells, e.g. 1,5,9")
    gen.add_argument("--rule", default="extended", choices=["extended", "plain"])
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--out", required=True, help="image grid (.png); the codes go beside it as <name>_codes.npz")

    info = sub.add_parser("info", help="describe a bundle and its OT validation")
    info.add_argument("bundle")
    info.add_argument("--json", action="store_true", help="print JSON")
    return ap


#: the bar each stage's events go to, and the bar's name
_BAR_OF = {"autoencoder": "autoencoder", "encode": "encode", "ot": "ot", "ot-validation": "ot",
           "convex-null": "convex-null", "convex-null-validation": "convex-null", "views": "views"}
_BAR_NAMES = {"autoencoder": "autoencoder training", "encode": "encoding the data", "ot": "OT solver",
              "convex-null": "convex null (calibrates the singular set)",
              "views": "views for the app (projections, singular set, slices)"}


class _Bars:
    """One tqdm bar at a time, one per stage, fed by progress events.

    A stage's bar is closed, at its final values, when the next stage starts, so bars never overlap. The OT
    bars show the loss of the current batch while they run and the validated L1 (the figure the bundle keeps)
    after each validation, so the last value on screen is the final one.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None
        self.stage = None

    def __call__(self, ev) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        stage = _BAR_OF.get(ev.stage, ev.stage)
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=ev.total, desc=_BAR_NAMES.get(stage, stage), file=sys.stderr, leave=True,
                            dynamic_ncols=True)
        bar, m = self.bar, ev.metrics
        if ev.stage.endswith("validation"):
            bar.set_postfix_str(f"validated L1 {m['l1']:.4f} (noise floor {m['noise_floor']:.4f}), "
                                f"empty cells {m['empty_share']:.2%}", refresh=True)
            return
        bar.update(ev.step - bar.n)
        if "loss" in m:
            bar.set_postfix_str(f"epoch {m.get('epoch')}, loss {m['loss']:.4f}", refresh=False)
        elif "l1" in m:
            bar.set_postfix_str(f"batch L1 {m['l1']:.4f} ({m.get('batch_size')} samples)", refresh=False)
        elif "view" in m:
            bar.set_postfix_str("done" if m["view"] == "done" else f"computing {m['view'].split('_')[0]}",
                                refresh=False)

    def close(self):
        if self.bar is not None:
            self.bar.refresh()
            self.bar.close()
        self.bar = self.stage = None


def _train(args) -> int:
    from ..data import load_dataset
    from ..models.config import default_latent_dim
    from ..pipeline.bundle import save_bundle
    from ..pipeline.config import AEConfig, AEOTConfig, OTConfig, TrainConfig
    from ..pipeline.training import fit_aeot

    out_dir = Path(args.out).resolve().parent
    out_dir.mkdir(parents=True, exist_ok=True)
    if not os.access(out_dir, os.W_OK):
        raise ValueError(f"Cannot write to {out_dir}; choose another --out before training starts.")
    kwargs = {"random_state": args.data_seed}
    if args.n_samples is not None:
        kwargs["n_samples"] = args.n_samples
    dataset = load_dataset(args.dataset, **kwargs)
    latent_dim = default_latent_dim(dataset.kind) if args.latent_dim is None else args.latent_dim
    config = AEOTConfig(
        ae=AEConfig(kind=args.ae_kind, latent_dim=latent_dim),
        train=TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, device=args.device,
                          random_state=args.seed),
        ot=OTConfig(source=args.source, method=args.ot_method, max_iter=args.ot_max_iter, round_iter=args.ot_round_iter,
                    batch_size=args.ot_batch, tol=args.ot_tol, validation_samples=args.ot_validation_samples,
                    device=args.device, random_state=args.seed),
    )
    print(f"dataset {dataset.name}: {len(dataset)} {dataset.kind}, shape {dataset.shape}", file=sys.stderr)
    if args.checkpoint_dir is not None:
        from ..io.checkpoint import describe

        for name in ("autoencoder.npz", "ot.npz"):
            state = describe(Path(args.checkpoint_dir) / name)
            if state is not None:
                print(f"resuming from {Path(args.checkpoint_dir) / name}: {state}", file=sys.stderr)
    bars = _Bars(not args.quiet)
    t0 = time.perf_counter()
    try:
        model = fit_aeot(dataset, config, callback=bars, checkpoint_dir=args.checkpoint_dir)
        if args.views:
            from ..pipeline.views import compute_views

            compute_views(model, callback=bars)
    finally:
        bars.close()
    path = save_bundle(model, args.out)
    v = model.ot_validation
    print(f"wrote {path} in {time.perf_counter() - t0:.1f} s: {model.n_codes} codes in {model.latent_dim}-D, "
          + (f"OT exact L1 {v['exact_l1']:.1e} (Newton), sampled check " if v.get("exact_l1") is not None else "OT ")
          + f"L1 {v['l1']:.4f} (noise floor {v['noise_floor']:.4f}), empty cells {v['empty_share']:.2%}")
    if v["empty_share"] > 0:
        print(f"warning: {v['empty_share']:.2%} of the OT cells got no validation sample, so the map misses those "
              "codes; raise --ot-max-iter (or --ot-validation-samples) and train again", file=sys.stderr)
    return 0


def _generate(args) -> int:

    from ..analysis.generation import generate
    from ..io.images import image_grid
    from ..pipeline.bundle import load_bundle

    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise ValueError(f"--out must be a .png file, got {out.name!r}.")
    cells = None
    if args.cells is not None:
        try:
            cells = [int(c) for c in args.cells.split(",") if c.strip()]
        except ValueError as exc:
            raise ValueError(f"--cells must be comma-separated integers, got {args.cells!r}.") from exc
    model = load_bundle(args.bundle)
    g = generate(model, args.n, rule=args.rule, cells=cells, label=args.label, random_state=args.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    codes_path = out.with_name(out.stem + "_codes.npz")  # never the bundle itself
    g.save_npz(codes_path)
    if model.dataset["kind"] == "images":
        image_grid(model.decode(g.codes)).save(out)
        print(f"wrote {out} ({args.n} images, rule {args.rule}) and {codes_path}")
    else:
        from ..io.images import scatter_png

        scatter_png(model.codes, model.decode(g.codes), xlabel="x1 (data units)", ylabel="x2 (data units)",
                    title=f"{args.n} generated points (rule {args.rule}) over the {model.n_codes} training points",
                    labels=("training data", "generated")).save(out)
        print(f"wrote {out} (generated points over the training data, rule {args.rule}) and {codes_path}")
    return 0


def _info(args) -> int:
    from ..analysis.singularity import model_singular_set
    from ..pipeline.bundle import load_bundle

    model = load_bundle(args.bundle)
    s = model.summary()
    if model.singular_null is None or not model.singular_null.has_emptiness:
        what = "no convex null" if model.singular_null is None else "a convex null from before the midpoint test"
        print(f"This bundle has {what}: solving one (an OT solve as long as the model's own)...", file=sys.stderr)
    ss = model_singular_set(model, random_state=model.config.ot.random_state)
    s["singular facets"] = ss.n_singular
    s["facets"] = len(ss.pairs)
    s["singular rule"] = ss.rule
    s["non-convexity p-value"] = ss.p_value
    s["singular set"] = ss.verdict()
    jump = ss.with_jump_rule()  # issue 13's rule, for comparison
    s["singular facets (jump rule)"] = jump.n_singular
    s["non-convexity p-value (jump rule)"] = jump.p_value
    s["config"] = model.config.to_dict()
    if args.json:
        print(json.dumps(s, indent=2, default=str))
        return 0
    for k, v in s.items():
        if k == "config":
            continue
        if isinstance(v, float):
            v = f"{v:.4g}"
        print(f"{k:>22}: {v}")
    print(f"{'config':>22}: {json.dumps(s['config'])}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 3 out of memory, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    try:
        return {"train": _train, "info": _info, "generate": _generate}[args.command](args)
    except (ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. --out in a folder that cannot be created or written
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except MemoryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        resume = " (run the same command again to resume from the checkpoints)" if getattr(
            args, "checkpoint_dir", None) else ""
        print(f"interrupted: no bundle was written{resume}", file=sys.stderr)
        return 130
