"""The course's exercises, one module per notebook; learners use them through :mod:`convlab.check`.

==========================  =========================================
notebook                    module
==========================  =========================================
00_convolutional_networks   :mod:`convlab.exercises.networks`
01_kernels                  :mod:`convlab.exercises.kernels`
02_stride                   :mod:`convlab.exercises.stride`
03_filters                  :mod:`convlab.exercises.filters`
04_pooling                  :mod:`convlab.exercises.pooling`
05_padding                  :mod:`convlab.exercises.padding`
06_putting_it_together      :mod:`convlab.exercises.together`
07_learning_kernels         :mod:`convlab.exercises.learning`
08_training_a_tiny_cnn      :mod:`convlab.exercises.training`
09_transposed_convolution   :mod:`convlab.exercises.transposed`
10_convolution_variants     :mod:`convlab.exercises.variants`
11_assignment_conv_layer    :mod:`convlab.exercises.assignment`
==========================  =========================================

In a notebook's module each exercise is written in one place: its public
checker, a plain ``def name(answer)``, and just below it the definition of
everything else, made with ``@exercise(...)`` on the judge: the question text,
the default numbers, how a seed varies them, the reference answer worked by
hand, an independent route to the answer for any variant, and the judge that
turns an answer into a verdict. Adding an exercise touches that module and the
notebook's cell, nothing else: :mod:`convlab.check` re-exports every module's
``__all__``. For instance, a sixth exercise for 02_stride, in ``stride.py``::

    def stride_last_start(answer):
        "Check exercise 02.5 (where the last window starts); prints the verdict."
        report("stride_last_start", answer)


    @exercise(
        stride_last_start, title="The last window", answer="a whole number",
        question="A {kernel_size}-wide kernel, stride {stride}, on a row of {input_size} "
                 "pixels: at which column does the last window start?",
        numbers=dict(input_size=11, kernel_size=3, stride=2),
        variant=lambda rng, seed: dict(input_size=int(rng.integers(8, 20)),
                                       kernel_size=3, stride=int(rng.integers(2, 4))),
        solve=lambda m: _starts(m["input_size"], m["kernel_size"], m["stride"])[-1],
        reference=8,              # windows start at 0, 2, 4, 6, 8; 10 would need 10..12
    )
    def _stride_last_start(m, answer):
        mine = whole_number(answer)
        expected = (output_size(m["input_size"], m["kernel_size"], stride=m["stride"])
                    - 1) * m["stride"]
        if mine == expected:
            return correct("...")
        return wrong("...")      # the method or a named misconception, never the answer

then add the name to ``__all__`` and the notebook's cells ``check.question(
"stride_last_start")`` and ``answer = ...`` / ``check.stride_last_start(answer)``.
tests/test_exercise_variants.py and tests/test_feedback.py pick the new exercise
up by themselves; tests/test_check.py wants one typical wrong answer for it.

The judges' shared helpers (answer readers, ``Verdict``, the array
comparison) are in the internal ``_judging`` module; the registry, seeds and
feedback levels in ``_registry``; the library-shortcut watch in ``_shortcuts``.
"""

from . import (networks, kernels, stride, filters, pooling, padding, together, learning,
               training, transposed, variants)
from . import assignment
from ._registry import REGISTRY

__all__ = ["MODULES", "EXERCISES_BY_NAME"]

#: The notebook modules in course order.
MODULES = (networks, kernels, stride, filters, pooling, padding, together, learning, training,
           transposed, variants, assignment)

#: Every exercise by name, in course order (the same mapping as ``check.EXERCISES``).
EXERCISES_BY_NAME = REGISTRY
