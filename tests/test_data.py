"""nnlib.data: the festival table, logic gates, the 2-D generators and the seeded split."""
import numpy as np
import pytest

from nnlib.data import (FESTIVAL_FEATURES, FESTIVAL_WEIGHTS, LOGIC_GATES, festival_situations, logic_gate,
                        make_blobs, make_circles, make_moons, make_spirals, make_xor, stratified_split_indices,
                        train_val_split)

GENERATORS = [make_xor, make_moons, make_circles, make_spirals, make_blobs]


def test_festival_situations_are_the_8_combinations_in_binary_order():
    X = festival_situations()
    assert X.shape == (8, 3) and X.dtype == np.int64
    assert len({tuple(row) for row in X}) == 8
    assert set(np.unique(X)) == {0, 1}
    # Row i is i written in binary, weather the highest bit.
    np.testing.assert_array_equal(X @ np.array([4, 2, 1]), np.arange(8))
    assert FESTIVAL_FEATURES == ("weather", "friend", "commute")
    assert FESTIVAL_WEIGHTS == (6, 2, 2)


def test_festival_decision_with_threshold_5_follows_the_weather():
    # A sanity check of the table's use in notebook 01: with threshold 5 only the weather decides.
    go = festival_situations() @ np.array(FESTIVAL_WEIGHTS) > 5
    np.testing.assert_array_equal(go, festival_situations()[:, 0] == 1)


@pytest.mark.parametrize("name, outputs", [
    ("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("nand", [1, 1, 1, 0]),
    ("nor", [1, 0, 0, 0]), ("xor", [0, 1, 1, 0]), ("XOR", [0, 1, 1, 0]),
])
def test_logic_gate_truth_tables(name, outputs):
    X, y = logic_gate(name)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, outputs)
    assert X.dtype == y.dtype == np.int64
    a, b = X[:, 0].astype(bool), X[:, 1].astype(bool)
    expected = {"and": a & b, "or": a | b, "nand": ~(a & b), "nor": ~(a | b), "xor": a ^ b}[name.lower()]
    np.testing.assert_array_equal(y, expected.astype(int))


def test_logic_gate_unknown_name():
    assert set(LOGIC_GATES) == {"and", "or", "nand", "nor", "xor"}
    with pytest.raises(ValueError, match="expected one of and, or, nand, nor, xor, got 'xnor'"):
        logic_gate("xnor")
    with pytest.raises(ValueError, match="expected one of"):
        logic_gate(3)


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_shapes_dtypes_balance(make):
    X, y = make(n=101, rng=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1, counts
    assert np.all(np.isfinite(X))
    # Rows are shuffled: the labels are not sorted.
    assert np.any(np.diff(y) < 0)


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_are_deterministic_by_seed(make):
    X1, y1 = make(n=60, rng=7)
    X2, y2 = make(n=60, rng=np.random.default_rng(7))
    X3, _ = make(n=60, rng=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_refuse_missing_seed_and_bad_n(make):
    with pytest.raises(ValueError, match="rng: expected an int seed"):
        make(n=10, rng=None)
    with pytest.raises(ValueError, match="n: expected an int >= "):
        make(n=0)
    with pytest.raises(ValueError, match="n: expected an int"):
        make(n=10.5)


@pytest.mark.parametrize("make, keyword", [(make_xor, "noise"), (make_moons, "noise"), (make_circles, "noise"),
                                           (make_spirals, "noise"), (make_blobs, "std")])
def test_generators_refuse_negative_or_nan_noise(make, keyword):
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=f"{keyword}: expected a finite number >= 0"):
            make(n=10, **{keyword: bad})


def test_noise_free_shapes_are_exact():
    X, y = make_circles(n=50, noise=0.0, factor=0.3)
    np.testing.assert_allclose(np.hypot(X[:, 0], X[:, 1]), np.where(y == 0, 1.0, 0.3))
    X, y = make_moons(n=50, noise=0.0)
    centre = np.where(y[:, None] == 0, [0.0, 0.0], [1.0, 0.5])
    np.testing.assert_allclose(np.linalg.norm(X - centre, axis=1), 1.0)
    assert np.all(X[y == 0, 1] >= 0) and np.all(X[y == 1, 1] <= 0.5)
    X, y = make_xor(n=8, noise=0.0)
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]))


