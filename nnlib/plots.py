"""Plots the notebooks share. Each function returns the matplotlib ``Figure`` (and never calls
``plt.show()``), so that tests can inspect it and a notebook displays it as its cell's value.

- ``plot_decision_boundary``: what a classifier predicts over the plane, with the data on top.
- ``plot_history``: loss and accuracy per epoch, training and validation.
- ``plot_image_grid``: images (MNIST digits) with their labels or predictions.
- ``plot_weight_grid``: the columns of a weight matrix seen as images (what a unit looks for).
- ``confusion_matrix`` / ``plot_confusion_matrix``: which digit gets taken for which.
- ``plot_image_rows``: rows of images side by side (inputs, corrupted inputs, reconstructions).
- ``plot_roc``: ROC curves of anomaly scores, with their AUC (``nnlib.metrics``).
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from ._checks import as_float_array, as_int, as_label_array, check_same_shape


def _new_figure(n_rows: int, n_cols: int, panel_size: float, **kwargs):
    return plt.subplots(n_rows, n_cols, figsize=(panel_size * n_cols, panel_size * n_rows),
                        squeeze=False, **kwargs)


def plot_decision_boundary(predict, X, y, ax=None, resolution: int = 200):
    """Colour the plane by what ``predict`` says and scatter the points ``X`` (n, 2) coloured
    by their labels ``y`` (n,).

    ``predict`` maps points (m, 2) to either class labels (m,) (ints), class probabilities
    (m, k) (the most probable class is shown), or the probability of class 1, (m,) or (m, 1)
    floats in [0, 1] (shaded from 0 to 1, with the 0.5 contour drawn as the boundary).
    The grid has ``resolution`` x ``resolution`` points over the data's range plus a margin.
    Draws into ``ax`` if given, else into a new figure; returns the Figure.
    """
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"X: expected points with 2 coordinates, shape (n, 2), got shape {X.shape}")
    y = as_label_array(y, "y")
    if len(y) != len(X):
        raise ValueError(f"X and y: expected the same number of rows, got {len(X)} and {len(y)}")
    resolution = as_int(resolution, "resolution", minimum=2)
    if not callable(predict):
        raise ValueError(f"predict: expected a function from points (m, 2) to predictions, got {predict!r}")

    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-3)
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    out = np.asarray(predict(grid))
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.ndim not in (1, 2) or out.shape[0] != len(grid):
        raise ValueError(f"predict: expected an output of shape ({len(grid)},) or ({len(grid)}, k) "
                         f"for {len(grid)} points, got shape {out.shape}")
    out = as_float_array(out, "predict's output", ndim=(1, 2))

    own_figure = ax is None
    fig = _new_figure(1, 1, 5)[0] if own_figure else ax.figure
    ax = fig.axes[0] if own_figure else ax
    is_probability = out.ndim == 1 and np.any(out != np.round(out))
    if is_probability:
        if out.min() < 0 or out.max() > 1:
            raise ValueError(f"predict: expected labels or probabilities in [0, 1], got values from "
                             f"{out.min():.3g} to {out.max():.3g}")
        surface = out.reshape(grid_x.shape)
        filled = ax.contourf(grid_x, grid_y, surface, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.6)
        ax.contour(grid_x, grid_y, surface, levels=[0.5], colors="black", linewidths=1.5)
        fig.colorbar(filled, ax=ax, label="P(class 1)")
        n_colours = int(y.max()) + 1
    else:
        labels = as_label_array(out.argmax(axis=1) if out.ndim == 2 else out, "predict's labels")
        n_colours = max(int(y.max()), int(labels.max())) + 1
    # Two classes: blue and red as in the probability shading; more: matplotlib's ten colours.
    if n_colours <= 2:
        colours = plt.get_cmap("coolwarm")([0.0, 1.0])
    else:
        colours = plt.get_cmap("tab10")(np.arange(n_colours) % 10)
    if not is_probability:
        ax.contourf(grid_x, grid_y, labels.reshape(grid_x.shape), levels=np.arange(n_colours + 1) - 0.5,
                    colors=colours, alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=colours[y], edgecolors="black", linewidths=0.5, s=20)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if own_figure:
        fig.tight_layout()
    return fig


def plot_history(history):
    """Two panels side by side, loss and accuracy against the epoch (1, 2, ...), each with
    the training curve and, if there is one, the validation curve.

    ``history`` has lists ``train_loss``, ``train_accuracy``, ``val_loss``, ``val_accuracy``
    (one value per epoch; the validation lists may be empty), like ``nnlib.network.History``.
    Accuracy lists that are all NaN (a regression has no accuracy) are left out, and with
    them the accuracy panel. If it has a ``best_epoch`` (counted from 1, as early stopping reports it), a dotted
    vertical line marks that epoch.
    """
    curves = {}
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        if not hasattr(history, name):
            raise ValueError(f"history: expected an object with a {name} list, got {type(history).__name__}")
        values = getattr(history, name)
        if name.endswith("accuracy") and len(values) and np.all(np.isnan(np.asarray(values, dtype=float))):
            values = []
        curves[name] = as_float_array(values, f"history.{name}", ndim=1, allow_empty=True)
    n_epochs = len(curves["train_loss"])
    if n_epochs == 0:
        raise ValueError("history.train_loss: expected at least one epoch, got an empty list")
    for name, values in curves.items():
        if len(values) not in ((n_epochs,) if name == "train_loss" else (0, n_epochs)):
            raise ValueError(f"history.{name}: expected {n_epochs} values (one per epoch of train_loss), "
                             f"got {len(values)}")

    best_epoch = getattr(history, "best_epoch", None)
    if best_epoch is not None and not (isinstance(best_epoch, (int, np.integer)) and 1 <= best_epoch <= n_epochs):
        raise ValueError(f"history.best_epoch: expected None or an epoch from 1 to {n_epochs}, got {best_epoch!r}")

    quantities = ("loss", "accuracy") if len(curves["train_accuracy"]) else ("loss",)
    fig, axes = _new_figure(1, len(quantities), 4.5)
    epochs = np.arange(1, n_epochs + 1)
    for ax, quantity in zip(axes[0], quantities):
        for split, style in (("train", "-"), ("val", "--")):
            values = curves[f"{split}_{quantity}"]
            if len(values):
                label = "training" if split == "train" else "validation"
                ax.plot(epochs, values, style, marker="o" if n_epochs <= 30 else None, markersize=3, label=label)
        if best_epoch is not None:
            ax.axvline(best_epoch, color="grey", linestyle=":", label=f"best epoch ({best_epoch})")
        ax.set_title(quantity)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(quantity)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def _as_images(images, image_shape) -> np.ndarray:
    """Images (n, h, w) or rows (n, h*w) -> float array (n, h, w)."""
    images = as_float_array(images, "images", ndim=(2, 3))
    if images.ndim == 2:
        height, width = image_shape
        if images.shape[1] != height * width:
            raise ValueError(f"images: expected rows of {height}x{width} = {height * width} pixels "
                             f"(image_shape={tuple(image_shape)}), got shape {images.shape}")
        images = images.reshape(len(images), height, width)
    return images


def _grid_of_axes(n_panels: int, n_cols: int, panel_size: float):
    """A figure with ``n_panels`` image axes in rows of ``n_cols``, ticks off."""
    n_cols = as_int(n_cols, "n_cols")
    n_cols = min(n_cols, n_panels)
    n_rows = math.ceil(n_panels / n_cols)
    fig, axes = _new_figure(n_rows, n_cols, panel_size)
    axes = axes.ravel()
    for ax in axes[n_panels:]:
        fig.delaxes(ax)
    for ax in axes[:n_panels]:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes[:n_panels]


def plot_image_grid(images, labels=None, predicted=None, n_cols: int = 10, image_shape=(28, 28)):
    """Show ``images`` (n, h, w) or (n, h*w) in a grid, ``n_cols`` a row, dark ink on white.

    Titles: the label ("3"), or with ``predicted`` "pred 5 / true 3" in red where the
    prediction is wrong (and "3" where it is right); ``predicted`` alone gives "pred 5".
    All panels share one grey scale, from the smallest to the largest pixel value.
    """
    images = _as_images(images, image_shape)
    n = len(images)
    labels = None if labels is None else as_label_array(labels, "labels")
    predicted = None if predicted is None else as_label_array(predicted, "predicted")
    for name, values in (("labels", labels), ("predicted", predicted)):
        if values is not None and len(values) != n:
            raise ValueError(f"{name}: expected one per image, {n}, got {len(values)}")

    fig, axes = _grid_of_axes(n, n_cols, 1.2)
    low, high = images.min(), images.max()
    for i, ax in enumerate(axes):
        ax.imshow(images[i], cmap="gray_r", vmin=low, vmax=high)
        if predicted is None and labels is not None:
            ax.set_title(str(labels[i]), fontsize=10)
        elif predicted is not None and labels is None:
            ax.set_title(f"pred {predicted[i]}", fontsize=10)
        elif predicted is not None:
            wrong = predicted[i] != labels[i]
            title = f"pred {predicted[i]} / true {labels[i]}" if wrong else str(labels[i])
            ax.set_title(title, fontsize=8 if wrong else 10, color="red" if wrong else "black")
    fig.tight_layout()
    return fig


def plot_weight_grid(W, image_shape=(28, 28), n_cols: int = 10):
    """Show each column of ``W`` (h*w, k) as an h x w image: the input pattern unit j
    responds to. Red is positive, blue negative, white zero; each panel's colour scale is
    symmetric around zero (to +-its largest |weight|). Panel titles are the column numbers.
    """
    W = as_float_array(W, "W", ndim=2)
    height, width = image_shape
    if W.shape[0] != height * width:
        raise ValueError(f"W: expected {height}x{width} = {height * width} rows, one per pixel "
                         f"(image_shape={tuple(image_shape)}), got shape {W.shape}")
    fig, axes = _grid_of_axes(W.shape[1], n_cols, 1.2)
    for j, ax in enumerate(axes):
        limit = max(np.abs(W[:, j]).max(), 1e-12)
        ax.imshow(W[:, j].reshape(height, width), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(str(j), fontsize=9)
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Counts ``C`` int64 (n_classes, n_classes): ``C[i, j]`` is how many samples of true
    class i were predicted as class j (rows true, columns predicted; the diagonal is right)."""
    n_classes = as_int(n_classes, "n_classes")
    y_true = as_label_array(y_true, "y_true", n_classes)
    y_pred = as_label_array(y_pred, "y_pred", n_classes)
    check_same_shape(y_true, y_pred, "y_true", "y_pred")
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion_matrix(y_true, y_pred, n_classes: int | None = None):
    """The confusion matrix as a heat map with the count written in every cell; rows are
    the true class, columns the predicted one; the title gives the accuracy.
    ``n_classes`` defaults to 1 + the largest label in either array."""
    if n_classes is None:
        n_classes = int(max(as_label_array(y_true, "y_true").max(), as_label_array(y_pred, "y_pred").max())) + 1
    counts = confusion_matrix(y_true, y_pred, n_classes)
    fig, ax = plt.subplots(figsize=(1.5 + 0.5 * n_classes, 1 + 0.5 * n_classes))
    ax.imshow(counts, cmap="Blues")
    for (i, j), count in np.ndenumerate(counts):
        dark_cell = count > counts.max() / 2
        ax.text(j, i, str(count), ha="center", va="center", fontsize=8, color="white" if dark_cell else "black")
    ticks = np.arange(n_classes)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    accuracy = np.trace(counts) / counts.sum()
    ax.set_title(f"accuracy {100 * accuracy:.1f} % ({np.trace(counts):,} of {counts.sum():,})")
    fig.tight_layout()
    return fig


