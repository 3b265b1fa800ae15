"""Sequential, SGD, History, EarlyStopping, fit, evaluate, accuracy."""
import re
import warnings

import numpy as np
import pytest
import torch

from nnlib.gradcheck import check_layer
from nnlib.layers import Activation, Dense, Dropout, Softmax
from nnlib.losses import one_hot, softmax_cross_entropy, softmax_cross_entropy_grad
from nnlib.network import SGD, EarlyStopping, History, Sequential, accuracy, evaluate, fit

torch.set_num_threads(1)


def mlp(n_in=4, n_hidden=8, n_out=3, seed=0, dtype=np.float32, activation="tanh"):
    return Sequential([Dense(n_in, n_hidden, seed, dtype=dtype), Activation(activation),
                       Dense(n_hidden, n_out, seed + 1, dtype=dtype)])


def blobs(n=120, seed=0):
    """Three well separated Gaussian blobs in 4-D: X (n, 4), labels (n,)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]], dtype=float)
    return centres[y] + 0.4 * rng.standard_normal((n, 4)), y


# ---------------------------------------------------------------- Sequential


def test_whole_network_passes_the_gradient_check():
    model = Sequential([Dense(5, 7, 0, dtype=np.float64), Activation("sigmoid"),
                        Dense(7, 6, 1, init="xavier", dtype=np.float64), Activation("elu"),
                        Dense(6, 3, 2, init="normal", dtype=np.float64), Softmax()])
    x = np.random.default_rng(3).standard_normal((4, 5))
    errors = check_layer(model, x)
    assert set(errors) == {"x", "0.W", "0.b", "2.W", "2.b", "4.W", "4.b"}
    assert max(errors.values()) < 1e-6, errors


def test_network_with_dropout_in_training_mode_passes_the_gradient_check():
    class FixedMaskDropout(Dropout):
        def _forward(self, x, training):
            self.rng = np.random.default_rng(5)
            return super()._forward(x, training)

    model = Sequential([Dense(4, 10, 0, dtype=np.float64), Activation("tanh"), FixedMaskDropout(0.5, 0),
                        Dense(10, 2, 1, dtype=np.float64)])
    errors = check_layer(model, np.random.default_rng(6).standard_normal((3, 4)), training=True)
    assert max(errors.values()) < 1e-6, errors


def test_two_layer_network_matches_torch_end_to_end():
    model = mlp(n_in=5, n_hidden=6, n_out=3, dtype=np.float64, activation="sigmoid")
    x = np.random.default_rng(7).standard_normal((8, 5))
    labels = np.random.default_rng(8).integers(0, 3, 8)
    net = torch.nn.Sequential(torch.nn.Linear(5, 6), torch.nn.Sigmoid(), torch.nn.Linear(6, 3)).double()
    with torch.no_grad():
        for linear, i in ((net[0], 0), (net[2], 2)):
            linear.weight.copy_(torch.from_numpy(model.params[f"{i}.W"].T))
            linear.bias.copy_(torch.from_numpy(model.params[f"{i}.b"]))
    x_t = torch.tensor(x, requires_grad=True)
    loss_t = torch.nn.functional.cross_entropy(net(x_t), torch.from_numpy(labels))
    loss_t.backward()

    logits = model.forward(x)
    grad_x = model.backward(softmax_cross_entropy_grad(logits, labels))
    assert softmax_cross_entropy(logits, labels) == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(grad_x, x_t.grad.numpy(), rtol=1e-10, atol=1e-15)
    for linear, i in ((net[0], 0), (net[2], 2)):
        np.testing.assert_allclose(model.grads[f"{i}.W"], linear.weight.grad.numpy().T, rtol=1e-10)
        np.testing.assert_allclose(model.grads[f"{i}.b"], linear.bias.grad.numpy(), rtol=1e-10)


def test_params_are_the_layers_own_arrays():
    model = mlp()
    assert model.params["0.W"] is model.layers[0].params["W"]
    assert model.grads["2.b"] is model.layers[2].grads["b"]
    assert model.n_params == 4 * 8 + 8 + 8 * 3 + 3


def test_get_weights_copies_and_set_weights_copies_back():
    model = mlp()
    weights = model.get_weights()
    weights["0.W"][...] = 0  # changing the copy leaves the model alone
    assert np.any(model.params["0.W"] != 0)
    other = mlp(seed=10)
    other.set_weights(model.get_weights())
    x = np.ones((2, 4))
    np.testing.assert_array_equal(other.predict(x), model.predict(x))
    assert other.params["0.W"] is other.layers[0].params["W"]  # copied in place


def test_set_weights_refuses_wrong_keys_and_shapes():
    model = mlp()
    with pytest.raises(ValueError, match=r"expected a dict with keys \['0.W', '0.b', '2.W', '2.b'\]"):
        model.set_weights({"0.W": model.params["0.W"]})
    weights = model.get_weights()
    weights["2.W"] = np.zeros((3, 8))
    with pytest.raises(ValueError, match=r"expected 2.W of shape \(8, 3\), got \(3, 8\)"):
        model.set_weights(weights)


def test_predict_is_deterministic_even_with_dropout():
    model = Sequential([Dense(4, 8, 0), Activation("relu"), Dropout(0.5, 1), Dense(8, 2, 2)])
    x = np.random.default_rng(0).random((5, 4))
    np.testing.assert_array_equal(model.predict(x), model.predict(x))
    assert not np.array_equal(model.forward(x, training=True), model.predict(x))


def test_sequential_checks_its_layers():
    with pytest.raises(ValueError, match="expected a non-empty list of layers"):
        Sequential([])
    with pytest.raises(ValueError, match=r"expected layers\[1\] to be a Layer, got function"):
        Sequential([Dense(2, 2, 0), lambda x: x])
    with pytest.raises(ValueError, match=r"layers\[2\] Dense\(30 -> 10\) expects 30 features, but layers\[0\] gives 100"):
        Sequential([Dense(784, 100, 0), Activation("relu"), Dense(30, 10, 1)])


def test_network_input_is_checked_against_the_first_layer():
    with pytest.raises(ValueError, match=r"Dense\(4 -> 8\): expected x of shape \(n, 4\), got \(n, 5\)"):
        mlp().predict(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="expected finite numbers"):
        mlp().forward(np.full((3, 4), np.nan))


# ---------------------------------------------------------------- SGD


def tiny_layer():
    """Dense(2 -> 1) with W = [[1], [-2]], b = [0.3] and gradients 0.5 (W) and 0.2 (b)."""
    layer = Dense(2, 1, rng=0, dtype=np.float64)
    layer.params["W"][...] = [[1.0], [-2.0]]
    layer.params["b"][...] = [0.3]
    layer.grads["W"][...] = 0.5
    layer.grads["b"][...] = 0.2
    return layer


def test_plain_sgd_step():
    layer = tiny_layer()
    SGD(lr=0.1).step(layer)
    np.testing.assert_allclose(layer.params["W"].ravel(), [0.95, -2.05])
    np.testing.assert_allclose(layer.params["b"], [0.28])


def test_weight_decay_shrinks_weights_but_not_biases():
    layer = tiny_layer()
    layer.grads["W"][...] = 0
    layer.grads["b"][...] = 0
    SGD(lr=0.1, weight_decay=0.5).step(layer)
    np.testing.assert_allclose(layer.params["W"].ravel(), [0.95, -1.9])  # w (1 - lr * decay)
    np.testing.assert_allclose(layer.params["b"], [0.3])


def test_momentum_and_weight_decay_by_hand():
    layer = tiny_layer()
    optimizer = SGD(lr=0.1, momentum=0.9, weight_decay=0.1)
    optimizer.step(layer)
    # g_W = 0.5 + 0.1 * [1, -2] = [0.6, 0.3]; v = -0.1 g = [-0.06, -0.03]; W = [0.94, -2.03]
    # g_b = 0.2 (no decay); v = -0.02; b = 0.28
    np.testing.assert_allclose(layer.params["W"].ravel(), [0.94, -2.03])
    np.testing.assert_allclose(layer.params["b"], [0.28])
    optimizer.step(layer)  # the same gradients again
    # g_W = 0.5 + 0.1 * [0.94, -2.03] = [0.594, 0.297]; v = 0.9 [-0.06, -0.03] - 0.1 g = [-0.1134, -0.0567]
    # v_b = 0.9 (-0.02) - 0.02 = -0.038
    np.testing.assert_allclose(layer.params["W"].ravel(), [0.8266, -2.0867])
    np.testing.assert_allclose(layer.params["b"], [0.242])


def test_weight_decay_finds_weights_inside_a_network():
    model = mlp()
    for g in model.grads.values():
        g[...] = 0
    before = model.get_weights()
    SGD(lr=0.1, weight_decay=1.0).step(model)
    np.testing.assert_allclose(model.params["2.W"], 0.9 * before["2.W"], rtol=1e-6)
    np.testing.assert_array_equal(model.params["2.b"], before["2.b"])


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=0), "expected lr > 0, got 0"),
    (dict(lr=0.1, momentum=1.0), r"expected momentum in \[0, 1\), got 1.0"),
    (dict(lr=0.1, weight_decay=-1e-4), "expected weight_decay >= 0"),
    (dict(lr="0.1"), "expected lr > 0, got '0.1'"),
    (dict(lr=np.nan), "expected lr > 0, got nan"),
])
def test_sgd_refuses_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SGD(**kwargs)


# ---------------------------------------------------------------- EarlyStopping


def test_early_stopping_on_a_crafted_validation_curve():
    model = mlp()
    stopper = EarlyStopping(patience=3)
    curve = [1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.71, 0.5]
    for epoch, val_loss in enumerate(curve, start=1):
        for p in model.params.values():
            p[...] = epoch  # mark the weights with the epoch they belong to
        if stopper.update(model, epoch, val_loss):
            break
    assert epoch == 7  # epochs 5, 6 and 7 did not improve on epoch 4's 0.7
    assert stopper.best_epoch == 4 and stopper.best_loss == 0.7
    stopper.restore(model)
    for p in model.params.values():
        np.testing.assert_array_equal(p, 4)


def test_min_delta_ignores_tiny_improvements():
    stopper = EarlyStopping(patience=2, min_delta=0.05)
    model = mlp()
    assert not stopper.update(model, 1, 1.0)
    assert not stopper.update(model, 2, 0.97)  # better, but by less than min_delta
    assert stopper.update(model, 3, 0.96)
    assert stopper.best_epoch == 1


def test_fit_stops_early_and_restores_the_best_weights():
    X, y = blobs()
    X_val, y_val = X[:40], (y[:40] + 1) % 3  # wrong labels: the validation loss rises as training proceeds
    model = mlp()
    history = fit(model, X, y, optimizer=SGD(0.1), epochs=50, batch_size=16, rng=0,
                  validation=(X_val, y_val), early_stopping=EarlyStopping(patience=2))
    assert history.best_epoch == 1 and history.stopped_epoch == 3
    assert len(history.train_loss) == len(history.val_loss) == 3
    assert history.val_loss[1] > history.val_loss[0] and history.val_loss[2] > history.val_loss[0]
    one_epoch = mlp()
    fit(one_epoch, X, y, optimizer=SGD(0.1), epochs=1, batch_size=16, rng=0)
    for name, p in model.params.items():
        np.testing.assert_array_equal(p, one_epoch.params[name])


def test_early_stopping_refuses_bad_settings():
    with pytest.raises(ValueError, match="EarlyStopping patience: expected an int >= 1, got 0"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="EarlyStopping min_delta: expected a finite number >= 0, got -1"):
        EarlyStopping(patience=1, min_delta=-1)


# ---------------------------------------------------------------- fit and evaluate


def test_history_records_an_epoch_and_formats_the_postfix():
    history = History()
    assert history.record((0.5, 0.8)) == {"loss": "0.5000"}
    assert history.record((0.25, 0.9), (0.375, 0.85)) == {"loss": "0.2500", "val_loss": "0.3750"}
    assert (history.train_loss, history.train_accuracy) == ([0.5, 0.25], [0.8, 0.9])
    assert (history.val_loss, history.val_accuracy) == ([0.375], [0.85])
    assert history.epochs == 2


def test_fit_learns_and_records_a_history():
    X, y = blobs()
    X_val, y_val = blobs(60, seed=1)
    model = mlp()
    history = fit(model, X, y, optimizer=SGD(0.1, momentum=0.9), epochs=5, batch_size=16, rng=0,
                  validation=(X_val, y_val))
    assert history.epochs == 5
    assert all(len(values) == 5 for values in (history.train_loss, history.train_accuracy,
                                               history.val_loss, history.val_accuracy))
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_accuracy[-1] > 0.95
    assert history.best_epoch == int(np.argmin(history.val_loss)) + 1 and history.stopped_epoch is None
    assert (history.train_loss[-1], history.train_accuracy[-1]) == pytest.approx(evaluate(model, X, y))
    assert (history.val_loss[-1], history.val_accuracy[-1]) == pytest.approx(evaluate(model, X_val, y_val))


def test_fit_is_deterministic_and_depends_on_the_seed():
    X, y = blobs()

    def train(model_seed, shuffle_seed):
        model = mlp(seed=model_seed)
        fit(model, X, y, optimizer=SGD(0.05, momentum=0.9), epochs=3, batch_size=10, rng=shuffle_seed)
        return model.get_weights()

    first, again = train(0, 0), train(0, 0)
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
    for other in (train(0, 1), train(1, 0)):  # another shuffle, another initialisation
        assert not np.array_equal(first["0.W"], other["0.W"])


def test_fit_with_one_hot_targets_equals_fit_with_labels():
    X, y = blobs()
    a, b = mlp(), mlp()
    fit(a, X, y, optimizer=SGD(0.1), epochs=2, batch_size=16, rng=0)
    fit(b, X, one_hot(y, 3), optimizer=SGD(0.1), epochs=2, batch_size=16, rng=0)
    np.testing.assert_array_equal(a.params["0.W"], b.params["0.W"])


def test_fit_with_a_single_sigmoid_output_and_binary_cross_entropy():
    X, y = blobs()
    y = (y == 0).astype(int)
    model = Sequential([Dense(4, 6, 0), Activation("tanh"), Dense(6, 1, 1), Activation("sigmoid")])
    history = fit(model, X, y, loss="binary_cross_entropy", optimizer=SGD(0.5), epochs=10, batch_size=8, rng=0)
    assert history.train_accuracy[-1] > 0.95
    assert history.train_accuracy[-1] == accuracy(model.predict(X), y)


def test_fit_from_logits_measures_accuracy_on_probabilities():
    X, y = blobs()
    y = (y == 0).astype(int)
    model = Sequential([Dense(4, 1, 0)])
    history = fit(model, X, y, loss="binary_cross_entropy_with_logits", optimizer=SGD(0.5), epochs=5,
                  batch_size=8, rng=0)
    assert history.train_accuracy[-1] == accuracy(1 / (1 + np.exp(-model.predict(X))), y) > 0.95


def test_evaluate_from_logits_thresholds_at_logit_zero():
    model = Sequential([Dense(1, 1, 0, dtype=np.float64)])
    model.params["0.W"][...] = 1.0
    model.params["0.b"][...] = 0.0
    x = np.array([[-0.3], [0.2], [0.4]])  # logits; probabilities 0.43, 0.55, 0.60
    _, acc = evaluate(model, x, np.array([0, 1, 1]), loss="binary_cross_entropy_with_logits")
    assert acc == 1.0


def test_fit_regression_with_mse_has_no_accuracy():
    x = np.linspace(-1, 1, 50)[:, None]
    model = Sequential([Dense(1, 10, 0), Activation("tanh"), Dense(10, 1, 1)])
    history = fit(model, x, np.sin(3 * x[:, 0]), loss="mse", optimizer=SGD(0.1, momentum=0.9),
                  epochs=30, batch_size=10, rng=0)
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert np.isnan(history.train_accuracy[-1])


def test_fit_draws_a_progress_bar_that_can_be_switched_off(capsys):
    X, y = blobs(40)
    fit(mlp(), X, y, optimizer=SGD(0.1), epochs=2, batch_size=16, rng=0, progress=True)
    assert "2/2" in capsys.readouterr().err
    fit(mlp(), X, y, optimizer=SGD(0.1), epochs=2, batch_size=16, rng=0, progress=False)
    assert capsys.readouterr().err == ""


def test_fit_reports_divergence_clearly():
    x = np.random.default_rng(0).random((40, 3)) * 100
    model = Sequential([Dense(3, 1, 0)])
    with warnings.catch_warnings(), pytest.raises(ValueError, match="no longer finite .*smaller learning rate"):
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy warns about the overflow first
        fit(model, x, x.sum(axis=1), loss="mse", optimizer=SGD(1.0), epochs=50, batch_size=4, rng=0)


def good_fit_arguments():
    X, y = blobs(30)
    return dict(model=mlp(), X=X, y=y, optimizer=SGD(0.1), epochs=1, batch_size=8, rng=0)


@pytest.mark.parametrize("change, message", [
    (dict(X=np.zeros((30, 5))), r"Dense\(4 -> 8\): expected x of shape \(n, 4\), got \(n, 5\)"),
    (dict(X=np.zeros(30)), r"X: expected a 2-D array, got shape \(30,\)"),
    (dict(X=np.full((30, 4), "a")), "X: expected a numeric array, got dtype <U1"),
    (dict(X=np.full((30, 4), None)), "X: expected a numeric array, got dtype object"),
    (dict(X=np.full((30, 4), np.nan)), "X: expected finite numbers, got NaN"),
    (dict(X=np.zeros((0, 4)), y=np.zeros(0, dtype=int)), r"X: expected a non-empty array, got shape \(0, 4\)"),
    (dict(y=np.zeros(29, dtype=int)), "y: expected 30 targets, one per row of X, got 29"),
    (dict(y=np.zeros((30, 2))), r"y: expected labels \(n,\) or targets \(n, 3\) matching the network's 3 outputs, got shape \(30, 2\)"),
    (dict(y=np.full(30, "1")), "y: expected numeric labels or targets, got dtype <U1"),
    (dict(y=np.full(30, 3)), r"y: expected labels in \[0, 3\), got values from 3 to 3"),
    (dict(y=np.full((30, 3), np.nan)), "y: expected finite numbers"),
    (dict(epochs=0), "epochs: expected an int >= 1, got 0"),
    (dict(batch_size=2.5), "batch_size: expected an int >= 1, got 2.5"),
    (dict(rng=None), "rng: expected an int seed or a numpy.random.Generator, got None"),
    (dict(optimizer=None), r"optimizer: expected an object with a step\(model\) method"),
    (dict(model="mlp"), "model: expected an nnlib Layer"),
    (dict(loss="l2"), "loss: expected one of"),
    (dict(early_stopping=EarlyStopping(2)), "early_stopping: expected validation data"),
    (dict(validation=np.zeros((5, 4))), r"validation: expected a pair \(X_val, y_val\)"),
    (dict(validation=(np.zeros((5, 4)), np.zeros(4, dtype=int))), "validation y: expected 5 targets, one per row of validation X, got 4"),
])
def test_fit_refuses_bad_input(change, message):
    arguments = {**good_fit_arguments(), **change}
    with pytest.raises(ValueError, match=message):
        fit(arguments.pop("model"), arguments.pop("X"), arguments.pop("y"), **arguments)


def test_evaluate_refuses_bad_input():
    X, y = blobs(10)
    with pytest.raises(ValueError, match=re.escape("y: expected 10 targets, one per row of X, got 9")):
        evaluate(mlp(), X, y[:9])
    with pytest.raises(ValueError, match="X: expected finite numbers"):
        evaluate(mlp(), np.full_like(X, np.nan), y)


def test_evaluate_equals_the_loss_and_accuracy_by_hand():
    X, y = blobs(20)
    model = mlp()
    logits = model.predict(X)
    loss, acc = evaluate(model, X, y)
    assert loss == pytest.approx(softmax_cross_entropy(logits, y))
    assert acc == np.mean(logits.argmax(axis=1) == y)


# ---------------------------------------------------------------- accuracy


def test_accuracy_of_class_scores_takes_the_argmax():
    scores = np.array([[0.1, 0.7, 0.2], [3.0, 1.0, 2.0], [0.0, 0.0, 1.0], [0.5, 0.2, 0.3]])
    assert accuracy(scores, np.array([1, 0, 2, 1])) == 0.75
    assert accuracy(scores, one_hot(np.array([1, 0, 2, 1]), 3)) == 0.75


def test_accuracy_of_one_column_thresholds_probabilities_at_one_half():
    probabilities = np.array([0.2, 0.5, 0.7, 0.49])
    labels = np.array([0, 1, 1, 1])
    assert accuracy(probabilities, labels) == 0.75  # 0.5 counts as class 1; 0.49 as class 0
    assert accuracy(probabilities[:, None], labels[:, None]) == 0.75


@pytest.mark.parametrize("scores, y, message", [
    (np.zeros((4, 3)), np.zeros(5, dtype=int), "y: expected 4 labels, one per row of scores, got 5"),
    (np.zeros((4, 3)), np.zeros((4, 2)), r"y: expected labels \(n,\) or rows \(n, 3\) like scores, got shape \(4, 2\)"),
    (np.zeros((4, 3)), np.full(4, 3), r"y: expected labels in \[0, 3\)"),
    (np.zeros(4), np.array([0, 1, 2, 1]), r"y: expected labels in \[0, 2\)"),
    (np.zeros((2, 2, 2)), np.zeros(2, dtype=int), "scores: expected a 1-D or 2-D array"),
    (np.array([np.nan, 1.0]), np.zeros(2, dtype=int), "scores: expected finite numbers"),
    (np.zeros((0, 3)), np.zeros(0, dtype=int), "scores: expected a non-empty array"),
])
def test_accuracy_refuses_bad_input(scores, y, message):
    with pytest.raises(ValueError, match=message):
        accuracy(scores, y)
