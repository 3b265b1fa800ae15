"""nnlib.plots: each function returns a Figure whose contents we can check."""
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from nnlib.plots import (confusion_matrix, plot_confusion_matrix, plot_decision_boundary, plot_history,
                         plot_image_grid, plot_image_rows, plot_roc, plot_weight_grid)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def two_class_points():
    X = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    return X, np.array([0, 0, 1, 1])


def filled_regions(ax):
    """The ContourSet objects (filled contours) drawn in ``ax``."""
    return [c for c in ax.collections if hasattr(c, "levels")]


# ---------------------------------------------------------------- decision boundary

def test_decision_boundary_from_labels(two_class_points):
    X, y = two_class_points
    calls = []

    def predict(points):
        calls.append(points.shape)
        return (points[:, 0] > 0).astype(int)

    fig = plot_decision_boundary(predict, X, y, resolution=30)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    assert calls == [(900, 2)]
    ax = fig.axes[0]
    # The grid covers the data with a margin on every side.
    assert ax.get_xlim()[0] < -1 and ax.get_xlim()[1] > 1 and ax.get_ylim()[0] < -1 and ax.get_ylim()[1] > 1
    assert len(filled_regions(ax)) == 1
    scatter = [c for c in ax.collections if c.get_offsets().shape == (4, 2)]
    np.testing.assert_array_equal(scatter[0].get_offsets(), X)
    # Points of different classes get different colours.
    colours = scatter[0].get_facecolors()
    assert np.allclose(colours[0], colours[1]) and not np.allclose(colours[0], colours[2])


def test_decision_boundary_from_probabilities_draws_the_half_contour(two_class_points):
    X, y = two_class_points
    fig = plot_decision_boundary(lambda p: 1 / (1 + np.exp(-3 * p[:, 0])), X, y, resolution=25)
    main, colourbar = fig.axes
    assert colourbar.get_ylabel() == "P(class 1)"
    levels = [list(c.levels) for c in filled_regions(main)]
    assert [0.5] in levels  # the boundary line


def test_decision_boundary_from_class_scores_into_a_given_axes():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    y = np.array([0, 1, 2])
    fig, (left, right) = plt.subplots(1, 2)
    centres = X.copy()

    def scores(points):  # (m, 3): minus the squared distance to each class centre
        return -((points[:, None, :] - centres[None]) ** 2).sum(axis=2)

    assert plot_decision_boundary(scores, X, y, ax=right, resolution=20) is fig
    assert len(filled_regions(right)) == 1 and not right.get_legend() and len(left.collections) == 0


def test_decision_boundary_bad_input(two_class_points):
    X, y = two_class_points
    with pytest.raises(ValueError, match=r"X: expected points with 2 coordinates, shape \(n, 2\), got shape \(4, 3\)"):
        plot_decision_boundary(lambda p: p[:, 0] > 0, np.zeros((4, 3)), y)
    with pytest.raises(ValueError, match="same number of rows, got 4 and 3"):
        plot_decision_boundary(lambda p: p[:, 0] > 0, X, y[:3])
    with pytest.raises(ValueError, match=r"predict: expected an output of shape \(400,\) or \(400, k\)"):
        plot_decision_boundary(lambda p: np.zeros(3), X, y, resolution=20)
    with pytest.raises(ValueError, match="expected labels or probabilities in \\[0, 1\\]"):
        plot_decision_boundary(lambda p: 2 * p[:, 0] + 0.5, X, y, resolution=20)
    with pytest.raises(ValueError, match="resolution: expected an int >= 2"):
        plot_decision_boundary(lambda p: p[:, 0] > 0, X, y, resolution=1)
    with pytest.raises(ValueError, match="predict: expected a function"):
        plot_decision_boundary(None, X, y)
    with pytest.raises(ValueError, match="X: expected finite numbers"):
        plot_decision_boundary(lambda p: p[:, 0] > 0, np.full((4, 2), np.nan), y)


# ---------------------------------------------------------------- history

def history(epochs=3, with_validation=True):
    train_loss = list(np.linspace(1.0, 0.2, epochs))
    return SimpleNamespace(
        train_loss=train_loss, train_accuracy=list(np.linspace(0.5, 0.9, epochs)),
        val_loss=list(np.linspace(1.1, 0.3, epochs)) if with_validation else [],
        val_accuracy=list(np.linspace(0.45, 0.85, epochs)) if with_validation else [])


