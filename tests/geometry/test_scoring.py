import pytest
import torch

from aeot_viz.geometry.scoring import ROW_MAX_CHUNK, assign_cells, cell_counts, nearest_others, row_max, top_k_cells


@pytest.fixture
def problem():
    g = torch.Generator().manual_seed(0)
    X = torch.rand(3000, 6, generator=g) - 0.5
    Y = torch.rand(2500, 6, generator=g) - 0.5
    h = 0.05 * torch.randn(2500, generator=g)
    return X, Y, h


@pytest.mark.parametrize("budget", [4096, 2**16, 2**20, None, 2**30])
def test_chunked_kernel_matches_dense_argmax_and_topk(problem, budget):
    X, Y, h = problem
    S = X @ Y.T + h  # dense reference
    ref = S.topk(4, dim=1)
    assert torch.equal(assign_cells(X, Y, h, memory_budget=budget), S.argmax(dim=1))
    idx, val = top_k_cells(X, Y, h, k=4, memory_budget=budget)
    assert torch.equal(idx, ref.indices)
    assert torch.allclose(val, ref.values, atol=1e-6)
    counts = cell_counts(X, Y, h, memory_budget=budget)
    assert counts.shape == (2500,) and int(counts.sum()) == 3000
    assert torch.equal(counts, torch.bincount(S.argmax(dim=1), minlength=2500))


@pytest.mark.parametrize("cols", [1, ROW_MAX_CHUNK - 1, 2 * ROW_MAX_CHUNK, 2 * ROW_MAX_CHUNK + 5, 1000, 1024])
@pytest.mark.parametrize("ties", [False, True])
def test_row_max_equals_torch_max_including_first_of_ties(cols, ties):
    g = torch.Generator().manual_seed(cols)
    S = torch.randn(300, cols, generator=g)
    if ties:  # a few distinct values: most rows have their maximum in several columns and chunks
        S = torch.randint(0, 3, (300, cols), generator=g).float()
    val, idx = row_max(S)
    ref_val, ref_idx = S.max(dim=1)
    assert torch.equal(val, ref_val)
    assert torch.equal(idx, ref_idx)
    if ties and cols > 1:  # the reference returns the first maximal column
        first = (S == ref_val[:, None]).float().argmax(dim=1)
        assert torch.equal(idx, first)


def test_adding_a_constant_to_h_changes_no_assignment(problem):
    X, Y, h = problem
    assert torch.equal(assign_cells(X, Y, h), assign_cells(X, Y, h + 3.25))


def test_top_k_scores_are_sorted_and_gap_non_negative(problem):
    X, Y, h = problem
    _, val = top_k_cells(X, Y, h, k=3)
    assert (val[:, :-1] >= val[:, 1:]).all()


@pytest.mark.parametrize(
    "shapes",
    [((10, 3), (5, 2), (5,)), ((10, 3), (5, 3), (4,)), ((10,), (5, 3), (5,))],
)
def test_shape_errors_say_what_is_wrong(shapes):
    xs, ys, hs = shapes
    with pytest.raises(ValueError, match="shape|Shapes"):
        assign_cells(torch.zeros(xs), torch.zeros(ys), torch.zeros(hs))


def test_k_out_of_range():
    with pytest.raises(ValueError, match="k must be"):
        top_k_cells(torch.zeros(4, 2), torch.zeros(3, 2), torch.zeros(3), k=4)


def test_nearest_other_matches_brute_force():
    from aeot_viz.geometry.scoring import nearest_other

    Y = torch.rand(300, 5, generator=torch.Generator().manual_seed(3))
    D = torch.cdist(Y, Y)
    D.fill_diagonal_(float("inf"))
    assert torch.equal(nearest_other(Y, memory_budget=4096), D.argmin(dim=1))
    with pytest.raises(ValueError, match="at least 2"):
        nearest_other(Y[:1])


@pytest.mark.parametrize("n, k", [(300, 8), (5, 8), (2, 3), (1, 4)])
def test_nearest_others_match_sorted_pairwise_distances(n, k):
    Y = torch.rand(n, 4, generator=torch.Generator().manual_seed(n)) - 0.5
    D = torch.cdist(Y.double(), Y.double())
    D.fill_diagonal_(float("inf"))
    got = nearest_others(Y, k, memory_budget=4096)
    kk = min(k, n - 1)
    assert got.shape == (n, kk)
    if kk:
        assert torch.equal(got, D.argsort(dim=1)[:, :kk])
