"""A tiny trainable CNN in numpy: how a network learns its kernels.

Every layer has a ``forward`` that computes its output with the convlab core
and remembers what its gradient will need, and a ``backward`` that takes the
loss's gradient with respect to its output and returns the gradient with
respect to its input, filling in its parameters' gradients on the way (with
:mod:`convlab.grad`). An optimizer then moves each parameter a small step
against its gradient. That loop, repeated, is all that training is.

The data are made in code, no download: :func:`shapes_dataset` draws
horizontal bars, vertical bars, crosses and square outlines with noise.

>>> x, y = shapes_dataset(256, seed=0)
>>> model = tiny_cnn(seed=0)
>>> history = train(model, x, y, epochs=1, seed=0)
>>> sorted(history)
['accuracy', 'loss', 'seconds', 'val_accuracy']
"""

from __future__ import annotations

import contextlib
import time

import numpy as np

from . import grad
from ._checks import as_array, check_choice, check_int, check_pair, describe
from .convolution import conv2d
from .matrix import im2col
from .pooling import max_pool2d

__all__ = ["Parameter", "Layer", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "Dense",
           "Sequential", "softmax_cross_entropy", "SGD", "Adam", "shapes_dataset",
           "SHAPE_NAMES", "tiny_cnn", "train", "accuracy", "fit_kernel"]

#: Class names of :func:`shapes_dataset`, in label order.
SHAPE_NAMES = ("horizontal bar", "vertical bar", "cross", "square outline")


class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    Examples
    --------
    >>> p = Parameter(np.ones(3))
    >>> p.grad
    array([0., 0., 0.])
    """

    def __init__(self, value):
        self.value = value
        self.grad = np.zeros_like(value)

    def __repr__(self):
        return f"Parameter(shape={self.value.shape}, dtype={self.value.dtype})"


class Layer:
    """Base of the layers: subclass it and override ``forward`` and ``backward(grad_output)``.

    A layer is called like a function (``layer(x)`` is ``layer.forward(x)``) and lists
    its trainable :class:`Parameter` objects with :meth:`parameters` (none here).
    :class:`Sequential` chains layers, calling ``forward`` in order and ``backward``
    in reverse.

    Examples
    --------
    >>> class Double(Layer):
    ...     def forward(self, x):
    ...         return 2 * x
    ...     def backward(self, grad_output):
    ...         return 2 * grad_output
    >>> Double()(np.array([1.0, 3.0]))
    array([2., 6.])
    >>> Double().parameters()
    []
    """

    def parameters(self):
        """The layer's Parameters (weights first, then bias)."""
        return []

    def __call__(self, x):
        return self.forward(x)


def _rng(seed):
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_int(seed, "seed", minimum=0))