def test_plot_history_panels_and_curves():
    h = history(4)
    fig = plot_history(h)
    loss_ax, accuracy_ax = fig.axes
    assert loss_ax.get_title() == "loss" and accuracy_ax.get_title() == "accuracy"
    for ax, names in ((loss_ax, ("train_loss", "val_loss")), (accuracy_ax, ("train_accuracy", "val_accuracy"))):
        assert [line.get_label() for line in ax.get_lines()] == ["training", "validation"]
        for line, name in zip(ax.get_lines(), names):
            np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
            np.testing.assert_allclose(line.get_ydata(), getattr(h, name))


def test_plot_history_marks_the_best_epoch_of_a_network_history():
    from nnlib.network import History

    h = History(**vars(history(6)), best_epoch=4)
    fig = plot_history(h)
    for ax in fig.axes:
        marker = [line for line in ax.get_lines() if line.get_label() == "best epoch (4)"]
        np.testing.assert_array_equal(marker[0].get_xdata(), [4, 4])
    with pytest.raises(ValueError, match="history.best_epoch: expected None or an epoch from 1 to 6, got 7"):
        plot_history(History(**vars(history(6)), best_epoch=7))


def test_plot_history_without_validation():
    fig = plot_history(history(5, with_validation=False))
    assert [len(ax.get_lines()) for ax in fig.axes] == [1, 1]


def test_plot_history_of_a_regression_has_no_accuracy_panel():
    from nnlib.layers import Dense
    from nnlib.network import SGD, Sequential, fit

    X = np.linspace(-1, 1, 20).reshape(-1, 1)
    h = fit(Sequential([Dense(1, 1, 0, dtype=np.float64)]), X, 3 * X, loss="mse", optimizer=SGD(0.1),
            epochs=3, batch_size=5, rng=0, validation=(X, 3 * X))
    assert np.all(np.isnan(h.train_accuracy)), "a regression's history should carry NaN accuracies"
    fig = plot_history(h)
    assert [ax.get_title() for ax in fig.axes] == ["loss"]
    assert [line.get_label() for line in fig.axes[0].get_lines()][:2] == ["training", "validation"]


def test_plot_history_bad_input():
    with pytest.raises(ValueError, match="history: expected an object with a val_loss list"):
        plot_history(SimpleNamespace(train_loss=[1.0], train_accuracy=[0.5], val_accuracy=[]))
    bad = history(3)
    bad.val_loss = bad.val_loss[:2]
    with pytest.raises(ValueError, match="history.val_loss: expected 3 values .* got 2"):
        plot_history(bad)
    with pytest.raises(ValueError, match="history.train_loss: expected at least one epoch"):
        plot_history(history(0, with_validation=False))
    bad = history(2)
    bad.train_loss = [1.0, float("nan")]
    with pytest.raises(ValueError, match="history.train_loss: expected finite numbers"):
        plot_history(bad)


# ---------------------------------------------------------------- image and weight grids

def test_image_grid_titles_and_pixels():
    images = np.arange(5 * 6, dtype=float).reshape(5, 6) / 29
    labels = np.array([3, 1, 4, 1, 5])
    predicted = np.array([3, 7, 4, 1, 2])
    fig = plot_image_grid(images, labels, predicted, n_cols=3, image_shape=(2, 3))
    assert len(fig.axes) == 5
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["3", "pred 7 / true 1", "4", "1", "pred 2 / true 5"]
    colours = [ax.title.get_color() for ax in fig.axes]
    assert colours == ["black", "red", "black", "black", "red"]
    for ax, image in zip(fig.axes, images):
        np.testing.assert_array_equal(ax.get_images()[0].get_array(), image.reshape(2, 3))
    # All panels share the grey scale of the whole set.
    assert {ax.get_images()[0].get_clim() for ax in fig.axes} == {(0.0, 1.0)}


def test_image_grid_labels_only_predictions_only_and_none():
    images = np.zeros((3, 28, 28))
    assert [ax.get_title() for ax in plot_image_grid(images, labels=[0, 8, 9]).axes] == ["0", "8", "9"]
    assert [ax.get_title() for ax in plot_image_grid(images, predicted=[2, 2, 6]).axes] == ["pred 2", "pred 2",
                                                                                           "pred 6"]
    fig = plot_image_grid(images.reshape(3, 784))
    assert [ax.get_title() for ax in fig.axes] == ["", "", ""]
    assert fig.axes[0].get_images()[0].get_array().shape == (28, 28)


