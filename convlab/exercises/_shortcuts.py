"""Spotting the library shortcut in a "write the loop" exercise (internal to convlab.exercises).

``check.naive_correlate2d(convlab.correlate2d)`` would pass any test of the
outputs alone, since the expected outputs come from that very function. So
while the learner's function runs on the test cases, :class:`LibraryWatch`
watches (with :func:`sys.setprofile`, which sees every Python and C call) for
a call into one of the library convolutions, poolings and convolution
gradients (a transposed convolution is the input gradient), however it was
imported or renamed, and the verdict refuses it with a message.

An exercise whose learner may use those (07's descent loop calls the
correlation it is learning a kernel for) declares its own shortcuts with
:func:`refuse`, beside its definition; :class:`LibraryWatch` given that
exercise's name watches those instead.
"""

from __future__ import annotations

import inspect
import sys

__all__ = ["LibraryWatch", "refuse", "refused"]

_CONVLAB = {
    "convlab.convolution": ("correlate2d", "convolve2d", "conv2d", "conv1d", "conv3d"),
    "convlab.filters": ("apply_filter",),
    "convlab.pooling": ("max_pool2d", "avg_pool2d"),
    "convlab.naive": ("correlate2d", "convolve2d", "conv2d", "apply_filter", "max_pool2d",
                      "avg_pool2d", "conv2d_input", "conv2d_weight", "conv_transpose2d"),
    "convlab.grad": ("conv2d_input", "conv2d_weight"),
    "convlab.transposed": ("conv_transpose2d",),
}
_OTHERS = {
    "scipy.signal": ("correlate2d", "convolve2d", "correlate", "convolve", "fftconvolve",
                     "oaconvolve"),
    "scipy.ndimage": ("correlate", "convolve", "maximum_filter", "uniform_filter"),
    "torch.nn.functional": ("conv2d", "max_pool2d", "avg_pool2d", "max_pool2d_with_indices",
                            "conv_transpose2d"),
    "torch.nn.grad": ("conv2d_input", "conv2d_weight"),
    "torch": ("conv2d", "max_pool2d", "conv_transpose2d"),
    "skimage.util": ("view_as_windows",),
}


#: Exercise name -> {module: names}, the shortcuts of the exercises that declared their own.
_OWN: dict = {}


def refuse(name, table):
    """Watch, for exercise ``name``, the functions of ``table`` ({module: names}), not the default.

    The modules are convlab's own (imported when first watched).
    """
    _OWN[name] = {module: tuple(names) for module, names in table.items()}


def refused(name=None) -> str:
    """In words, what exercise ``name``'s function may not call (for the answer key).

    >>> import convlab.check                       # registers every exercise
    >>> refused("descent_loop")
    'convlab.learn.fit_kernel, convlab.learn.train'
    >>> refused()
    "the library's own convolution, pooling and their gradients"
    """
    if name in _OWN:
        return ", ".join(f"{module}.{function}" for module, names in _OWN[name].items()
                         for function in names)
    return "the library's own convolution, pooling and their gradients"


def _watched(name=None):
    """{code object or builtin: 'module.name'} for the library functions loaded now."""
    found = {}
    tables = ((_OWN[name], {}) if name in _OWN else (_CONVLAB, _OTHERS))
    for n, table in enumerate(tables):
        for module_name, names in table.items():
            module = sys.modules.get(module_name)
            if module is None and n == 0:
                __import__(module_name)
                module = sys.modules[module_name]
            if module is None:
                continue
            for name in names:
                function = getattr(module, name, None)
                if function is None:
                    continue
                label = f"{module_name}.{name}"
                try:
                    function = inspect.unwrap(function)
                except ValueError:
                    pass
                code = getattr(function, "__code__", None)
                found[code if code is not None else function] = label
    return found


class LibraryWatch:
    """A context manager; ``.called`` is a message naming the library function called, or ''.

    ``name``: the exercise whose function runs (its own shortcuts, if it declared any).
    """

    def __init__(self, name=None):
        self.called = ""
        self._watched = _watched(name)

    def _profile(self, frame, event, arg):
        if self.called:
            return
        if event == "call":
            label = self._watched.get(frame.f_code)
        elif event == "c_call":
            label = self._watched.get(arg)
        else:
            return
        if label:
            self.called = (f"your function calls {label}, the library's own version: the "
                           "exercise is to write the loops yourself.")

    def __enter__(self):
        self._previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(self._previous)
        return False
