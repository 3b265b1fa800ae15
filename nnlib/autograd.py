"""A scalar autograd engine, small enough to read in one sitting (in the spirit of micrograd).

Every arithmetic step on a ``Value`` makes a new ``Value`` that remembers its inputs
(``_prev``), the operation (``_op``) and a closure ``_backward`` that applies the chain
rule for that one step: it adds ``local derivative * out.grad`` to each input's ``grad``.
``backward()`` visits the nodes from the output back to the inputs (reverse topological
order), so every node's gradient is complete before it is passed on; a node used twice
receives the sum of both contributions.

Gradients of the leaves (inputs and weights, the nodes with no ``_prev``) *accumulate*
across ``backward()`` calls, as ``.grad`` does in PyTorch: backward on the losses of two
examples adds up their gradients. Call ``zero_grad(root)`` before a fresh pass. Interior
nodes always hold the gradient of the latest call.

    >>> a, b = Value(2.0, "a"), Value(-3.0, "b")
    >>> f = a * a + a * b          # a is used twice
    >>> f.backward()
    >>> a.grad, b.grad             # df/da = 2a + b, df/db = a
    (1.0, 2.0)

``draw_graph(root)`` draws the graph with matplotlib: a box per value, a circle per
operation.
"""
from __future__ import annotations

import math
from numbers import Real

import matplotlib.pyplot as plt


def _finite_real(x, name: str) -> float:
    """``x`` as a float, or a ValueError if it is not a finite real number."""
    if not isinstance(x, Real) or isinstance(x, bool):
        raise ValueError(f"{name}: expected a finite real number, got {type(x).__name__} {x!r}")
    if not math.isfinite(x):
        raise ValueError(f"{name}: expected a finite real number, got {x!r}")
    return float(x)


class Value:
    """A scalar node of a computational graph: ``data`` (its value), ``grad`` (d root / d
    this node, filled in by ``backward``) and an optional ``label`` for printing/drawing."""

    def __init__(self, data, label: str = "", _prev: tuple = (), _op: str = ""):
        self.data = _finite_real(data, "Value data")
        self.grad = 0.0
        self.label = str(label)
        self._prev = tuple(_prev)
        self._op = _op
        self._backward = lambda: None  # leaves have nothing to pass on

    def __repr__(self) -> str:
        label = f"label={self.label!r}, " if self.label else ""
        return f"Value({label}data={self.data:.6g}, grad={self.grad:.6g})"

    # ---- binary operations: forward value, then the local chain rule -----------------------

    def __add__(self, other):
        other = _as_value(other)
        out = Value(self.data + other.data, _prev=(self, other), _op="+")

        def _backward():  # d(a + b)/da = 1, d(a + b)/db = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __sub__(self, other):
        other = _as_value(other)
        out = Value(self.data - other.data, _prev=(self, other), _op="-")

        def _backward():  # d(a - b)/da = 1, d(a - b)/db = -1
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _as_value(other)
        out = Value(self.data * other.data, _prev=(self, other), _op="*")

        def _backward():  # d(ab)/da = b, d(ab)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __truediv__(self, other):
        other = _as_value(other)
        out = Value(self.data / other.data, _prev=(self, other), _op="/")

        def _backward():  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
            self.grad += out.grad / other.data
            other.grad -= self.data / other.data ** 2 * out.grad
        out._backward = _backward
        return out

    def __pow__(self, exponent):
        exponent = _finite_real(exponent, "exponent (a plain number, not a Value)")
        result = self.data ** exponent
        if isinstance(result, complex):
            raise ValueError(f"power: {self.data!r} ** {exponent!r} is not a real number")
        out = Value(result, _prev=(self,), _op=f"**{exponent:g}")

        def _backward():  # d(a^k)/da = k a^(k-1)
            self.grad += exponent * self.data ** (exponent - 1) * out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        out = Value(-self.data, _prev=(self,), _op="neg")

        def _backward():  # d(-a)/da = -1
            self.grad -= out.grad
        out._backward = _backward
        return out

    # A plain number on the left: 2 * a, 1 - a, 1 / a ... (the number becomes a Value).
    def __radd__(self, other):
        return _as_value(other) + self

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rmul__(self, other):
        return _as_value(other) * self

    def __rtruediv__(self, other):
        return _as_value(other) / self

    # ---- functions of one value --------------------------------------------------------------

    def exp(self):
        out = Value(math.exp(self.data), _prev=(self,), _op="exp")

        def _backward():  # d e^a / da = e^a
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        """Natural logarithm (defined for positive values only)."""
        if self.data <= 0:
            raise ValueError(f"log: expected a positive number, got {self.data!r}")
        out = Value(math.log(self.data), _prev=(self,), _op="log")

        def _backward():  # d ln a / da = 1/a
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), _prev=(self,), _op="tanh")

        def _backward():  # d tanh a / da = 1 - tanh(a)^2
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        # 1 / (1 + e^-a) for a >= 0 and e^a / (1 + e^a) for a < 0: exp never overflows.
        e = math.exp(-abs(self.data))
        s = 1 / (1 + e) if self.data >= 0 else e / (1 + e)
        out = Value(s, _prev=(self,), _op="sigmoid")

        def _backward():  # d sigma(a) / da = sigma(a) (1 - sigma(a))
            self.grad += out.data * (1 - out.data) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), _prev=(self,), _op="relu")

        def _backward():  # 1 where a > 0, else 0 (0 at a = 0, as in PyTorch)
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    # ---- the backward pass ---------------------------------------------------------------------

    def backward(self) -> None:
        """Fill in ``grad`` of every node of the graph with d self / d node.

        Interior nodes are reset first; leaves accumulate (see the module docstring).
        """
        order = topological_order(self)
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad += 1.0  # d self / d self
        for node in reversed(order):
            node._backward()


