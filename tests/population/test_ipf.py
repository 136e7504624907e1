import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from recoque.population.ipf import fit, integerise, round_rows


def test_fit_meets_both_margins_and_keeps_structural_zeros():
    seed = np.array([[1.0, 1.0, 0.0], [1.0, 2.0, 1.0]])
    rows = np.array([[10.0, 20.0], [5.0, 5.0]])
    cols = np.array([[12.0, 10.0, 8.0], [3.0, 3.0, 4.0]])
    table, iterations = fit(seed, row_totals=rows, col_totals=cols)
    np.testing.assert_allclose(table.sum(axis=2), rows, atol=1e-4)
    np.testing.assert_allclose(table.sum(axis=1), cols, atol=1e-4)
    assert (table[:, 0, 2] == 0).all()
    assert iterations < 200


def test_column_totals_are_rescaled_to_the_row_total():
    table, _ = fit(np.ones((2, 2)), row_totals=np.array([[5.0, 5.0]]), col_totals=np.array([[1.0, 3.0]]))
    np.testing.assert_allclose(table.sum(axis=1), [[2.5, 7.5]])


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (4, 6), elements=st.floats(0, 1000, allow_nan=False)), st.integers(0, 2**32 - 1))
def test_round_rows_keeps_totals_and_stays_within_one(table, seed):
    out = round_rows(table, rng=np.random.default_rng(seed))
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.sum(axis=1), np.rint(table.sum(axis=1)).astype(np.int64))
    assert (np.abs(out - table) < 1.0 + 1e-9).all()


def test_integerise_is_reproducible():
    values = np.array([0.4, 1.5, 2.6, 3.5])
    a = integerise(values, rng=np.random.default_rng(1))
    b = integerise(values, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert a.sum() == 8


def test_fit_handles_empty_rows():
    table, _ = fit(np.ones((2, 2)), row_totals=np.array([[0.0, 0.0]]), col_totals=np.array([[0.0, 0.0]]))
    assert table.sum() == pytest.approx(0.0)
