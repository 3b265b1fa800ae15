"""The latent-plane widget of lecture 07: the plain functions and the sliders."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib.widgets.latent_plane import decoded_grid_figure, decoded_image, latent_plane_figure, latent_plane_widget


def decode(codes):
    """A stand-in decoder: image brightness z1 in the left half, z2 in the right half."""
    images = np.zeros((len(codes), 28, 28))
    images[:, :, :14] = codes[:, :1, None]
    images[:, :, 14:] = codes[:, 1:, None]
    return images.reshape(len(codes), 784)


CODES = np.array([[0.0, 0.0], [1.0, 0.5], [0.2, 1.0]])
LABELS = np.array([3, 1, 7])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def shown_image(fig):
    return fig.axes[1].get_images()[0].get_array()


def test_decoded_image_is_the_decoders_output_at_the_point():
    image = decoded_image(decode, (0.25, 0.75))
    assert image.shape == (28, 28)
    assert np.all(image[:, :14] == 0.25) and np.all(image[:, 14:] == 0.75)


def test_the_figure_marks_the_point_and_shows_its_image():
    fig = latent_plane_figure(decode, CODES, LABELS, (0.5, 0.1))
    np.testing.assert_allclose(shown_image(fig), decoded_image(decode, (0.5, 0.1)))
    (cross,) = fig.axes[0].get_lines()
    assert (cross.get_xdata()[0], cross.get_ydata()[0]) == (0.5, 0.1)
    np.testing.assert_allclose(fig.axes[0].collections[0].get_offsets(), CODES)


def test_the_grid_shows_the_corners_where_they_belong():
    fig = decoded_grid_figure(decode, (0.0, 0.0), (1.0, 1.0), n=3)
    mosaic = fig.axes[0].get_images()[0].get_array()
    assert mosaic.shape == (84, 84)
    assert mosaic[0, 0] == 0.0 and mosaic[0, 83] == 1.0, "top row: z2 = 1 on the right half of each image"
    assert mosaic[83, 83] == 0.0 and mosaic[83, 56] == 1.0, "bottom right image: z1 = 1 left, z2 = 0 right"


def test_moving_the_sliders_redraws_the_decoded_image():
    widget = latent_plane_widget(decode, CODES, LABELS)
    z1, z2 = widget.kwargs_widgets
    assert (z1.min, z1.max, z2.min, z2.max) == (0.0, 1.0, 0.0, 1.0)
    np.testing.assert_allclose(shown_image(widget.result), decoded_image(decode, (0.5, 0.5)))
    z1.value, z2.value = 0.9, 0.2
    np.testing.assert_allclose(shown_image(widget.result), decoded_image(decode, (0.9, 0.2)))


@pytest.mark.parametrize("call, message", [
    (lambda: decoded_image(decode, (1.0, 2.0, 3.0)), "2 numbers"),
    (lambda: decoded_image("decoder", (1.0, 2.0)), "expected a function"),
    (lambda: decoded_image(lambda z: np.zeros((len(z), 10)), (1.0, 2.0)), r"\(1, 784\)"),
    (lambda: latent_plane_figure(decode, CODES, LABELS[:2], (0.0, 0.0)), "n labels"),
    (lambda: decoded_grid_figure(decode, (1.0, 0.0), (0.0, 1.0)), "low < high"),
    (lambda: latent_plane_widget(decode, np.zeros((3, 3)), LABELS), r"\(n, 2\)"),
])
def test_bad_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
