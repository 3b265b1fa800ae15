"""nnlib.torch.autoencoders: shapes, parameter counts, seeding, training, the linear AE's subspace."""
import numpy as np
import pytest
import torch

from nnlib.corrupt import gaussian_noise
from nnlib.pca import PCA, subspace_angles
from nnlib.torch.autoencoders import (Autoencoder, conv_autoencoder, fc_autoencoder, reconstruction_errors,
                                      train_autoencoder)
from nnlib.torch.train import predict


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


@pytest.fixture
def digits():
    """60 blurry stroke images (60, 784) in [0, 1]: a few patterns with random weights."""
    rng = np.random.default_rng(0)
    patterns = rng.random((4, 784)) ** 6
    return np.clip(rng.random((60, 4)) @ patterns, 0, 1).astype(np.float32)


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def test_fc_shapes_and_parameter_counts():
    model = fc_autoencoder(8, hidden=32)
    assert isinstance(model, Autoencoder)
    x = torch.rand(5, 784)
    assert model.encoder(x).shape == (5, 8) and model(x).shape == (5, 784)
    assert n_params(model.encoder) == 784 * 32 + 32 + 32 * 8 + 8
    assert n_params(model.decoder) == 8 * 32 + 32 + 32 * 784 + 784
    out = model(x)
    assert out.min() > 0 and out.max() < 1, "a sigmoid at the end"
    linear = fc_autoencoder(3, linear=True, n_in=10)
    assert n_params(linear) == 10 * 3 + 3 + 3 * 10 + 10
    zero, one, two = (linear(v * torch.ones(1, 10)) for v in (0.0, 1.0, 2.0))
    torch.testing.assert_close(two - one, one - zero, msg="linear: an affine map, no activation")
    assert fc_autoencoder(4, n_out=3 * 784)(x).shape == (5, 3 * 784)


def test_conv_shapes():
    x = torch.rand(3, 784)
    maps = conv_autoencoder(channels=(4, 6))
    assert maps.encoder(x).shape == (3, 6 * 49) and maps(x).shape == (3, 784)
    squeezed = conv_autoencoder(16, channels=(4, 6))
    assert squeezed.encoder(x).shape == (3, 16) and squeezed(x).shape == (3, 784)
    assert n_params(squeezed.encoder) == (9 * 4 + 4) + (4 * 9 * 6 + 6) + (6 * 49 * 16 + 16)


def test_the_seed_alone_fixes_the_weights_and_the_global_state_is_untouched():
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    first, second, other = fc_autoencoder(4, seed=1), fc_autoencoder(4, seed=1), fc_autoencoder(4, seed=2)
    assert torch.equal(torch.rand(1), expected_next)
    for a, b in zip(first.parameters(), second.parameters()):
        assert torch.equal(a, b)
    assert not torch.equal(first.encoder[0].weight, other.encoder[0].weight)


def test_training_lowers_the_error_and_is_seeded(digits):
    before = reconstruction_errors(fc_autoencoder(4, hidden=32), digits).mean()
    model = fc_autoencoder(4, hidden=32)
    losses = train_autoencoder(model, digits, epochs=30, batch_size=16, rng=0)
    assert len(losses) == 30 and losses[-1] < 0.5 * losses[0]
    assert reconstruction_errors(model, digits).mean() < 0.5 * before
    again = fc_autoencoder(4, hidden=32)
    assert train_autoencoder(again, digits, epochs=30, batch_size=16, rng=0) == losses


def test_a_denoising_run_sees_fresh_noise_and_the_clean_target(digits):
    seen = []

    def corrupt(X, rng):
        noisy = gaussian_noise(X, 0.3, rng)
        seen.append(noisy)
        return noisy

    model = fc_autoencoder(4, hidden=32)
    train_autoencoder(model, digits, epochs=3, batch_size=20, rng=0, corrupt=corrupt)
    assert len(seen) == 3 and not np.array_equal(seen[0], seen[1])
    # the clean target: a model trained to copy the noisy inputs would be no better on the clean images
    errors = reconstruction_errors(model, seen[-1], digits)
    assert errors.shape == (60,)
    np.testing.assert_allclose(errors, np.mean((predict(model, seen[-1]) - digits) ** 2, axis=1), rtol=1e-6)


def test_a_linear_autoencoder_finds_the_pca_subspace():
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(300, 3)) * [3.0, 2.0, 1.5]) @ np.linalg.qr(rng.normal(size=(12, 3)))[0].T
    X = (X + 0.05 * rng.normal(size=X.shape)).astype(np.float32)
    model = fc_autoencoder(3, linear=True, n_in=12, seed=0)
    train_autoencoder(model, X, epochs=150, batch_size=50, rng=0, lr=0.01)
    decoder_columns = model.decoder.weight.detach().numpy().astype(np.float64)      # (12, 3)
    angles = subspace_angles(decoder_columns, PCA.fit(X).components[:3].T)
    assert angles.max() < 2.0, angles
    np.testing.assert_allclose(reconstruction_errors(model, X).mean(),
                               np.mean((PCA.fit(X).reconstruct(X, 3) - X) ** 2), rtol=0.1)


@pytest.mark.parametrize("call, message", [
    (lambda: fc_autoencoder(0), "code_size"),
    (lambda: fc_autoencoder(2.5), "code_size"),
    (lambda: conv_autoencoder(channels=(4, 0)), "channels"),
    (lambda: fc_autoencoder(2, seed=-1), "seed"),
    (lambda: train_autoencoder(fc_autoencoder(2, n_in=4), np.zeros((3, 4)), epochs=0, rng=0), "epochs"),
    (lambda: train_autoencoder(fc_autoencoder(2, n_in=4), np.zeros((3, 4)), epochs=1, rng=None), "rng"),
    (lambda: train_autoencoder(fc_autoencoder(2, n_in=4), np.zeros((3, 4)), target=np.zeros((2, 4)), epochs=1, rng=0),
     "one target per input"),
    (lambda: train_autoencoder(fc_autoencoder(2, n_in=4), np.zeros((3, 4)), corrupt=0.5, epochs=1, rng=0), "corrupt"),
    (lambda: reconstruction_errors(fc_autoencoder(2, n_in=4), np.zeros((3, 4)), np.zeros((3, 5))), "shape"),
])
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