def plot_image_rows(rows, image_shape=(28, 28)):
    """One row of panels per entry of ``rows`` ({title: images}), the title on the left.

    Images are grey rows (n, h*w) or (n, h, w), shown dark ink on white from 0 to 1, or
    colour images (n, h, w, 3) in [0, 1], shown as they are. Every entry has the same n.
    """
    if not isinstance(rows, dict) or not rows:
        raise ValueError(f"rows: expected a non-empty dict {{title: images}}, got {type(rows).__name__}")
    shown = {}
    for title, images in rows.items():
        images = as_float_array(images, f"rows[{title!r}]", ndim=(2, 3, 4))
        shown[title] = images if images.ndim == 4 else _as_images(images, image_shape)
    counts = {len(images) for images in shown.values()}
    if len(counts) != 1:
        raise ValueError(f"rows: expected the same number of images in every row, got {sorted(counts)}")
    n = counts.pop()
    fig, axes = _new_figure(len(shown), n, 1.1)
    for axes_row, (title, images) in zip(axes, shown.items()):
        for ax, image in zip(axes_row, images):
            if image.ndim == 3:
                ax.imshow(np.clip(image, 0, 1))
            else:
                ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes_row[0].set_ylabel(title, rotation=0, ha="right", va="center", fontsize=9)
    fig.tight_layout()
    return fig


