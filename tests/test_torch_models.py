"""The shared PyTorch models: shapes, parameter counts, seeded weights; the character CNN's data."""
import numpy as np
import pytest
import torch

from nnlib.torch.augment import random_distortions
from nnlib.torch.models import LENET5_1998_PARAMETERS, LeNet5, count_parameters, lenet5, mlp
from nnlib.torch.text import WORDS, CharCNN, char_cnn, hidden_word_strings, one_hot_text

torch.set_num_threads(1)


@pytest.mark.parametrize("factory, n_params", [(lenet5, 61_706), (mlp, 79_510)])
def test_images_and_rows_give_ten_logits(factory, n_params):
    model = factory(0)
    assert count_parameters(model) == n_params
    images = torch.rand(4, 1, 28, 28)
    with torch.no_grad():
        from_images, from_rows = model(images), model(images.reshape(4, 784))
    assert from_images.shape == (4, 10)
    torch.testing.assert_close(from_images, from_rows)


def test_lenet5_layer_shapes():
    model = lenet5(0)
    with torch.no_grad():
        features = model.features(torch.zeros(2, 1, 28, 28))
    assert features.shape == (2, 16, 5, 5)
    convolutions = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [tuple(c.weight.shape) for c in convolutions] == [(6, 1, 5, 5), (16, 6, 5, 5)]


def test_the_1998_original_has_60000_trainable_parameters():
    assert sum(LENET5_1998_PARAMETERS.values()) == 60_000
    assert LENET5_1998_PARAMETERS["C3: 16 filters 5x5 on 60 chosen pairs (map, input map)"] == 1516


@pytest.mark.parametrize("factory", [lenet5, mlp])
def test_a_seed_gives_the_same_weights_and_leaves_the_global_generator_alone(factory):
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    first, second, other = factory(5), factory(5), factory(6)
    torch.testing.assert_close(torch.rand(3), expected_next)
    for a, b in zip(first.parameters(), second.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert not all(torch.equal(a, b) for a, b in zip(first.parameters(), other.parameters()))


@pytest.mark.parametrize("call, message", [
    (lambda: lenet5(-1), r"seed: expected an int >= 0, got -1"),
    (lambda: lenet5(None), r"seed: expected an int >= 0, got None"),
    (lambda: mlp(0, n_hidden=0), r"n_hidden: expected an int >= 1, got 0"),
    (lambda: count_parameters("LeNet"), r"model: expected a torch.nn.Module, got str"),
])
def test_bad_arguments_raise_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_lenet5_is_a_module_class():
    assert isinstance(lenet5(0), LeNet5)


def test_hidden_word_strings_hide_exactly_one_word():
    strings, labels = hidden_word_strings(50, rng=0, length=20)
    assert len(strings) == 50 and labels.shape == (50,)
    for text, label in zip(strings, labels):
        assert len(text) == 20
        assert [word in text for word in WORDS].count(True) == 1 and WORDS[label] in text
    again, _ = hidden_word_strings(50, rng=0, length=20)
    assert again == strings


def test_one_hot_text_and_the_char_cnn_shapes():
    x = one_hot_text(["abc", "cba"])
    assert x.shape == (2, 26, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(x.sum(axis=1), np.ones((2, 3)))
    assert x[0, 0, 0] == 1 and x[0, 2, 2] == 1 and x[1, 2, 0] == 1
    with torch.no_grad():
        assert CharCNN()(torch.as_tensor(one_hot_text(["abcdefgh"] * 4))).shape == (4, len(WORDS))


@pytest.mark.parametrize("strings, message", [
    (["abc", "ab"], r"expected every string of length 3, got lengths \[2, 3\]"),
    (["ab1"], r"expected characters from 'abcdefghijklmnopqrstuvwxyz', got \['1'\]"),
    ([], r"expected a non-empty sequence of str"),
])
def test_one_hot_text_refuses_bad_strings(strings, message):
    with pytest.raises(ValueError, match=message):
        one_hot_text(strings)


def test_char_cnn_factory_is_seeded():
    first, second = char_cnn(3), char_cnn(3, n_filters=8)
    for a, b in zip(first.parameters(), second.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_random_distortions_are_seeded_and_keep_the_ink():
    X = np.zeros((50, 784), dtype=np.float32)
    X[:, [28 * 14 + 14, 28 * 13 + 14, 28 * 14 + 13]] = 1.0                   # a blob in the middle
    first, second = random_distortions(X, rng=1), random_distortions(X, rng=1)
    np.testing.assert_array_equal(first, second)
    assert first.shape == (50, 784) and first.dtype == np.float32
    assert not np.array_equal(first, X)
    np.testing.assert_allclose(first.sum(axis=1), 3.0, rtol=0.3)            # bilinear resampling keeps the ink
    same = random_distortions(X, rng=1, max_shift=0, max_rotation=0, max_scale=0)
    np.testing.assert_allclose(same, X, atol=1e-6)
    with pytest.raises(ValueError, match=r"expected images as rows of 784 pixels"):
        random_distortions(np.zeros((2, 100)), rng=0)
    with pytest.raises(ValueError, match=r"max_scale: expected a number below 1"):
        random_distortions(X, rng=0, max_scale=1.5)