class Conv2d(Layer):
    """A convolution layer, ``(N, C, H, W) -> (N, O, H', W')``, with He-initialised weights.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride, padding : as in :func:`convlab.conv2d` (zero padding)
    seed : int or numpy.random.Generator, default 0
        Where the initial weights come from.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Conv2d(1, 4, 3, padding=1)
    >>> layer.forward(np.zeros((2, 1, 8, 8), np.float32)).shape
    (2, 4, 8, 8)
    >>> layer.backward(np.ones((2, 4, 8, 8), np.float32)).shape
    (2, 1, 8, 8)
    >>> layer.bias.grad                                  # 2 images * 8 * 8 outputs each
    array([128., 128., 128., 128.], dtype=float32)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, *, seed=0):
        c = check_int(in_channels, "in_channels", minimum=1)
        o = check_int(out_channels, "out_channels", minimum=1)
        kh, kw = check_pair(kernel_size, "kernel_size", minimum=1)
        scale = np.sqrt(2.0 / (c * kh * kw))  # He: keeps activations' variance through ReLU
        weight = (_rng(seed).standard_normal((o, c, kh, kw)) * scale).astype(np.float32)
        self.weight = Parameter(weight)
        self.bias = Parameter(np.zeros(o, np.float32))
        self.stride, self.padding = stride, padding
        self._x = None

    def parameters(self):
        return [self.weight, self.bias]

    def forward(self, x):
        self._x = x
        return conv2d(x, self.weight.value, self.bias.value, self.stride, self.padding)

    def backward(self, grad_output):
        x, w = self._x, self.weight.value
        self.weight.grad = grad.conv2d_weight(x, w.shape, grad_output, self.stride, self.padding)
        self.bias.grad = grad.conv2d_bias(grad_output)
        return grad.conv2d_input(x.shape, w, grad_output, self.stride, self.padding)

    def __repr__(self):
        o, c, kh, kw = self.weight.value.shape
        return f"Conv2d({c}, {o}, kernel_size=({kh}, {kw}), stride={self.stride}, " \
               f"padding={self.padding})"


class ReLU(Layer):
    """``max(x, 0)``; its gradient passes where the input was positive.

    Examples
    --------
    >>> relu = ReLU()
    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    >>> relu.backward(np.array([10.0, 10.0, 10.0]))
    array([ 0.,  0., 10.])
    """

    def forward(self, x):
        self._positive = x > 0
        return np.where(self._positive, x, x.dtype.type(0))

    def backward(self, grad_output):
        return np.where(self._positive, grad_output, grad_output.dtype.type(0))

    def __repr__(self):
        return "ReLU()"


class MaxPool2d(Layer):
    """Max pooling; its gradient goes to each window's largest input.

    Examples
    --------
    >>> pool = MaxPool2d(2)
    >>> x = np.array([[[[1.0, 3.0], [4.0, 2.0]]]])
    >>> pool(x)
    array([[[[4.]]]])
    >>> pool.backward(np.array([[[[1.0]]]]))
    array([[[[0., 0.],
             [1., 0.]]]])
    """

    def __init__(self, kernel_size, stride=None):
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x):
        self._x = x
        return max_pool2d(x, self.kernel_size, self.stride)

    def backward(self, grad_output):
        return grad.max_pool2d_input(self._x, grad_output, self.kernel_size, self.stride)

    def __repr__(self):
        return f"MaxPool2d({self.kernel_size})"


class Flatten(Layer):
    """``(N, ...) -> (N, features)``, and back for the gradient.

    Examples
    --------
    >>> Flatten()(np.zeros((2, 3, 4, 4))).shape
    (2, 48)
    """

    def forward(self, x):
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_output):
        return grad_output.reshape(self._shape)

    def __repr__(self):
        return "Flatten()"


class Linear(Layer):
    """A dense (fully connected) layer, ``(N, in) -> (N, out)``: ``x @ W.T + b``.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Linear(3, 2)
    >>> layer.forward(np.ones((5, 3), np.float32)).shape
    (5, 2)
    """

    def __init__(self, in_features, out_features, *, seed=0):
        i = check_int(in_features, "in_features", minimum=1)
        o = check_int(out_features, "out_features", minimum=1)
        weight = _rng(seed).standard_normal((o, i)) * np.sqrt(1.0 / i)
        self.weight = Parameter(weight.astype(np.float32))
        self.bias = Parameter(np.zeros(o, np.float32))

    def parameters(self):
        return [self.weight, self.bias]

    def forward(self, x):
        self._x = x
        return x @ self.weight.value.T + self.bias.value

    def backward(self, grad_output):
        self.weight.grad = grad_output.T @ self._x
        self.bias.grad = grad_output.sum(axis=0)
        return grad_output @ self.weight.value

    def __repr__(self):
        o, i = self.weight.value.shape
        return f"Linear({i}, {o})"


#: Another name for :class:`Linear`.
Dense = Linear


class Sequential(Layer):
    """Layers applied in order; backward runs them in reverse.

    Examples
    --------
    >>> import numpy as np
    >>> net = Sequential(Flatten(), Linear(4, 3), ReLU(), Linear(3, 2))
    >>> net.forward(np.ones((1, 1, 2, 2), np.float32)).shape
    (1, 2)
    >>> [p.value.shape for p in net.parameters()]
    [(3, 4), (3,), (2, 3), (2,)]
    """

    def __init__(self, *layers):
        self.layers = list(layers)

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output):
        for layer in reversed(self.layers):
            grad_output = layer.backward(grad_output)
        return grad_output

    def __repr__(self):
        inner = "\n".join(f"  {layer!r}," for layer in self.layers)
        return f"Sequential(\n{inner}\n)"


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (N, K)
        Unnormalised class scores.
    labels : array_like of int, shape (N,)
        The right class of each example, in ``0 .. K-1``.

    Returns
    -------
    loss : float
        ``mean(-log softmax(logits)[n, labels[n]])``.
    grad_logits : ndarray, shape (N, K)
        ``(softmax(logits) - onehot(labels)) / N``: the gradient that starts
        backpropagation.

    Examples
    --------
    Equal scores for two classes: the probability of the right one is 1/2,
    and the loss ``log 2``.

    >>> import numpy as np
    >>> loss, g = softmax_cross_entropy(np.zeros((1, 2)), [0])
    >>> round(loss, 4), g
    (0.6931, array([[-0.5,  0.5]]))
    """
    logits = as_array(logits, "logits", 2)
    labels = np.asarray(labels)
    if labels.shape != (logits.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be {logits.shape[0]} integers (one per row of logits), "
                         f"got {describe(labels)}")
    if labels.min() < 0 or labels.max() >= logits.shape[1]:
        raise ValueError(f"labels must lie in 0..{logits.shape[1] - 1}, got values from "
                         f"{labels.min()} to {labels.max()}")
    shifted = logits - logits.max(axis=1, keepdims=True)  # exp never overflows
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    loss = float(-log_probs[rows, labels].mean())
    grad_logits = np.exp(log_probs)
    grad_logits[rows, labels] -= 1
    return loss, grad_logits / len(labels)