def _as_value(x) -> Value:
    """A Value stays itself; a plain number becomes a constant leaf."""
    return x if isinstance(x, Value) else Value(x)


def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph once, each after all of its inputs (``root`` last).

    A depth-first search with an explicit stack (recursion would stop at Python's limit of
    about 1000 nested calls, i.e. on long chains such as a sum of many terms).
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))  # comes back off the stack after all of its inputs
            stack.extend((child, False) for child in reversed(node._prev))
    return order


def zero_grad(root: Value) -> None:
    """Set ``grad`` to 0 on every node of ``root``'s graph."""
    for node in topological_order(root):
        node.grad = 0.0


# ---- drawing ---------------------------------------------------------------------------------

_CHAR_WIDTH = 0.08  # inches per character of the 9-point monospace font, padding included
_ROW_HEIGHT = 0.65  # inches between two rows
_GAP = 0.35  # inches between a circle and the boxes on either side
_OP_SYMBOLS = {"sigmoid": "σ"}  # shorter names for the circles


def _box_text(node: Value) -> str:
    numbers = f"data {node.data:.4g} | grad {node.grad:.4g}"
    return f"{node.label} | {numbers}" if node.label else numbers


def _op_text(node: Value) -> str:
    return _OP_SYMBOLS.get(node._op, node._op)


def _columns(root: Value) -> list[list[Value]]:
    """The nodes by depth: a result one column right of its deepest input (inputs count as
    depth 0); then each input moves right, to just left of the first operation that uses it,
    which keeps the arrows short."""
    order = topological_order(root)
    depth = {}
    for node in order:  # inputs come first, so their depth is known
        depth[node] = 1 + max(depth[child] for child in node._prev) if node._prev else 0
    first_use = {}
    for node in order:
        for child in node._prev:
            first_use[child] = min(first_use.get(child, depth[node]), depth[node])
    for node in order:
        if not node._prev and node is not root:
            depth[node] = first_use[node] - 1
    columns = [[] for _ in range(depth[root] + 1)]
    for node in order:
        columns[depth[node]].append(node)
    return columns


def draw_graph(root: Value, ax=None):
    """Draw ``root``'s computational graph from left (inputs) to right (``root``).

    Each value is a box "label | data | grad" (4 significant digits); each operation is a
    circle between its inputs and its result. Values sit in columns by depth from the
    inputs. Returns the Figure; ``ax`` (optional) is the Axes to draw on.
    """
    if not isinstance(root, Value):
        raise ValueError(f"root: expected a Value, got {type(root).__name__}")
    columns = _columns(root)
    nodes = [node for column in columns for node in column]
    box_width = _CHAR_WIDTH * max(len(_box_text(node)) for node in nodes)
    op_width = _CHAR_WIDTH * max([len(_op_text(node)) + 2 for node in nodes if node._prev] or [0])
    column_width = box_width + _GAP + op_width + _GAP
    position = {node: (i * column_width, ((len(column) - 1) / 2 - j) * _ROW_HEIGHT)
                for i, column in enumerate(columns) for j, node in enumerate(column)}

    n_rows = max(len(column) for column in columns)
    x_limits = (-box_width / 2 - 0.2, (len(columns) - 1) * column_width + box_width / 2 + 0.2)
    y_limits = (-n_rows / 2 * _ROW_HEIGHT, n_rows / 2 * _ROW_HEIGHT)
    if ax is None:  # one data unit = one inch, so that the boxes fit their columns
        fig = plt.figure(figsize=(x_limits[1] - x_limits[0], y_limits[1] - y_limits[0]))
        ax = fig.add_axes((0, 0, 1, 1))

    style = dict(ha="center", va="center", family="monospace", fontsize=9, zorder=3)
    boxes = {node: ax.text(*position[node], _box_text(node), gid="value",
                           bbox=dict(boxstyle="round,pad=0.3", facecolor="#e8f0fe"), **style)
             for node in nodes}
    for node in nodes:
        if node._prev:  # the operation's circle sits just left of its result
            x, y = position[node]
            op = ax.text(x - box_width / 2 - _GAP - op_width / 2, y, _op_text(node), gid="op",
                         bbox=dict(boxstyle="circle,pad=0.3", facecolor="#fff3c4"), **style)
            _arrow(ax, op, boxes[node])
            for child in node._prev:
                _arrow(ax, boxes[child], op)
    ax.set_xlim(*x_limits)
    ax.set_ylim(*y_limits)
    ax.set_axis_off()
    return ax.figure


def _arrow(ax, source, target) -> None:
    """An arrow between two text artists, clipped at the edges of their boxes.

    Drawn above the boxes (zorder 4 > 3): a box is only placed when it is drawn, and the
    clipping needs it in place.
    """
    ax.annotate("", xy=target.get_position(), xytext=source.get_position(), zorder=4,
                arrowprops=dict(arrowstyle="->", color="0.4", shrinkA=0, shrinkB=0,
                                patchA=source.get_bbox_patch(), patchB=target.get_bbox_patch()))