def test_image_grid_bad_input():
    with pytest.raises(ValueError, match=r"images: expected rows of 28x28 = 784 pixels .* got shape \(2, 100\)"):
        plot_image_grid(np.zeros((2, 100)))
    with pytest.raises(ValueError, match="labels: expected one per image, 2, got 3"):
        plot_image_grid(np.zeros((2, 784)), labels=[1, 2, 3])
    with pytest.raises(ValueError, match="n_cols: expected an int >= 1"):
        plot_image_grid(np.zeros((2, 784)), n_cols=0)
    with pytest.raises(ValueError, match="images: expected a 2-D or 3-D array"):
        plot_image_grid(np.zeros(784))


def test_weight_grid_one_symmetric_panel_per_column():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(12, 5))
    W[:, 2] *= 10
    fig = plot_weight_grid(W, image_shape=(3, 4), n_cols=2)
    assert len(fig.axes) == 5
    assert [ax.get_title() for ax in fig.axes] == ["0", "1", "2", "3", "4"]
    for j, ax in enumerate(fig.axes):
        image = ax.get_images()[0]
        np.testing.assert_array_equal(image.get_array(), W[:, j].reshape(3, 4))
        low, high = image.get_clim()
        assert low == -high == -np.abs(W[:, j]).max()
        assert image.get_cmap().name == "RdBu_r"


def test_weight_grid_bad_input():
    with pytest.raises(ValueError, match=r"W: expected 28x28 = 784 rows, one per pixel .* got shape \(10, 784\)"):
        plot_weight_grid(np.zeros((10, 784)))
    with pytest.raises(ValueError, match="W: expected a 2-D array"):
        plot_weight_grid(np.zeros(784))


# ---------------------------------------------------------------- confusion matrix

Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
Y_PRED = np.array([0, 0, 1, 1, 2, 2, 2, 0, 2])
# rows true, columns predicted, counted by hand
EXPECTED = np.array([[2, 1, 0],
                     [0, 1, 1],
                     [1, 0, 3]])


def test_confusion_matrix_by_hand():
    counts = confusion_matrix(Y_TRUE, Y_PRED, 3)
    assert counts.dtype == np.int64
    np.testing.assert_array_equal(counts, EXPECTED)
    np.testing.assert_array_equal(confusion_matrix(Y_TRUE, Y_PRED, 4)[3], [0, 0, 0, 0])


def test_plot_confusion_matrix_writes_the_counts():
    fig = plot_confusion_matrix(Y_TRUE, Y_PRED)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), EXPECTED)
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert cells == {(i, j): str(EXPECTED[i, j]) for i in range(3) for j in range(3)}
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    assert ax.get_title() == "accuracy 66.7 % (6 of 9)"
    assert len(plot_confusion_matrix(Y_TRUE, Y_PRED, n_classes=10).axes[0].texts) == 100


def test_confusion_matrix_bad_input():
    with pytest.raises(ValueError, match="y_true and y_pred: expected the same shape"):
        confusion_matrix(Y_TRUE, Y_PRED[:-1], 3)
    with pytest.raises(ValueError, match=r"y_true: expected labels in \[0, 2\), got values from 0 to 2"):
        confusion_matrix(Y_TRUE, Y_PRED, 2)
    with pytest.raises(ValueError, match="n_classes: expected an int >= 1"):
        confusion_matrix(Y_TRUE, Y_PRED, 0)
    with pytest.raises(ValueError, match="y_true: expected whole-number class labels"):
        plot_confusion_matrix(Y_TRUE + 0.5, Y_PRED)


def test_image_rows_show_grey_and_colour_rows_side_by_side():
    grey = np.random.default_rng(0).random((4, 784))
    colour = np.random.default_rng(1).random((4, 28, 28, 3))
    fig = plot_image_rows({"input": grey, "colour": colour})
    assert len(fig.axes) == 8
    np.testing.assert_allclose(fig.axes[1].get_images()[0].get_array(), grey[1].reshape(28, 28))
    np.testing.assert_allclose(fig.axes[4].get_images()[0].get_array(), colour[0])
    assert fig.axes[4].get_ylabel() == "colour"
    with pytest.raises(ValueError, match="same number of images"):
        plot_image_rows({"a": grey, "b": grey[:3]})
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_image_rows([grey])
    plt.close("all")


def test_roc_plot_labels_each_curve_with_its_auc():
    fig = plot_roc({"separable": ([0.1, 0.2], [0.5, 0.6]), "mixed": ([0.1, 0.5], [0.2, 0.6])})
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels == ["separable (AUC 1.00)", "mixed (AUC 0.75)", "guessing (AUC 0.50)"]
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_roc({})
    plt.close("all")
