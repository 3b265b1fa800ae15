"""Principal component analysis by the singular value decomposition: the baseline every
autoencoder must beat (notebook 07).

``PCA.fit(X)`` centres the training rows X (n, d) and takes the SVD X - mean = U S Vᵀ; the
rows of Vᵀ are the principal directions, ordered by how much of the data's variance they carry.
With the top k of them, ``encode`` gives k numbers per image, ``decode`` maps them back, and
``reconstruct`` does both: the best rank-k linear reconstruction in the squared-error sense.
``subspace_angles`` compares two k-dimensional subspaces of pixel space (e.g. PCA's and a
linear autoencoder's).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_float_array, as_int


@dataclass(frozen=True, repr=False)
class PCA:
    """Principal components of a training set.

    mean (d,): the training rows' mean; components (r, d): orthonormal rows, the principal
    directions, largest variance first (r = min(n, d)); singular_values (r,), descending.
    """

    mean: np.ndarray
    components: np.ndarray
    singular_values: np.ndarray

    def __repr__(self) -> str:
        return f"PCA({len(self.components)} components of {len(self.mean)} features)"

    @classmethod
    def fit(cls, X) -> "PCA":
        """The principal components of the rows of X (n, d), n >= 2, by SVD of X minus its mean."""
        X = as_float_array(X, "X", ndim=2).astype(np.float64)
        if len(X) < 2:
            raise ValueError(f"X: expected at least 2 rows to find directions of variance, got shape {X.shape}")
        mean = X.mean(axis=0)
        _, singular_values, components = np.linalg.svd(X - mean, full_matrices=False)
        return cls(mean, components, singular_values)

    def explained_variance_ratio(self) -> np.ndarray:
        """Fraction of the training variance along each component, shape (r,), summing to 1."""
        variance = self.singular_values ** 2
        return variance / variance.sum()

    def _k(self, k) -> int:
        k = as_int(k, "k", minimum=0)
        if k > len(self.components):
            raise ValueError(f"k: expected at most {len(self.components)} components, got {k}")
        return k

    def _rows(self, X) -> np.ndarray:
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != len(self.mean):
            raise ValueError(f"X: expected rows of {len(self.mean)} features, got shape {X.shape}")
        return X

    def encode(self, X, k: int) -> np.ndarray:
        """Codes (n, k): the coordinates of each centred row of X (n, d) along the top k directions."""
        return (self._rows(X) - self.mean) @ self.components[:self._k(k)].T

    def decode(self, codes) -> np.ndarray:
        """Rows (n, d) = mean + codes (n, k) times the top k directions."""
        codes = as_float_array(codes, "codes", ndim=2, allow_empty=True)  # k = 0: the mean alone
        return self.mean + codes @ self.components[:self._k(codes.shape[1])]

    def reconstruct(self, X, k: int) -> np.ndarray:
        """X (n, d) projected onto the top k directions and mapped back, shape (n, d)."""
        return self.decode(self.encode(X, k))


def subspace_angles(A, B) -> np.ndarray:
    """Principal angles in degrees, ascending, between the spans of the columns of A (d, k) and
    B (d, m) (scipy.linalg.subspace_angles): all near 0 when the two subspaces coincide."""
    import scipy.linalg   # loaded on first use: most notebooks never need it

    A = as_float_array(A, "A", ndim=2)
    B = as_float_array(B, "B", ndim=2)
    if A.shape[0] != B.shape[0]:
        raise ValueError(f"A and B: expected columns of the same length, got shapes {A.shape} and {B.shape}")
    return np.sort(np.degrees(scipy.linalg.subspace_angles(A, B)))