def _check_lr(lr):
    """The learning rate as a float > 0, or a clear error (a negative one climbs the loss)."""
    if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, (int, float, np.integer,
                                                                np.floating)):
        raise TypeError(f"lr (the learning rate) must be a number, got {describe(lr)}")
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr (the learning rate) must be a finite number > 0, got {lr}: "
                         f"a step of -lr times the gradient goes downhill only if lr > 0")
    return float(lr)


class SGD:
    """Stochastic gradient descent with momentum: ``v = m*v + g; p -= lr*v``.

    Examples
    --------
    >>> p = Parameter(np.array([1.0]))
    >>> p.grad[:] = 2.0
    >>> SGD([p], lr=0.1, momentum=0.0).step()
    >>> p.value                                   # 1 - 0.1*2
    array([0.8])
    """

    def __init__(self, parameters, lr=0.05, momentum=0.9):
        self.parameters = list(parameters)
        self.lr, self.momentum = _check_lr(lr), float(momentum)
        self._velocity = [np.zeros_like(p.value) for p in self.parameters]

    def step(self):
        """Move every parameter one step against its gradient."""
        for p, v in zip(self.parameters, self._velocity):
            v *= self.momentum
            v += p.grad
            p.value -= (self.lr * v).astype(p.value.dtype)


class Adam:
    """Adam: a step per parameter scaled by running averages of its gradient and its square.

    Examples
    --------
    >>> p = Parameter(np.array([1.0]))
    >>> p.grad[:] = 5.0
    >>> Adam([p], lr=0.1).step()                  # the first step is lr, whatever the scale
    >>> p.value.round(6)
    array([0.9])
    """

    def __init__(self, parameters, lr=0.01, betas=(0.9, 0.999), eps=1e-8):
        self.parameters = list(parameters)
        self.lr, self.betas, self.eps = _check_lr(lr), betas, float(eps)
        self._m = [np.zeros_like(p.value) for p in self.parameters]
        self._v = [np.zeros_like(p.value) for p in self.parameters]
        self._t = 0

    def step(self):
        """Move every parameter one step against its (normalised) gradient."""
        self._t += 1
        b1, b2 = self.betas
        correction1, correction2 = 1 - b1 ** self._t, 1 - b2 ** self._t
        for p, m, v in zip(self.parameters, self._m, self._v):
            m *= b1
            m += (1 - b1) * p.grad
            v *= b2
            v += (1 - b2) * p.grad * p.grad
            step = self.lr * (m / correction1) / (np.sqrt(v / correction2) + self.eps)
            p.value -= step.astype(p.value.dtype)


