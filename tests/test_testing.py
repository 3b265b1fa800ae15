"""nnlib.testing: test cells compare plain values, so forged objects fail instead of passing."""
import numpy as np
import pytest
import torch

from nnlib.testing import assert_close, assert_equal, plain_array, plain_bool, plain_float, plain_int, plain_str


class AlwaysEqualInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class AlwaysEqualArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)


class LyingList(list):
    def __iter__(self):
        return iter([1, 1])


class AlwaysEqualTensor(torch.Tensor):
    pass


def test_plain_scalars_accept_builtin_and_numpy_types():
    assert plain_int(3) == 3 and type(plain_int(np.int64(3))) is int
    assert type(plain_int(np.array(5, dtype=np.uint8))) is int
    assert plain_float(2) == 2.0 and type(plain_float(np.float32(0.5))) is float
    assert plain_bool(np.bool_(True)) is True
    assert plain_str("abc") == "abc"


@pytest.mark.parametrize("value", [AlwaysEqualInt(1), True, 1.0, "1", np.array([1]), None])
def test_plain_int_refuses_everything_else(value):
    with pytest.raises(AssertionError, match="expected result to be an int"):
        plain_int(value)


def test_forged_int_fails_assert_equal():
    with pytest.raises(AssertionError, match="expected the result .*to be an int, got AlwaysEqualInt"):
        assert_equal(AlwaysEqualInt(7), 1, "one mistake")


def test_plain_float_and_bool_refuse_bool_and_numbers():
    with pytest.raises(AssertionError, match="a number"):
        plain_float(True)
    with pytest.raises(AssertionError, match="a bool"):
        plain_bool(1)


def test_plain_array_copies_and_converts():
    given = np.array([[1, 2], [3, 4]], dtype=np.int32)
    array = plain_array(given)
    assert array.dtype == np.float64 and array is not given
    array[0, 0] = 99
    assert given[0, 0] == 1, "the caller's array must not be shared"
    np.testing.assert_array_equal(plain_array([[1, 2.5], (3, np.float32(4))]), [[1, 2.5], [3, 4]])
    np.testing.assert_array_equal(plain_array([np.array([1, 2]), np.array([3, 4])]), [[1, 2], [3, 4]])
    tensor = torch.tensor([1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(plain_array(tensor), [1.0, 2.0])
    np.testing.assert_array_equal(plain_array(torch.nn.Parameter(torch.ones(2))), [1.0, 1.0])
    assert plain_array(3).shape == ()


@pytest.mark.parametrize("value, message", [
    (np.zeros(3).view(AlwaysEqualArray), "AlwaysEqualArray"),
    (LyingList([5, 5]), "LyingList"),
    ([1, AlwaysEqualInt(2)], "AlwaysEqualInt"),
    (torch.zeros(2).as_subclass(AlwaysEqualTensor), "AlwaysEqualTensor"),
    (np.array(["a", "b"]), "hold numbers"),
    (np.array([1 + 2j]), "hold numbers"),
    ([[1, 2], [3]], "rectangular"),
    ({1, 2}, "set"),
])
def test_plain_array_refuses_forged_or_odd_values(value, message):
    with pytest.raises(AssertionError, match=message):
        plain_array(value)


def test_plain_array_integer_dtype_does_not_round_floats():
    np.testing.assert_array_equal(plain_array([True, 2], dtype=np.int64), [1, 2])
    with pytest.raises(AssertionError, match="integers"):
        plain_array([0.9, 1.2], dtype=np.int64)


def test_plain_array_checks_shape_with_wildcards():
    assert plain_array(np.zeros((4, 3)), shape=(None, 3)).shape == (4, 3)
    with pytest.raises(AssertionError, match=r"expected weights of shape \(any, 2\), got shape \(4, 3\)"):
        plain_array(np.zeros((4, 3)), "weights", shape=(None, 2))


def test_assert_close_checks_shape_and_values():
    assert_close([1.0, 2.0 + 1e-9], [1, 2], "two numbers", rtol=1e-6)
    with pytest.raises(AssertionError, match=r"shape \(2,\), got shape \(1, 2\)"):
        assert_close([[1.0, 2.0]], [1, 2], "broadcast")
    with pytest.raises(AssertionError, match="gradient of W"):
        assert_close([1.0, 2.1], [1, 2], "gradient of W")
    with pytest.raises(AssertionError, match="AlwaysEqualArray"):
        assert_close(np.ones(2).view(AlwaysEqualArray), [0, 0])


def test_assert_equal_by_type_of_expected():
    assert_equal(np.int64(3), 3)
    assert_equal(True, True)
    assert_equal("and", "and")
    assert_equal(None, None)
    assert_equal(np.array([0, 1, 1]), [0, 1, 1])
    with pytest.raises(AssertionError, match="expected 3 mistakes"):
        assert_equal(2, 3, "expected 3 mistakes")
    with pytest.raises(AssertionError, match="to be a bool"):
        assert_equal(1, True)
    with pytest.raises(AssertionError, match="expected None"):
        assert_equal(0, None)
    with pytest.raises(AssertionError, match="decisions"):
        assert_equal([0, 1], [1, 1], "decisions")