def plot_roc(cases, ax=None):
    """ROC curves of anomaly scores, one per entry of ``cases`` ({name: (scores_in,
    scores_out)}, two 1-D arrays), each labelled with its AUC, and the diagonal of guessing.
    Draws into ``ax`` if given, else into a new figure; returns the Figure."""
    from .metrics import anomaly_auc, anomaly_roc   # scikit-learn loads only when a ROC is drawn

    if not isinstance(cases, dict) or not cases:
        raise ValueError(f"cases: expected a non-empty dict {{name: (scores_in, scores_out)}}, got {type(cases).__name__}")
    own_figure = ax is None
    fig = _new_figure(1, 1, 4.5)[0] if own_figure else ax.figure
    ax = fig.axes[0] if own_figure else ax
    for name, (scores_in, scores_out) in cases.items():
        false_positive_rate, true_positive_rate = anomaly_roc(scores_in, scores_out)
        ax.plot(false_positive_rate, true_positive_rate,
                label=f"{name} (AUC {anomaly_auc(scores_in, scores_out):.2f})")
    ax.plot([0, 1], [0, 1], ":", color="grey", label="guessing (AUC 0.50)")
    ax.set(xlabel="false-positive rate (normal inputs flagged)", ylabel="true-positive rate (unusual inputs flagged)",
           xlim=(0, 1), ylim=(0, 1.01))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    if own_figure:
        fig.tight_layout()
    return fig
