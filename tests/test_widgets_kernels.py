"""The kernel playground: the plain figure, and the menu and boxes that redraw it."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib.kernels import KERNELS, apply_kernel, grey_sample_image
from nnlib.widgets.kernels import KernelPlayground, kernel_figure

# a 6x6 image: a bright square in the middle of a dark field
IMAGE = np.zeros((6, 6))
IMAGE[2:4, 2:4] = 1.0


def test_the_classic_kernels_do_what_their_names_say():
    np.testing.assert_array_equal(apply_kernel(IMAGE, KERNELS["identity"]), IMAGE)
    flat = np.full((5, 5), 0.5)
    inner = (slice(1, -1), slice(1, -1))           # away from the zero padding
    for name in ("box blur", "Gaussian blur"):
        np.testing.assert_allclose(apply_kernel(flat, KERNELS[name])[inner], 0.5, err_msg=name)
    for name in ("horizontal edges", "vertical edges", "Sobel x", "Sobel y", "Laplacian"):
        np.testing.assert_allclose(apply_kernel(flat, KERNELS[name])[inner], 0.0, atol=1e-12, err_msg=name)
    rows = np.repeat(np.arange(5.0)[:, None], 5, axis=1)     # brightness grows downwards
    assert np.all(apply_kernel(rows, KERNELS["horizontal edges"])[inner] == 6)   # 3 x (row below - row above)
    assert np.all(apply_kernel(rows, KERNELS["vertical edges"])[inner] == 0)
    assert np.all(apply_kernel(rows.T, KERNELS["Sobel x"])[inner] == 8)


def test_apply_kernel_refuses_an_even_kernel():
    with pytest.raises(ValueError, match=r"kernel: expected a square kernel of odd size"):
        apply_kernel(IMAGE, np.ones((2, 2)))


def test_the_sample_image_is_grey_and_installed():
    image = grey_sample_image(step=4)
    assert image.shape == (150, 128) and 0 <= image.min() and image.max() <= 1


def test_the_figure_shows_the_feature_map():
    fig = kernel_figure(IMAGE, KERNELS["Laplacian"], title="Laplacian")
    image_panel, kernel_panel, map_panel = fig.axes
    np.testing.assert_array_equal(map_panel.get_images()[0].get_array(), apply_kernel(IMAGE, KERNELS["Laplacian"]))
    assert kernel_panel.get_title() == "Laplacian"
    assert [t.get_text() for t in kernel_panel.texts][:3] == ["0", "1", "0"]
    plt.close(fig)


def test_the_menu_fills_the_boxes_and_editing_a_box_redraws():
    playground = KernelPlayground(IMAGE, kernel="identity")
    np.testing.assert_array_equal(playground.feature_map, IMAGE)

    playground.menu.value = "box blur"
    np.testing.assert_allclose(playground.kernel, KERNELS["box blur"])
    np.testing.assert_allclose(playground.feature_map, apply_kernel(IMAGE, KERNELS["box blur"]))

    playground.menu.value = "identity"
    playground.cells[4].value = 2.0                   # the centre: identity doubled
    assert playground.menu.value == "custom"
    np.testing.assert_array_equal(playground.feature_map, 2 * IMAGE)


def test_an_unknown_kernel_name_is_refused():
    with pytest.raises(ValueError, match="kernel: expected one of"):
        KernelPlayground(IMAGE, kernel="emboss")
