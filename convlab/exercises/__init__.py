"""The course's exercises, one module per notebook; learners use them through :mod:`convlab.check`.

==========================  =========================================
notebook                    module
==========================  =========================================
01_kernels                  :mod:`convlab.exercises.kernels`
02_stride                   :mod:`convlab.exercises.stride`
03_filters                  :mod:`convlab.exercises.filters`
04_pooling                  :mod:`convlab.exercises.pooling`
05_padding                  :mod:`convlab.exercises.padding`
06_putting_it_together      :mod:`convlab.exercises.together`
07_learning_kernels         :mod:`convlab.exercises.learning`
08_training_a_tiny_cnn      :mod:`convlab.exercises.training`
09_transposed_convolution   :mod:`convlab.exercises.transposed`
==========================  =========================================

In a notebook's module each exercise is written in one place: its public
checker, a plain ``def name(answer)``, and just below it the definition of
everything else, made with ``@exercise(...)`` on the judge: the question text,
the default numbers, how a seed varies them, the reference answer worked by
hand, an independent route to the answer for any variant, and the judge that
turns an answer into a verdict. Adding an exercise touches that module and the
notebook's cell, nothing else: :mod:`convlab.check` re-exports every module's
``__all__``.
"""

from . import (kernels, stride, filters, pooling, padding, together, learning, training,
               transposed)
from ._registry import REGISTRY

__all__ = ["MODULES", "EXERCISES_BY_NAME"]

#: The notebook modules in course order.
MODULES = (kernels, stride, filters, pooling, padding, together, learning, training,
           transposed)

#: Every exercise by name, in course order (the same mapping as ``check.EXERCISES``).
EXERCISES_BY_NAME = REGISTRY
