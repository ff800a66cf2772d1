"""Independent reference for 2-D power diagrams: exact cell areas by half-space intersection.

Cell i of the power diagram clipped to the square [-1/2, 1/2]^2 is
{x : <x, y_j - y_i> + h_j - h_i <= 0 for all j} intersected with the square. Its area is computed
with scipy's HalfspaceIntersection (Qhull) from an interior point found by linear programming, and
shares no code with the Monte Carlo solver under test.
"""

import numpy as np
from scipy.optimize import linprog
from scipy.spatial import ConvexHull, HalfspaceIntersection


def exact_power_cell_areas(Y, h):
    Y = np.asarray(Y, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    N = len(Y)
    square = np.array([[1, 0, -0.5], [-1, 0, -0.5], [0, 1, -0.5], [0, -1, -0.5]], dtype=np.float64)
    areas = np.zeros(N)
    for i in range(N):
        others = np.delete(np.arange(N), i)
        hs = np.concatenate([np.column_stack([Y[others] - Y[i], h[others] - h[i]]), square])
        A, b = hs[:, :2], hs[:, 2]
        norms = np.linalg.norm(A, axis=1)
        keep = norms > 1e-15
        A, b, norms = A[keep], b[keep], norms[keep]
        # Chebyshev centre: maximise t subject to A x + t |A| <= -b
        res = linprog(c=[0, 0, -1], A_ub=np.column_stack([A, norms]), b_ub=-b,
                      bounds=[(None, None), (None, None), (0, None)], method="highs")
        if res.status != 0 or res.x[2] <= 1e-12:
            continue  # empty (or degenerate) cell
        hsi = HalfspaceIntersection(np.column_stack([A, b]), res.x[:2])
        areas[i] = ConvexHull(hsi.intersections).volume
    return areas
