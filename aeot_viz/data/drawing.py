"""Drawn 2-D data for the Playground: presets, points sampled along strokes, and the checks a drawing must pass.

Drawings live in the square :math:`[-1, 1]^2` (``y`` up). A canvas of ``size`` pixels maps to it linearly, its
top-left corner to :math:`(-1, 1)`. Strokes are polylines; points are spread along them at ``density`` points
per unit of length, each moved by a small Gaussian jitter so that a stroke is a thin band of data.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PRESETS", "preset", "points_from_strokes", "strokes_from_canvas", "check_drawing", "drawing_npz",
           "parse_points", "MIN_POINTS"]

MIN_POINTS = 10

#: name -> (what it shows, whether it has clear modes)
PRESETS = {
    "ring": "8 tight Gaussian modes on a circle",
    "grid": "a 4 x 4 grid of tight Gaussian modes",
    "two moons": "two interleaved half-circles",
    "letter A": "the strokes of a capital A",
    "convex blob": "one filled disc: a convex support, the control case with no singular facet",
}


def _ring(n, rng):
    angles = 2 * np.pi * np.arange(8) / 8
    centres = 0.7 * np.stack([np.cos(angles), np.sin(angles)], 1)
    return centres[rng.integers(0, 8, n)] + 0.04 * rng.standard_normal((n, 2)), centres, 0.04


def _grid(n, rng):
    g = np.linspace(-0.6, 0.6, 4)
    centres = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    return centres[rng.integers(0, 16, n)] + 0.035 * rng.standard_normal((n, 2)), centres, 0.035


def _moons(n, rng):
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t)) - 0.5
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t)) - 0.25
    return 0.6 * np.stack([x, y], 1) + 0.03 * rng.standard_normal((n, 2)), None, None


def _letter_a(n, rng):
    strokes = [np.array([[-0.5, -0.7], [0.0, 0.7]]), np.array([[0.0, 0.7], [0.5, -0.7]]),
               np.array([[-0.27, -0.05], [0.27, -0.05]])]
    return _along(strokes, n, rng, 0.025), None, None


def _blob(n, rng):
    r = 0.6 * np.sqrt(rng.random(n))
    a = rng.uniform(0, 2 * np.pi, n)
    return np.stack([r * np.cos(a), r * np.sin(a)], 1), None, None


_MAKERS = {"ring": _ring, "grid": _grid, "two moons": _moons, "letter A": _letter_a, "convex blob": _blob}


def preset(name: str, n: int = 500, random_state: int = 0) -> tuple[np.ndarray, np.ndarray | None, float | None]:
    """A preset drawing: points (n, 2) in [-1, 1]^2, and its mode centres (K, 2) and their std when it has
    clear modes (ring, grid), else None, None."""
    if name not in _MAKERS:
        raise ValueError(f"Unknown preset {name!r}; choose one of {list(PRESETS)}.")
    if not isinstance(n, (int, np.integer)) or n < MIN_POINTS:
        raise ValueError(f"A preset needs at least {MIN_POINTS} points, got {n!r}.")
    X, centres, std = _MAKERS[name](int(n), np.random.default_rng(random_state))
    return np.clip(X, -1, 1).astype(np.float32), centres, std


def _along(strokes, n, rng, jitter):
    """``n`` points spread along polylines in proportion to their length, with Gaussian jitter."""
    segments = [(a, b) for s in strokes for a, b in zip(s[:-1], s[1:])]
    lengths = np.array([np.linalg.norm(b - a) for a, b in segments])
    if len(segments) == 0 or lengths.sum() == 0:
        return np.repeat(np.concatenate(strokes)[:1], n, 0).astype(np.float64)
    pick = rng.choice(len(segments), n, p=lengths / lengths.sum())
    t = rng.random(n)[:, None]
    A = np.array([segments[k][0] for k in pick])
    B = np.array([segments[k][1] for k in pick])
    return A + t * (B - A) + jitter * rng.standard_normal((n, 2))


def points_from_strokes(strokes, *, density: float = 150.0, jitter: float = 0.02, random_state: int = 0,
                        max_points: int = 5000) -> np.ndarray:
    """Points along drawn strokes: ``density`` per unit of length in [-1, 1]^2, at least one per stroke.

    Parameters
    ----------
    strokes : list of array-like, each shape (k, 2)
        Polylines in drawing coordinates; a single point (k = 1) is a dot and gives one point.
    density : float
        Points per unit of stroke length (the square's side is 2).
    jitter : float
        Standard deviation of the Gaussian noise added to each point.
    max_points : int
        Refused above this many points (the OT solve of the Playground is meant to take seconds).

    Returns
    -------
    numpy.ndarray, float32, shape (n, 2), clipped to [-1, 1]^2
    """
    if not density > 0 or not jitter >= 0:
        raise ValueError(f"density must be positive and jitter non-negative, got {density}, {jitter}.")
    rng = np.random.default_rng(random_state)
    out = []
    for s in strokes:
        P = np.asarray(s, dtype=np.float64).reshape(-1, 2)
        if len(P) == 0 or not np.isfinite(P).all():
            continue
        length = float(np.linalg.norm(np.diff(P, axis=0), axis=1).sum()) if len(P) > 1 else 0.0
        k = max(1, int(round(density * length)))
        out.append(P[:1] + jitter * rng.standard_normal((1, 2)) if length == 0 else _along([P], k, rng, jitter))
    X = np.concatenate(out) if out else np.zeros((0, 2))
    if len(X) > max_points:
        raise ValueError(f"The drawing gives {len(X)} points, more than {max_points}; lower the density.")
    return np.clip(X, -1, 1).astype(np.float32)


def strokes_from_canvas(json_data, size: int) -> list:
    """Polylines in drawing coordinates from a Fabric.js canvas (``streamlit-drawable-canvas``'s json_data).

    Free-hand paths give their command points (``M``, ``L`` and the end and control points of ``Q``); circles
    (the point tool) give their centres. Pixel ``(px, py)`` maps to ``(2 px / size - 1, 1 - 2 py / size)``.
    """
    strokes = []
    for obj in (json_data or {}).get("objects", []) or []:
        kind = obj.get("type")
        pts = []
        if kind == "path":
            for cmd in obj.get("path") or []:
                nums = [float(v) for v in cmd[1:] if isinstance(v, (int, float))]
                pts.extend(zip(nums[0::2], nums[1::2]))
        elif kind == "circle":
            r = float(obj.get("radius", 0))
            pts.append((float(obj.get("left", 0)) + r, float(obj.get("top", 0)) + r))
        elif kind == "line":
            left, top = float(obj.get("left", 0)), float(obj.get("top", 0))
            pts += [(left + float(obj.get("x1", 0)), top + float(obj.get("y1", 0))),
                    (left + float(obj.get("x2", 0)), top + float(obj.get("y2", 0)))]
        if pts:
            P = np.asarray(pts, dtype=np.float64)
            strokes.append(np.stack([2 * P[:, 0] / size - 1, 1 - 2 * P[:, 1] / size], 1))
    return strokes


def parse_points(text: str) -> np.ndarray:
    """Typed points, one ``x, y`` pair per line, as float32 (n, 2); ``ValueError`` naming the first bad line.

    A pair is two numbers separated by a comma, a semicolon or spaces; blank lines are skipped. Every coordinate
    must be finite and lie in the drawing square :math:`[-1, 1]`.

    Parameters
    ----------
    text : str
        What the visitor typed.

    Returns
    -------
    numpy.ndarray, float32, shape (n, 2)

    Raises
    ------
    ValueError
        Line ``k`` (counted from 1, as typed) is not two numbers, holds NaN or infinity, or lies outside
        :math:`[-1, 1]^2`; the message quotes the line and says what to write instead.
    """
    rows = []
    for k, line in enumerate(str(text).splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.replace(";", ",").replace(",", " ").split()
        try:
            xy = [float(v) for v in parts]
        except ValueError:
            xy = []
        if len(xy) != 2:
            raise ValueError(f"Could not read the typed points: line {k} ({line.strip()!r}) is not one 'x, y' pair; "
                             "write two numbers per line, such as 0.2, -0.5.")
        if not np.isfinite(xy).all():
            raise ValueError(f"The typed point on line {k} ({line.strip()!r}) is not finite: write two numbers in "
                             "[-1, 1].")
        if max(abs(xy[0]), abs(xy[1])) > 1:
            raise ValueError(f"The typed point on line {k} ({line.strip()!r}) lies outside the drawing square: both "
                             "coordinates must be in [-1, 1].")
        rows.append(xy)
    return np.asarray(rows, dtype=np.float32).reshape(-1, 2)


def check_drawing(X) -> np.ndarray:
    """The drawing as float32 (n, 2), or ``ValueError`` saying what to draw instead.

    Refused: fewer than :data:`MIN_POINTS` points, all points (nearly) identical, points on one line (the
    power diagram of collinear codes is degenerate in 2-D), and non-finite values.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"A drawing is an array of 2-D points (n, 2), got shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError("The drawing has NaN or infinite coordinates.")
    if len(X) < MIN_POINTS:
        raise ValueError(f"Draw at least {MIN_POINTS} points (there are {len(X)}): add strokes or raise the "
                         "density.")
    spread = np.linalg.svd(X - X.mean(0), compute_uv=False)
    if spread[0] < 1e-6 * len(X) ** 0.5:
        raise ValueError("All points are at the same place: draw a shape with some extent.")
    if spread[1] < 1e-3 * spread[0]:
        raise ValueError("All points lie on one line: the map from the square has nothing to spread them "
                         "over; draw in two directions.")
    return X.astype(np.float32)


def drawing_npz(X) -> bytes:
    """A drawing as the bytes of an ``.npz`` with one array ``X`` (n, 2): what the Train page and
    :func:`aeot_viz.data.load_dataset` read back."""
    import io

    buf = io.BytesIO()
    np.savez(buf, X=check_drawing(X))
    return buf.getvalue()