def test_make_circles_factor_must_be_inside_the_unit_circle():
    for bad in (0, 1, 1.5, -0.5):
        with pytest.raises(ValueError, match="factor"):
            make_circles(n=10, factor=bad)


def test_make_spirals_classes():
    X, y = make_spirals(n=100, n_classes=4, rng=0)
    np.testing.assert_array_equal(np.bincount(y), [25, 25, 25, 25])
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1 + 1e-12)
    with pytest.raises(ValueError, match="n_classes: expected an int >= 2"):
        make_spirals(n=10, n_classes=1)
    with pytest.raises(ValueError, match="n: expected an int >= 5"):
        make_spirals(n=4, n_classes=5)


def test_make_blobs_given_centres_in_any_dimension():
    centres = np.array([[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]])
    X, y = make_blobs(n=400, centers=centres, std=0.5, rng=1)
    assert X.shape == (400, 3)
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centres[k], atol=0.15)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, rtol=0.2)
    X, y = make_blobs(n=30, centers=3, box=2.0, std=0.0, rng=0)
    assert len(np.unique(X, axis=0)) == 3 and np.all(np.abs(X) <= 2.0)
    with pytest.raises(ValueError, match="centers"):
        make_blobs(n=10, centers=[1.0, 2.0])
    with pytest.raises(ValueError, match="centers: expected an int >= 1"):
        make_blobs(n=10, centers=0)


def test_train_val_split_is_stratified_complete_and_seeded():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.arange(100 * 2).reshape(100, 2)
    X_train, y_train, X_val, y_val = train_val_split(X, y, val_fraction=0.2, rng=5)
    np.testing.assert_array_equal(np.bincount(y_val), [12, 6, 2])
    np.testing.assert_array_equal(np.bincount(y_train), [48, 24, 8])
    # Every row goes to exactly one side, with its own label.
    rows = np.concatenate([X_train, X_val])[:, 0] // 2
    np.testing.assert_array_equal(np.sort(rows), np.arange(100))
    np.testing.assert_array_equal(np.concatenate([y_train, y_val]), y[rows])
    again = train_val_split(X, y, val_fraction=0.2, rng=np.random.default_rng(5))
    for a, b in zip((X_train, y_train, X_val, y_val), again):
        np.testing.assert_array_equal(a, b)
    other = train_val_split(X, y, val_fraction=0.2, rng=6)
    assert not np.array_equal(X_val, other[2])


def test_train_val_split_unstratified_and_rounding():
    y = np.repeat([0, 1], [90, 10])
    X = np.zeros((100, 3))
    _, y_train, _, y_val = train_val_split(X, y, val_fraction=0.25, rng=0, stratify=False)
    assert len(y_val) == 25 and len(y_train) == 75
    # Proportional shares that do not come out whole are rounded by largest remainder.
    y = np.repeat([0, 1, 2], [7, 3, 5])
    train_idx, val_idx = stratified_split_indices(y, 4, rng=0)
    np.testing.assert_array_equal(np.bincount(y[val_idx]), [2, 1, 1])
    assert sorted(np.concatenate([train_idx, val_idx]).tolist()) == list(range(15))


def test_train_val_split_bad_arguments():
    X, y = np.zeros((10, 2)), np.arange(10) % 2
    for bad in (0, 1, 1.5, -0.1, True, "0.2"):
        with pytest.raises(ValueError, match="val_fraction: expected a number strictly between 0 and 1"):
            train_val_split(X, y, val_fraction=bad)
    with pytest.raises(ValueError, match="same number of rows"):
        train_val_split(X[:9], y)
    with pytest.raises(ValueError, match="y: expected a 1-D array of class labels"):
        train_val_split(X, y[:, None])
    with pytest.raises(ValueError, match="rng"):
        train_val_split(X, y, rng=None)
    with pytest.raises(ValueError, match="at least 2 samples"):
        train_val_split(X[:1], y[:1])
    with pytest.raises(ValueError, match="n_val: expected fewer than the 10 samples, got 10"):
        stratified_split_indices(y, 10)
