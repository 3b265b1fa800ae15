"""nnlib.pca: PCA by SVD against scikit-learn, reconstructions, subspace angles, bad input."""
import numpy as np
import pytest
from sklearn.decomposition import PCA as SklearnPCA

from nnlib.pca import PCA, subspace_angles


@pytest.fixture
def X():
    rng = np.random.default_rng(0)
    return rng.normal(size=(60, 3)) @ rng.normal(size=(3, 10)) + 0.1 * rng.normal(size=(60, 10)) + 2.0


def test_the_reconstruction_equals_scikit_learns(X):
    pca = PCA.fit(X)
    for k in (1, 3, 7):
        reference = SklearnPCA(n_components=k, svd_solver="full").fit(X)
        expected = reference.inverse_transform(reference.transform(X))
        np.testing.assert_allclose(pca.reconstruct(X, k), expected, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(np.abs(pca.encode(X, k)), np.abs(reference.transform(X)), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(pca.explained_variance_ratio()[:3],
                               SklearnPCA(n_components=3).fit(X).explained_variance_ratio_, rtol=1e-10)


def test_components_are_orthonormal_and_ordered(X):
    pca = PCA.fit(X)
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(10), atol=1e-12)
    assert np.all(np.diff(pca.singular_values) <= 0)
    np.testing.assert_allclose(pca.mean, X.mean(axis=0))
    np.testing.assert_allclose(pca.explained_variance_ratio().sum(), 1.0)


def test_all_components_give_back_the_data_and_none_the_mean(X):
    pca = PCA.fit(X)
    np.testing.assert_allclose(pca.reconstruct(X, 10), X, atol=1e-10)
    np.testing.assert_allclose(pca.reconstruct(X, 0), np.tile(X.mean(axis=0), (60, 1)), atol=1e-12)


def test_the_error_falls_with_k(X):
    pca = PCA.fit(X)
    errors = [np.mean((pca.reconstruct(X, k) - X) ** 2) for k in range(11)]
    assert np.all(np.diff(errors) <= 1e-12)
    assert errors[3] < 0.02 * errors[0], "three directions carry nearly all of this rank-3 data"


@pytest.mark.parametrize("call, message", [
    (lambda pca: pca.reconstruct(np.zeros((2, 9)), 2), "expected rows of 10 features"),
    (lambda pca: pca.encode(np.zeros((2, 10)), 11), "at most 10 components"),
    (lambda pca: pca.encode(np.zeros((2, 10)), 2.0), "expected an int"),
    (lambda pca: pca.encode(np.zeros(10), 2), "2-D"),
    (lambda pca: PCA.fit(np.zeros((1, 10))), "at least 2 rows"),
    (lambda pca: PCA.fit([[1.0, np.nan], [0.0, 1.0]]), "finite"),
])
def test_bad_input_is_refused(X, call, message):
    with pytest.raises(ValueError, match=message):
        call(PCA.fit(X))


def test_subspace_angles():
    basis = np.eye(5)
    np.testing.assert_allclose(subspace_angles(basis[:, :2], basis[:, :2] @ [[1.0, 2.0], [3.0, -1.0]]), [0, 0], atol=1e-6)
    np.testing.assert_allclose(subspace_angles(basis[:, :2], basis[:, 2:4]), [90, 90])
    np.testing.assert_allclose(subspace_angles(basis[:, :1], (basis[:, 0] + basis[:, 1])[:, None]), [45])
    with pytest.raises(ValueError, match="columns of the same length"):
        subspace_angles(np.eye(5)[:, :2], np.eye(4)[:, :2])