def shapes_dataset(n, size=16, seed=0, noise=0.15):
    """Made-up images of four shapes, with labels: a classification task in code.

    Classes (:data:`SHAPE_NAMES`): 0 horizontal bar, 1 vertical bar, 2 cross
    (a horizontal and a vertical bar crossing), 3 square outline. Each image
    places its shape at a random position with a random length, thickness 1
    or 2, brightness in [0.6, 1], plus Gaussian noise. Bars and crosses share
    strokes, and a square is made of bars: telling them apart needs the
    network to combine edge detectors, not just find one.

    Parameters
    ----------
    n : int
        Number of images; the classes take turns (``y = arange(n) % 4``,
        then shuffled).
    size : int, default 16
        Height and width, at least 8.
    seed : int, default 0
    noise : float, default 0.15
        Standard deviation of the added Gaussian noise.

    Returns
    -------
    x : ndarray of float32, shape (n, 1, size, size)
    y : ndarray of int64, shape (n,)

    Examples
    --------
    >>> x, y = shapes_dataset(8, size=8, seed=1, noise=0.0)
    >>> x.shape, x.dtype, y.shape
    ((8, 1, 8, 8), dtype('float32'), (8,))
    >>> print((x[y == 3][0, 0] > 0).astype(int))           # a square outline
    [[0 1 1 1 1 1 1 0]
     [0 1 0 0 0 0 1 0]
     [0 1 0 0 0 0 1 0]
     [0 1 0 0 0 0 1 0]
     [0 1 0 0 0 0 1 0]
     [0 1 1 1 1 1 1 0]
     [0 0 0 0 0 0 0 0]
     [0 0 0 0 0 0 0 0]]
    """
    n = check_int(n, "n", minimum=1)
    size = check_int(size, "size", minimum=8)
    rng = _rng(seed)
    if not isinstance(noise, (int, float)) or noise < 0:
        raise ValueError(f"noise must be a number >= 0, got {describe(noise)}")
    y = rng.permutation(np.arange(n) % 4).astype(np.int64)
    x = np.zeros((n, 1, size, size), np.float32)
    for k, label in enumerate(y):
        image = x[k, 0]
        value = rng.uniform(0.6, 1.0)
        thick = int(rng.integers(1, 3))
        if label in (0, 1):
            length = int(rng.integers(size // 2, size - 1))
            along = int(rng.integers(0, size - length + 1))
            across = int(rng.integers(0, size - thick + 1))
            if label == 0:
                image[across:across + thick, along:along + length] = value
            else:
                image[along:along + length, across:across + thick] = value
        elif label == 2:
            # a centre away from the border, then four arms of random lengths
            ci, cj = (int(v) for v in rng.integers(3, size - 3 - thick + 1, size=2))
            up, down, left, right = (int(v) for v in rng.integers(2, size // 2, size=4))
            image[ci:ci + thick, max(0, cj - left):cj + thick + right] = value
            image[max(0, ci - up):ci + thick + down, cj:cj + thick] = value
        else:
            side = int(rng.integers(5, size - 1))
            top, left = (int(v) for v in rng.integers(0, size - side + 1, size=2))
            image[top:top + side, left:left + side] = value
            inner = side - 2 * thick
            image[top + thick:top + thick + inner, left + thick:left + thick + inner] = 0
    if noise:
        x += rng.normal(0.0, noise, size=x.shape).astype(np.float32)
    return x, y


def tiny_cnn(seed=0, size=16, channels=(8, 16), classes=4):
    """Two conv-ReLU-pool blocks and a dense layer: the network of notebook 07.

    ``(N, 1, size, size) -> conv 3x3 -> ReLU -> pool 2 -> conv 3x3 -> ReLU ->
    pool 2 -> flatten -> dense -> (N, classes)`` logits; 'same' padding keeps
    sizes, each pool halves them.

    Examples
    --------
    >>> tiny_cnn()
    Sequential(
      Conv2d(1, 8, kernel_size=(3, 3), stride=1, padding=same),
      ReLU(),
      MaxPool2d(2),
      Conv2d(8, 16, kernel_size=(3, 3), stride=1, padding=same),
      ReLU(),
      MaxPool2d(2),
      Flatten(),
      Linear(256, 4),
    )
    >>> sum(p.value.size for p in tiny_cnn().parameters())
    2276
    """
    rng = _rng(seed)
    size = check_int(size, "size", minimum=4)
    c1, c2 = channels
    return Sequential(
        Conv2d(1, c1, 3, padding="same", seed=rng), ReLU(), MaxPool2d(2),
        Conv2d(c1, c2, 3, padding="same", seed=rng), ReLU(), MaxPool2d(2),
        Flatten(), Linear(c2 * (size // 4) ** 2, classes, seed=rng),
    )


def _blas_threads(count):
    """Limit BLAS to ``count`` threads inside the block, if threadpoolctl is installed.

    The matrices of a tiny CNN are small: splitting each product over threads
    costs more than it saves, and on a busy machine a BLAS thread waiting for
    a core stalls every product (8x slower training measured on a loaded
    2-core machine). The limit is undone when the block ends.
    """
    if count is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=count, user_api="blas")


def accuracy(model, x, y, batch_size=256):
    """Fraction of ``x`` that ``model`` classifies as ``y``.

    Examples
    --------
    >>> x, y = shapes_dataset(40, seed=3)
    >>> 0.0 <= accuracy(tiny_cnn(), x, y) <= 1.0
    True
    """
    correct = 0
    with _blas_threads(1):
        for start in range(0, len(x), batch_size):
            logits = model.forward(x[start:start + batch_size])
            correct += int((logits.argmax(axis=1) == y[start:start + batch_size]).sum())
    return correct / len(x)


def train(model, x, y, *, epochs=5, batch_size=32, optimizer="adam", lr=None, seed=0,
          validation=None, callback=None, blas_threads=1):
    """Train ``model`` on ``(x, y)`` by minibatch gradient descent; return its history.

    Parameters
    ----------
    model : Sequential
        Anything with ``forward``, ``backward`` and ``parameters``.
    x : ndarray, shape (N, C, H, W)
    y : ndarray of int, shape (N,)
    epochs : int, default 5
        Passes over the data, in a fresh random order each time.
    batch_size : int, default 32
    optimizer : {'adam', 'sgd'}
        Adam (default ``lr`` 0.01) or SGD with momentum 0.9 (default ``lr`` 0.05).
    lr : float, optional
    seed : int, default 0
        Seeds the order of the examples: with the model's seed, the whole
        run is deterministic.
    validation : (x_val, y_val), optional
        Held-out data, scored after every epoch.
    callback : callable, optional
        Called as ``callback(epoch, step, loss)`` after every step (for a
        progress bar or a live plot); a true return value stops training.
    blas_threads : int or None, default 1
        BLAS threads during training, if threadpoolctl is installed (None
        leaves BLAS alone). One is fastest for matrices this small.

    Returns
    -------
    dict
        ``'loss'``: the mean training loss of each epoch; ``'accuracy'``: the
        training accuracy during each epoch; ``'val_accuracy'``: held-out
        accuracy after each epoch (empty without ``validation``);
        ``'seconds'``: wall time so far at the end of each epoch.

    Examples
    --------
    >>> x, y = shapes_dataset(64, seed=0)
    >>> history = train(tiny_cnn(seed=0), x, y, epochs=2, validation=(x, y))
    >>> len(history['loss']), len(history['val_accuracy'])
    (2, 2)
    """
    x = as_array(x, "x", 4, what="image")
    y = np.asarray(y)
    if y.shape != (x.shape[0],):
        raise ValueError(f"y must hold one label per image, shape ({x.shape[0]},), "
                         f"got shape {y.shape}")
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    check_choice(optimizer, "optimizer", ("adam", "sgd"))
    if lr is not None:
        _check_lr(lr)
    if optimizer == "adam":
        opt = Adam(model.parameters(), lr=0.01 if lr is None else lr)
    else:
        opt = SGD(model.parameters(), lr=0.05 if lr is None else lr)
    rng = _rng(seed)
    with _blas_threads(blas_threads):
        return _train(model, x, y, epochs, batch_size, opt, rng, validation, callback)


def _train(model, x, y, epochs, batch_size, opt, rng, validation, callback):
    history = {"loss": [], "accuracy": [], "val_accuracy": [], "seconds": []}
    start = time.perf_counter()
    stop = False
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        total_loss, correct = 0.0, 0
        for step, first in enumerate(range(0, len(x), batch_size)):
            batch = order[first:first + batch_size]
            logits = model.forward(x[batch])
            loss, grad_logits = softmax_cross_entropy(logits, y[batch])
            model.backward(grad_logits.astype(logits.dtype, copy=False))
            opt.step()
            total_loss += loss * len(batch)
            correct += int((logits.argmax(axis=1) == y[batch]).sum())
            if callback is not None and callback(epoch, step, loss):
                stop = True
                break
        seen = min(len(x), (step + 1) * batch_size) if stop else len(x)
        history["loss"].append(total_loss / seen)
        history["accuracy"].append(correct / seen)
        if validation is not None:
            history["val_accuracy"].append(accuracy(model, *validation))
        history["seconds"].append(time.perf_counter() - start)
        if stop:
            break
    return history


def fit_kernel(image, target_output, start, *, learning_rate, steps, diverged=1e6):
    """Find a kernel by gradient descent: the one kernel of a one-channel convolution.

    Minimises the mean squared error between ``correlate2d(image, kernel)``
    and ``target_output``, from ``start``, by plain gradient descent:
    ``kernel <- kernel - learning_rate * dL/dkernel``, with ``dL/dkernel``
    the input correlated with ``dL/dy = 2 * (output - target) / N``
    (:func:`convlab.grad.conv2d_weight`).

    Parameters
    ----------
    image : ndarray, shape (H, W)
    target_output : ndarray, shape (H - kH + 1, W - kW + 1)
        The outputs to imitate ('valid' correlation, stride 1).
    start : ndarray, shape (kH, kW)
        The first kernel.
    learning_rate : float
    steps : int
        Steps to take, >= 0.
    diverged : float, default 1e6
        A loss this many times the first one (or an overflow) counts as
        diverged: the descent stops there.

    Returns
    -------
    kernel : ndarray, shape (kH, kW)
        The kernel after ``steps_done`` steps.
    losses : list of float
        ``losses[t]`` is the loss after ``t`` steps (``steps_done + 1`` values).
    steps_done : int
        ``steps``, or on divergence the last step whose loss was still bounded.
    is_diverged : bool

    Notes
    -----
    The products run on the input's im2col matrix ``X`` of shape
    ``(N, kH*kW)``: ``X @ w`` is :func:`convlab.correlate2d`'s output and
    ``X.T @ g`` is :func:`convlab.grad.conv2d_weight`'s gradient, the same
    numbers at a fraction of the cost (200 steps on a 24x24 image take about
    2 ms), which keeps the learning explorer's moves quick.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(4, 4) % 5
    >>> target = np.array([[0.0, 1.0], [-1.0, 0.0]])
    >>> from convlab import correlate2d
    >>> kernel, losses, done, bad = fit_kernel(x, correlate2d(x, target), np.zeros((2, 2)),
    ...                                        learning_rate=0.05, steps=200)
    >>> bool(np.allclose(kernel, target, atol=1e-3)), done, bad
    (True, 200, False)
    >>> losses[0] > 1e6 * losses[-1]
    True
    """
    image = as_array(image, "image", 2, what="image")
    start = as_array(start, "start", 2, what="kernel")
    target_output = as_array(target_output, "target_output", 2)
    expected = (image.shape[0] - start.shape[0] + 1, image.shape[1] - start.shape[1] + 1)
    if target_output.shape != expected:
        raise ValueError(f"target_output must have shape {expected} (the 'valid' output of "
                         f"a {start.shape[0]}x{start.shape[1]} kernel on the "
                         f"{image.shape[0]}x{image.shape[1]} image), got {target_output.shape}")
    steps = check_int(steps, "steps", minimum=0)
    columns = np.ascontiguousarray(im2col(image.astype(float), start.shape).T)
    y = target_output.astype(float).ravel()
    w = start.astype(float).ravel().copy()
    scale = 2.0 / y.size
    losses = []
    previous = w
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps + 1):
            residual = columns @ w - y
            loss = float(residual @ residual) / y.size
            if losses and (not np.isfinite(loss) or loss > diverged * max(losses[0], 1e-12)):
                return previous.reshape(start.shape), losses, len(losses) - 1, True
            losses.append(loss)
            if len(losses) > steps:
                break
            previous, w = w, w - learning_rate * scale * (columns.T @ residual)
    return w.reshape(start.shape), losses, steps, False
