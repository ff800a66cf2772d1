"""The Lesson's sentences, each written from the numbers its step draws (no Streamlit here).

Every "what to notice" sentence of the Lesson is a function of the measurements shown beside it: a count, a share or
a step length is printed from the array the figure was drawn from, and a word such as "never", "every" or "all" is
used only when the count it summarises is zero or complete. The functions take plain numbers and arrays, so a test
can recompute the numbers from the shipped bundles and check each sentence against them.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

__all__ = ["THEOREM", "PAPERS", "share", "claim_words", "cells_words", "probe_words", "zoom_words", "paths_words",
           "toy_samples_words", "strip_reading", "blend_choice", "blend_words", "mnist_path_words",
           "thinnest_class", "class_words", "stacked_words", "limits_words"]

#: the theorem the Lesson rests on, in one plain sentence
THEOREM = ("When the data's support is not convex (it has gaps, holes or separate pieces), the optimal transport map "
           "from uniform noise onto it must jump (Caffarelli's and Figalli's regularity theory); a neural generator "
           "is continuous, so it cannot be that map: it fills the gaps with in-between samples (mode mixture) or "
           "gives modes up (mode collapse).")
#: the two papers the Lesson follows
PAPERS = ("Lei, Guo, An, Qi, Luo, Yau and Gu, *Mode Collapse and Regularity of Optimal Transportation Maps*, arXiv "
          "1902.02934 (2019); An, Guo, Lei, Luo, Yau and Gu, *AE-OT: a new generative model based on extended "
          "semi-discrete optimal transport*, ICLR 2020.")


def share(part: float, whole: float) -> str:
    """``part / whole`` as a percentage for a sentence: one decimal below 10%, none above; "0%" only when exact."""
    if whole <= 0:
        raise ValueError("share needs a positive whole.")
    p = 100.0 * part / whole
    if p == 0:
        return "0%"
    if p < 0.05:
        return "under 0.1%"
    return f"{p:.1f}%" if p < 10 else f"{p:.0f}%"


def _count(n: int, noun: str, plural: Optional[str] = None) -> str:
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def claim_words(n_codes: int, n_samples: int, n_on_mode: int) -> str:
    """Step 1: every cell holds the same mass, and how many of the new samples land on a mode.

    Parameters
    ----------
    n_codes : int
        Cells (codes) of the toy.
    n_samples, n_on_mode : int
        New samples drawn, and those within 3 standard deviations of a mode's centre.
    """
    off = n_samples - n_on_mode
    where = ("every one lands on a mode" if off == 0 else
             f"{n_on_mode:,} ({share(n_on_mode, n_samples)}) land on a mode and {off:,} between two")
    return (f"Each of the {n_codes:,} cells has the same area, 1/{n_codes:,} of the square, so uniform noise reaches "
            f"every code equally often. Of the {n_samples:,} new samples on the right, {where} (within 3 standard "
            "deviations of a mode's centre).")


def cells_words(n_facets: int, n_singular: int, n_between: int, n_singular_between: int) -> str:
    """Step 2: the map jumps at every facet; how many facets are singular and how they sit between the modes.

    Parameters
    ----------
    n_facets : int
        Facets of the power diagram.
    n_singular : int
        Facets the midpoint test calls singular (drawn red).
    n_between : int
        Facets whose two codes belong to different modes.
    n_singular_between : int
        Singular facets whose two codes belong to different modes.
    """
    within = n_facets - n_between
    most = "most jumps are" if 2 * within > n_facets else f"{share(within, n_facets)} of the jumps are"
    head = (f"Crossing any of the {n_facets:,} facets, the map switches from one code to its neighbour: the "
            f"semi-discrete map jumps at every facet, but {most} short, between two codes of one Gaussian. ")
    if n_singular == 0:
        return head + "No facet is red: none has more empty space between its codes than a convex support's."
    joined = ("every one of them joins" if n_singular_between == n_singular else
              f"{n_singular_between:,} of them join")
    tail = (f"The {_count(n_singular, 'red facet')} ({share(n_singular, n_facets)}) jump across empty space: "
            f"{joined} two different Gaussians")
    if n_between and n_singular_between == n_between:
        tail += ", and no other facet does."
    elif n_between:
        tail += f", and they are {share(n_singular_between, n_between)} of the {n_between:,} facets that do."
    else:
        tail += "."
    return head + tail


def probe_words(n_points: int, n_cells: int, n_singular: int, aeot_step: float, gan_step: float) -> str:
    """Step 3: the line through the noise, both maps drawn as points at one resolution.

    Parameters
    ----------
    n_points : int
        Points drawn along the line.
    n_cells : int
        Cells AE-OT's line passes through (its exact crossings + 1).
    n_singular : int
        Crossings of singular facets (dashed red).
    aeot_step, gan_step : float
        The largest step between neighbouring points of each map at this resolution, in data units.
    """
    red = ("none of them singular" if n_singular == 0 else
           f"{n_singular:,} of them singular (dashed red)")
    return (f"AE-OT's output is flat inside each of the {n_cells:,} cells the line passes through and jumps at each "
            f"of its {n_cells - 1:,} crossings, {red}. Drawn as {n_points:,} points, the GAN's output seems to jump "
            f"too: its largest step between neighbouring points is {gan_step:.2f} data units, AE-OT's "
            f"{aeot_step:.2f}. At one resolution a steep climb and a jump look alike: the next step zooms in.")


def zoom_words(factor: int, n_coarse: int, n_fine: int, aeot: tuple, gan: tuple) -> str:
    """Step 4: the largest step of each map at two resolutions; a continuous curve's shrinks, a jump's does not.

    Parameters
    ----------
    factor : int
        How many times finer the second resolution is.
    n_coarse, n_fine : int
        Points along the line at each resolution.
    aeot, gan : (float, float)
        Each map's largest step at the coarse and at the fine resolution, in data units.
    """
    def verdict(name, coarse, fine):
        if fine < 0.5 * coarse:
            return (f"the {name}'s largest step shrinks from {coarse:.2f} to {fine:.2f} data units: its points fill "
                    "in the climb, so it is a continuous curve")
        return (f"{name}'s largest step stays at {fine:.2f} data units (it was {coarse:.2f}): a true jump, which no "
                "finer sampling removes")

    g = verdict("GAN", *gan)
    a = verdict("AE-OT", *aeot).replace("the AE-OT's", "AE-OT's")
    return f"Sampled {factor} times more finely ({n_coarse:,} to {n_fine:,} points), {g}; {a}."


def paths_words(n_points: int, off_mode: dict) -> str:
    """Step 5: each generator walks its own noise; how many of each path's points lie between the modes.

    Parameters
    ----------
    n_points : int
        Points along each path.
    off_mode : dict of str -> int
        Generator name -> points of its path that lie off every mode (beyond 3 standard deviations), AE-OT's
        under ``"AE-OT"``.
    """
    others = sorted((g for g in off_mode if g != "AE-OT"), key=lambda g: -off_mode[g])
    parts = [f"the {g} {off_mode[g]:,}" for g in others]
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] if parts else ""
    a = off_mode.get("AE-OT", 0)
    return ("Each generator reads its own noise (AE-OT a uniform square, the others a Gaussian), so each line walks "
            "its own route through the modes: compare how the curves move, not which modes they visit. Of the "
            f"{n_points:,} points along its line, {listed} lie between the modes; AE-OT "
            + ("none." if a == 0 else f"{a:,}."))


def toy_samples_words(n_samples: int, n_modes: int, scores: dict, published: Optional[float] = None) -> str:
    """Step 6: mode coverage and mixture on the toy, from each generator's score.

    Parameters
    ----------
    n_samples, n_modes : int
        Samples per generator, modes of the mixture.
    scores : dict of str -> dict
        Generator name -> ``{"modes_covered", "hq_share"}`` (AE-OT's under ``"AE-OT"``).
    published : float, optional
        The published GAN's mean modes covered on this mixture (PacGAN Table 1).
    """
    others = [g for g in scores if g != "AE-OT"]
    short = [g for g in others if scores[g]["modes_covered"] < n_modes]
    if short:
        cover = "; ".join(f"the {g} reaches only {scores[g]['modes_covered']} of the {n_modes} modes (collapse)"
                          for g in short) + ". "
    else:
        cover = (f"Every generator reaches all {n_modes} modes: there is no collapse on this toy"
                 + (f" (published GAN runs reach {published:g} on average)" if published is not None else "")
                 + ", but the continuous ones pay in mixture. ")
    worst = sorted(others, key=lambda g: scores[g]["hq_share"])
    mixed = ", ".join(f"{share(1 - scores[g]['hq_share'], 1)} of the {g}'s" for g in worst)
    a = scores["AE-OT"]["hq_share"]
    return (cover + f"Of {n_samples:,} samples each, {mixed} land between the modes (beyond 3 standard deviations "
            f"of every centre), against {share(1 - a, 1)} of AE-OT's.")


def strip_reading(probabilities) -> dict:
    """What the digit classifier reads in a strip of images.

    Parameters
    ----------
    probabilities : array-like, shape (T, C)
        Class probabilities of each image.

    Returns
    -------
    dict
        ``digits`` (T,) the classes read, ``confidence`` (T,) their probabilities, ``weakest`` the index of the least
        confident image, ``second`` the runner-up class of that image and ``second_p`` its probability.
    """
    P = np.asarray(probabilities, dtype=np.float64)
    if P.ndim != 2 or len(P) == 0:
        raise ValueError(f"probabilities must have shape (T, C) with T >= 1, got {P.shape}.")
    order = np.argsort(-P, axis=1)
    conf = P[np.arange(len(P)), order[:, 0]]
    k = int(np.argmin(conf))
    return {"digits": order[:, 0], "confidence": conf, "weakest": k, "second": int(order[k, 1]),
            "second_p": float(P[k, order[k, 1]])}


def blend_choice(readings: dict) -> str:
    """The baseline whose strip holds the least confident image (the clearest blend); ties go to the first.

    Parameters
    ----------
    readings : dict of str -> dict
        Baseline name -> its :func:`strip_reading`.
    """
    if not readings:
        raise ValueError("blend_choice needs at least one baseline's strip.")
    return min(readings, key=lambda g: float(readings[g]["confidence"].min()))


def blend_words(name: str, reading: dict, n_baselines: int) -> str:
    """The sentence on the chosen baseline's strip: what it reads, and its least confident image."""
    k = reading["weakest"]
    digits = " ".join(str(int(d)) for d in reading["digits"])
    return (f"The {name}'s strip, the least confident of the {n_baselines} baselines', reads to the classifier as "
            f"{digits}: its image "
            f"{k + 1} is a {int(reading['digits'][k])} at only {100 * reading['confidence'][k]:.0f}% "
            f"({reading['second']}: {100 * reading['second_p']:.0f}%), an in-between image, which a continuous map "
            "between two digits must pass through.")


def mnist_path_words(pr, labels, shown_cells, reading: Optional[dict] = None) -> str:
    """Step 7's sentence on AE-OT's strip, read off the probe of its path and the cells its strip shows.

    Parameters
    ----------
    pr : Probe
        The exact crossings of the straight path.
    labels : array-like, shape (N,)
        Digit of each code.
    shown_cells : array-like of int, shape (T,)
        The cell of each image in AE-OT's strip.
    reading : dict, optional
        The classifier's :func:`strip_reading` of AE-OT's strip: its least confident image is then named.
    """
    labels = np.asarray(labels)
    shown = " ".join(str(d) for d in labels[np.asarray(shown_cells)])
    change = labels[pr.pairs[:, 0]] != labels[pr.pairs[:, 1]]
    n, m = len(pr.t), int(change.sum())
    flagged = change & pr.singular
    head = (f"AE-OT's strip reads {shown}: each image is one training digit's code, decoded. Along the line the map "
            f"changes code {n} times; {m} of those jumps change{'s' if m == 1 else ''} the digit")
    if m == 0:
        tail = "."
    elif flagged[change].all():
        tail = ", and " + ("it crosses" if m == 1 else "every one of them crosses") + " the singular set."
    elif flagged.any():
        tail = (f", and {int(flagged.sum())} of them cross the singular set ("
                + ", ".join(f"{labels[i]} -> {labels[j]}" for i, j in pr.pairs[flagged]) + ").")
    else:
        tail = (", but none of them crosses the singular set: those digits' codes touch, with other codes between "
                "them.")
    if reading is not None:
        w = reading["weakest"]
        tail += (f" Its least confident image reads as a {int(reading['digits'][w])} at "
                 f"{100 * reading['confidence'][w]:.0f}%.")
    return head + tail


def thinnest_class(class_shares, data_share) -> tuple[int, float]:
    """The class a generator makes least often relative to the data, and that ratio (share / data share)."""
    s = np.asarray(class_shares, dtype=np.float64)
    d = np.asarray(data_share, dtype=np.float64)
    if s.shape != d.shape or (d <= 0).any():
        raise ValueError("class_shares and data_share need one positive data share per class.")
    r = s / d
    k = int(np.argmin(r))
    return k, float(r[k])


def class_words(class_shares: dict, data_share) -> str:
    """Step 8: the most thinned-out digit of the worst baseline, and of AE-OT, against the data's share.

    Parameters
    ----------
    class_shares : dict of str -> array-like, shape (C,)
        Generator name -> the share of its samples the classifier puts in each class (AE-OT's under "AE-OT").
    data_share : array-like, shape (C,)
        The training data's share of each class.
    """
    d = np.asarray(data_share, dtype=np.float64)
    thin = {g: thinnest_class(s, d) for g, s in class_shares.items()}
    worst = min((g for g in thin if g != "AE-OT"), key=lambda g: thin[g][1])
    (kw, rw), (ka, ra) = thin[worst], thin["AE-OT"]
    sw, sa = np.asarray(class_shares[worst])[kw], np.asarray(class_shares["AE-OT"])[ka]
    compare = ("closer to the data" if ra > rw else "no closer to the data")
    return (f"The {worst} makes {kw}s only {100 * sw:.1f}% of the time, against {100 * d[kw]:.1f}% of the training "
            f"data ({rw:.2f} of their share): that mode is thinned out. AE-OT's most thinned-out digit, {ka}, gets "
            f"{100 * sa:.1f}% against the data's {100 * d[ka]:.1f}% ({ra:.2f} of its share): {compare}, though not "
            "equal (red outlines: each generator's most thinned-out digit).")


def stacked_words(scores: dict, n_modes: int = 1000) -> str:
    """Step 9: modes reached on Stacked MNIST by the most collapsed baseline, by AE-OT and by the others.

    Parameters
    ----------
    scores : dict of str -> dict
        Generator name -> ``{"modes_covered", "kl", "n_samples"}`` (AE-OT's under "AE-OT").
    """
    others = [g for g in scores if g not in ("AE-OT", "AE-OT (plain map)")]
    worst = min(others, key=lambda g: scores[g]["modes_covered"])
    w, a = scores[worst], scores["AE-OT"]
    missing = n_modes - w["modes_covered"]
    head = (f"Of the {n_modes:,} modes, the {worst}'s {w['n_samples']:,} samples reach {w['modes_covered']:,} and "
            f"leave {missing:,} empty (black cells)" + (": mode collapse. " if missing else ". "))
    am = n_modes - a["modes_covered"]
    aeot = (f"AE-OT reaches {a['modes_covered']:,}" + (f" and misses {am:,}" if am else ", every one")
            + f" (KL to the uniform spread {a['kl']:.3f}, against the {worst}'s {w['kl']:.2f}).")
    rest = [g for g in others if g != worst]
    if rest:
        listed = " and ".join(f"the {g} {scores[g]['modes_covered']:,}" for g in rest)
        aeot += f" Of the other baselines, {listed}."
    return head + aeot


def limits_words(n_facets: int, n_singular: int, n_singular_between: int, p_value: Optional[float]) -> str:
    """Step 10: the honest limits: every facet is a jump, the convex null decides which jumps would stay.

    Parameters
    ----------
    n_facets : int
        Facets of MNIST's power diagram.
    n_singular : int
        Facets beyond the convex null's largest midpoint emptiness (and the test says non-convex).
    n_singular_between : int
        Singular facets whose two codes are different digits.
    p_value : float or None
        Chance of this many facets beyond the null if the support were convex.
    """
    head = (f"With finitely many codes the semi-discrete map jumps at every one of MNIST's {n_facets:,} facets; "
            "the theorem is about the jumps that would not close up as the number of codes grows. The convex null "
            "stands in for that: a gap-free support with the codes' mean and covariance, solved the same way. ")
    if n_singular == 0:
        return head + "No facet has more empty space between its codes than the null's: none is called singular."
    p = "" if p_value is None else (" (chance if the support were convex: "
                                    + (f"{p_value:.0e})" if p_value > 0 else "below 1e-300)"))
    return head + (f"{n_singular:,} facets ({share(n_singular, n_facets)}) have more empty space between their two "
                   f"codes than any of the null's{p}, and {share(n_singular_between, n_singular)} of those join two "
                   "different digits: those are the jumps the lab calls singular.")
