"""nnlib.torch.train: seeded batches, one epoch, evaluation and fit for PyTorch models."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlib.data import make_blobs
from nnlib.layers import Activation, Dense
from nnlib.network import SGD, Sequential
from nnlib.network import fit as nnlib_fit
from nnlib.torch.train import batches, evaluate, fit, predict, train_epoch


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


@pytest.fixture
def blobs():
    X, y = make_blobs(n=60, rng=0)
    return X.astype(np.float32), y


def small_net(n_in=2, n_out=3, seed=0, dtype=torch.float32):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(n_in, 8), torch.nn.ReLU(), torch.nn.Linear(8, n_out)).to(dtype)


# ---------------------------------------------------------------- batches

def test_batches_cover_every_example_once_in_the_order_of_the_permutation():
    X = np.arange(14, dtype=np.float32).reshape(7, 2)
    y = np.array([0, 1, 2, 0, 1, 2, 0])
    got = list(batches(X, y, batch_size=3, rng=5))
    assert [len(xb) for xb, _ in got] == [3, 3, 1]
    order = np.random.default_rng(5).permutation(7)
    np.testing.assert_array_equal(torch.cat([xb for xb, _ in got]).numpy(), X[order])
    np.testing.assert_array_equal(torch.cat([yb for _, yb in got]).numpy(), y[order])
    assert got[0][0].dtype == torch.float32 and got[0][1].dtype == torch.int64


def test_batches_without_shuffle_keep_the_order_and_float_targets_keep_their_shape():
    X = np.random.default_rng(0).random((5, 1, 2, 2))        # images (n, channels, h, w)
    xb, yb = next(batches(X, X, batch_size=5, shuffle=False, dtype=torch.float64))
    assert xb.dtype == yb.dtype == torch.float64 and yb.shape == (5, 1, 2, 2)
    np.testing.assert_array_equal(xb.numpy(), X)


def test_a_generator_draws_a_new_order_every_epoch():
    X, y = np.zeros((20, 1)), np.arange(20)
    generator = np.random.default_rng(0)
    first = torch.cat([yb for _, yb in batches(X, y, 20, generator)])
    second = torch.cat([yb for _, yb in batches(X, y, 20, generator)])
    assert not torch.equal(first, second)
    assert sorted(first.tolist()) == sorted(second.tolist()) == list(range(20))


def test_batches_bad_input():
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="rng: expected a seed"):
        list(batches(X, y, 2))
    with pytest.raises(ValueError, match="batch_size: expected an int >= 1, got 0"):
        list(batches(X, y, 0, rng=0))
    with pytest.raises(ValueError, match="y: expected 4 targets, one per row of X, got 3"):
        list(batches(X, y[:3], 2, rng=0))
    with pytest.raises(ValueError, match="X: expected finite numbers"):
        list(batches(np.full((4, 2), np.nan), y, 2, rng=0))
    with pytest.raises(ValueError, match=r"X: expected an array \(n, ...\) with one example per row, got shape \(4,\)"):
        list(batches(np.zeros(4), y, 2, rng=0))
    with pytest.raises(ValueError, match="y: expected labels in non-negative"):
        list(batches(X, np.array([0, -1, 0, 1]), 2, rng=0))


# ---------------------------------------------------------------- train_epoch

def test_train_epoch_returns_the_size_weighted_mean_of_the_batch_losses(blobs):
    X, y = blobs
    model, twin = small_net(), small_net()
    loss = train_epoch(model, (X, y), torch.optim.SGD(model.parameters(), lr=0.1), F.cross_entropy,
                       batch_size=25, rng=3)
    # The same epoch by hand: 25 + 25 + 10 examples.
    optimizer = torch.optim.SGD(twin.parameters(), lr=0.1)
    expected = 0.0
    for xb, yb in batches(X, y, 25, rng=3):
        optimizer.zero_grad()
        batch_loss = F.cross_entropy(twin(xb), yb)
        batch_loss.backward()
        optimizer.step()
        expected += batch_loss.item() * len(xb) / len(X)
    assert loss == pytest.approx(expected, rel=1e-6)
    for p, q in zip(model.parameters(), twin.parameters()):
        torch.testing.assert_close(p, q)


def test_train_epoch_accepts_an_iterable_of_batches_and_lowers_the_loss(blobs):
    X, y = blobs
    model = small_net()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.as_tensor(X), torch.as_tensor(y)),
                                         batch_size=10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = [train_epoch(model, loader, optimizer, F.cross_entropy) for _ in range(15)]
    assert losses[-1] < 0.3 * losses[0]


def test_train_epoch_bad_input(blobs):
    X, y = blobs
    model = small_net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="batch_size: expected an int >= 1 to cut"):
        train_epoch(model, (X, y), optimizer, F.cross_entropy, rng=0)
    with pytest.raises(ValueError, match="got a tuple of 3"):
        train_epoch(model, (X, y, y), optimizer, F.cross_entropy, batch_size=10, rng=0)
    with pytest.raises(ValueError, match="data: expected at least one batch, got none"):
        train_epoch(model, [], optimizer, F.cross_entropy)
    with pytest.raises(ValueError, match="model: expected a torch.nn.Module, got Sequential"):
        train_epoch(Sequential([Dense(2, 3, 0)]), (X, y), optimizer, F.cross_entropy, batch_size=10, rng=0)


# ---------------------------------------------------------------- predict and evaluate

def test_evaluate_gives_the_loss_and_the_fraction_of_correct_argmaxes(blobs):
    X, y = blobs
    model = small_net()
    loss, accuracy = evaluate(model, X, y, F.cross_entropy, batch_size=7)
    with torch.no_grad():
        logits = model(torch.as_tensor(X))
    assert loss == pytest.approx(F.cross_entropy(logits, torch.as_tensor(y)).item(), rel=1e-6)
    assert accuracy == pytest.approx(np.mean(logits.numpy().argmax(axis=1) == y))
    assert np.isnan(evaluate(model, X, np.zeros((len(X), 3), np.float32), F.mse_loss)[1])


def test_predict_switches_dropout_off_and_restores_the_mode():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 50), torch.nn.Dropout(0.5), torch.nn.Linear(50, 2))
    X = np.random.default_rng(0).random((6, 4))
    first, second = predict(model, X), predict(model, X)
    assert first.shape == (6, 2) and first.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(predict(model, X, batch_size=4), first, rtol=1e-5, atol=1e-6)
    assert model.training
    model.eval()
    predict(model, X)
    assert not model.training


# ---------------------------------------------------------------- fit

def test_fit_records_a_history_and_is_reproducible(blobs):
    X, y = blobs
    runs = []
    for _ in range(2):
        model = small_net(seed=1)
        history = fit(model, X[:40], y[:40], optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                      loss_fn=F.cross_entropy, epochs=8, batch_size=8, rng=2, validation=(X[40:], y[40:]))
        runs.append(history)
    first, second = runs
    assert first.epochs == 8 and len(first.val_loss) == len(first.val_accuracy) == 8
    assert first.train_loss == second.train_loss and first.val_loss == second.val_loss
    assert first.best_epoch == int(np.argmin(first.val_loss)) + 1
    assert first.train_accuracy[-1] > 0.9
    without_validation = fit(small_net(), X, y, optimizer=torch.optim.SGD(small_net().parameters(), lr=0.1),
                             loss_fn=F.cross_entropy, epochs=1, batch_size=8, rng=0)
    assert without_validation.val_loss == [] and without_validation.best_epoch is None


def test_fit_follows_nnlib_fit_step_by_step(blobs):
    """The same network, weights, batches and SGD with momentum in NumPy and in PyTorch:
    the losses after every epoch agree to rounding (float64)."""
    X, y = blobs
    X = X.astype(np.float64)
    numpy_net = Sequential([Dense(2, 8, 0, dtype=np.float64), Activation("relu"), Dense(8, 3, 1, dtype=np.float64)])
    torch_net = small_net(dtype=torch.float64)
    with torch.no_grad():
        for linear, index in ((torch_net[0], 0), (torch_net[2], 2)):
            linear.weight.copy_(torch.as_tensor(numpy_net.params[f"{index}.W"].T))   # torch stores W^T
            linear.bias.copy_(torch.as_tensor(numpy_net.params[f"{index}.b"]))
    expected = nnlib_fit(numpy_net, X, y, optimizer=SGD(0.05, momentum=0.9), epochs=4, batch_size=16, rng=7,
                         progress=False)
    got = fit(torch_net, X, y, optimizer=torch.optim.SGD(torch_net.parameters(), lr=0.05, momentum=0.9),
              loss_fn=F.cross_entropy, epochs=4, batch_size=16, rng=7, progress=False)
    np.testing.assert_allclose(got.train_loss, expected.train_loss, rtol=1e-10)
    np.testing.assert_allclose(got.train_accuracy, expected.train_accuracy)


def test_fit_bad_input(blobs):
    X, y = blobs
    model = small_net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="epochs: expected an int >= 1, got 0"):
        fit(model, X, y, optimizer=optimizer, loss_fn=F.cross_entropy, epochs=0, batch_size=8, rng=0)
    with pytest.raises(ValueError, match="validation: expected a pair"):
        fit(model, X, y, optimizer=optimizer, loss_fn=F.cross_entropy, epochs=1, batch_size=8, rng=0,
            validation=X)
    with pytest.raises(ValueError, match="rng: expected an int seed"):
        fit(model, X, y, optimizer=optimizer, loss_fn=F.cross_entropy, epochs=1, batch_size=8, rng=None)


def test_fit_augments_every_epoch_and_steps_the_scheduler(blobs):
    X, y = blobs
    seen = []

    def augment(X_epoch, rng):
        noisy = X_epoch + rng.normal(scale=0.01, size=X_epoch.shape).astype(np.float32)
        seen.append(noisy)
        return noisy

    model = small_net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = fit(model, X, y, optimizer=optimizer, loss_fn=F.cross_entropy, epochs=3, batch_size=8, rng=0,
                  augment=augment, scheduler=scheduler)
    assert len(seen) == 3 and not np.array_equal(seen[0], seen[1])
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5 ** 3)
    # the figures are measured on the data as given, not on the last epoch's augmented copy
    assert history.train_loss[-1] == pytest.approx(evaluate(model, X, y, F.cross_entropy)[0])
    with pytest.raises(ValueError, match="augment: expected a function"):
        fit(model, X, y, optimizer=optimizer, loss_fn=F.cross_entropy, epochs=1, batch_size=8, rng=0, augment=3)
    with pytest.raises(ValueError, match="scheduler: expected a learning-rate scheduler"):
        fit(model, X, y, optimizer=optimizer, loss_fn=F.cross_entropy, epochs=1, batch_size=8, rng=0,
            scheduler="cosine")
