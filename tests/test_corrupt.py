"""nnlib.corrupt: noise, watermarks and tints: shapes, ranges, seeded determinism, bad input."""
import numpy as np
import pytest

from nnlib.corrupt import PALETTE, WATERMARK_GLYPHS, gaussian_noise, masking_noise, stamp_watermarks, tint_digits


@pytest.fixture
def X():
    images = np.zeros((50, 784), dtype=np.float32)
    images[:, 300:500] = np.random.default_rng(0).random((50, 200))
    return images


def test_gaussian_noise_is_clipped_seeded_and_leaves_x_alone(X):
    before = X.copy()
    noisy = gaussian_noise(X, 0.5, rng=1)
    assert noisy.shape == X.shape and noisy.dtype == np.float32
    assert noisy.min() == 0.0 and noisy.max() == 1.0, "clipped to [0, 1], and the noise reaches both ends"
    np.testing.assert_array_equal(noisy, gaussian_noise(X, 0.5, rng=1))
    assert not np.array_equal(noisy, gaussian_noise(X, 0.5, rng=2))
    np.testing.assert_array_equal(X, before)
    expected = np.clip(X + 0.5 * np.random.default_rng(1).standard_normal(X.shape), 0, 1)
    np.testing.assert_allclose(noisy, expected, rtol=1e-6)
    # a black pixel becomes clip(n, 0, 1): a mean square a little below sigma^2 / 2 = 0.125
    np.testing.assert_allclose(np.mean(noisy[:, :300] ** 2), 0.114, atol=0.004)


def test_gaussian_noise_of_zero_changes_nothing(X):
    np.testing.assert_array_equal(gaussian_noise(X, 0.0, rng=0), X)


def test_masking_noise_zeroes_about_the_fraction(X):
    ones = np.ones((20, 784))
    masked = masking_noise(ones, 0.3, rng=3)
    assert set(np.unique(masked)) == {0.0, 1.0}
    np.testing.assert_allclose(np.mean(masked == 0), 0.3, atol=0.02)
    np.testing.assert_array_equal(masked, masking_noise(ones, 0.3, rng=3))
    kept = masking_noise(X, 0.5, rng=0)
    assert np.all((kept == 0) | (kept == X))
    np.testing.assert_array_equal(masking_noise(X, 0.0, rng=0), X)
    assert not masking_noise(X, 1.0, rng=0).any()


def test_a_watermark_is_one_glyph_stamped_in_grey(X):
    blank = np.zeros((200, 784))
    marked = stamp_watermarks(blank, rng=4, intensity=0.6, scale=2)
    assert set(np.unique(marked)) == {0.0, 0.6}
    counts = {int(glyph.sum()) * 4 for glyph in WATERMARK_GLYPHS.values()}
    assert set(np.count_nonzero(marked, axis=1)) <= counts
    assert len(set(np.count_nonzero(marked, axis=1))) > 2, "several glyphs are drawn"
    rows, cols = np.nonzero(marked.reshape(200, 28, 28).any(axis=0))
    assert rows.min() == 0 and rows.max() == 27 and cols.min() == 0 and cols.max() == 27, "positions vary over the image"
    stamped = stamp_watermarks(X, rng=4)
    assert np.all(stamped >= X) and np.all(stamped <= 1)
    np.testing.assert_array_equal(stamped, stamp_watermarks(X, rng=4))


def test_a_tint_colours_the_ink_only(X):
    colours, which = tint_digits(X, rng=5)
    assert colours.shape == (50, 28, 28, 3) and colours.dtype == np.float32 and which.shape == (50,)
    np.testing.assert_allclose(colours, X.reshape(50, 28, 28, 1) * PALETTE[which][:, None, None, :], rtol=1e-6)
    assert set(which) == set(range(len(PALETTE)))
    colours_again, _ = tint_digits(X, rng=5)
    np.testing.assert_array_equal(colours, colours_again)


@pytest.mark.parametrize("call, message", [
    (lambda X: gaussian_noise(X, -0.1, rng=0), "sigma"),
    (lambda X: gaussian_noise(X, 0.5, rng=None), "rng"),
    (lambda X: gaussian_noise(X * 2, 0.5, rng=0), r"pixel values in \[0, 1\]"),
    (lambda X: masking_noise(X, 1.5, rng=0), "probability"),
    (lambda X: masking_noise(X[0], 0.5, rng=0), "2-D"),
    (lambda X: stamp_watermarks(X[:, :100], rng=0), "28x28"),
    (lambda X: stamp_watermarks(X, rng=0, scale=6), "does not fit"),
    (lambda X: tint_digits(X, rng=0, palette=[[1.0, 0.0]]), "RGB rows"),
])
def test_bad_input_is_refused(X, call, message):
    with pytest.raises(ValueError, match=message):
        call(X)
