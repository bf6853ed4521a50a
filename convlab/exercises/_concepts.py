"""Conceptual questions: multiple choice with checked answers (internal; see convlab.check).

A conceptual question is an ordinary exercise of kind ``'choice'``: a public
checker ``def name(answer)`` in its notebook's module, registered with
:func:`choice` instead of ``@exercise``. The options are written once, the
right one and the wrong ones apart, and each wrong option carries its own
explanation: the misconception it stands for and why it fails. That
explanation is the hint a learner gets for choosing it (at feedback level
'hints' only), and it never points at the right option.

A seed shuffles the options and, with ``variant``, varies the numbers in them;
the values the options show are computed per seed (``derive``, with convlab for
the true one), and the right letter follows from where the right option landed.
The answer is one letter as a string: ``"b"``, ``"B)"``, ``"(b)"``, ``" b. "``.

"Predict, then check" items are questions of this kind whose notebook cell is
followed by a cell that computes and shows the truth.
"""

from __future__ import annotations

import re
import string
import textwrap
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ._judging import Malformed, check_filled, correct, describe, show
from ._judging import wrong as wrong_verdict
from ._registry import exercise

__all__ = ["choice", "Choices", "read_letter", "LETTERS"]

#: The option letters, in order; a question has two to five options.
LETTERS = "abcde"

#: The key of a question's materials that holds the order of its options.
ORDER = "option_order"

_LETTER = re.compile(r"^\(?\s*([a-z])\s*[).:]?$", re.IGNORECASE)


def read_letter(answer, count) -> str:
    """The option letter ``answer`` names, lower case; a :class:`Malformed` for anything else.

    Parameters
    ----------
    answer : object
        The learner's answer: ``"b"``, ``"B"``, ``" b "``, ``"b)"``, ``"(b)"``, ``"b."``.
    count : int
        How many options the question has (2 to 5): letters past it are refused.
    """
    check_filled(answer)
    allowed = LETTERS[:count]
    listed = ", ".join(allowed[:-1]) + " or " + allowed[-1]
    expected = f"one letter, {listed}, as a string such as \"{allowed[0]}\""
    if not isinstance(answer, str):
        raise Malformed(f"the answer should be {expected}, but got {describe(answer)}.")
    found = _LETTER.match(answer.strip())
    if found is None:
        raise Malformed(f"the answer should be {expected}, but got {answer!r}.")
    letter = found.group(1).lower()
    if letter not in allowed:
        raise Malformed(f"there is no option {letter}: the answer should be {expected}.")
    return letter


@dataclass(frozen=True)
class Choices:
    """A question's options: the right one, the wrong ones with their explanations, the why.

    Texts are templates: ``{placeholders}`` are filled from the question's
    materials and from ``derive(materials)``. ``order`` in the materials (the
    ``'option_order'`` key) lists the option indices letter by letter, index 0
    being the right option and 1.. the wrong ones in the order written.
    """

    right: str
    wrong: tuple       # ((option text, explanation), ...)
    why: str
    derive: Callable | None = None

    @property
    def count(self) -> int:
        """How many options the question has."""
        return 1 + len(self.wrong)

    def values(self, m) -> dict:
        """The placeholders' values: the materials, and what ``derive`` computes from them."""
        values = {key: show(value) for key, value in m.items() if key != ORDER}
        if self.derive is not None:
            values.update({key: show(value) for key, value in self.derive(m).items()})
        return values

    def texts(self, m) -> list:
        """The option texts in letter order, filled in."""
        values = self.values(m)
        written = [self.right] + [text for text, _ in self.wrong]
        return [written[index].format(**values) for index in m[ORDER]]

    def right_letter(self, m) -> str:
        """The letter the right option has in this question's order."""
        return LETTERS[list(m[ORDER]).index(0)]

    def right_text(self, m) -> str:
        """The right option's text, filled in."""
        return self.right.format(**self.values(m))

    def explanation(self, m, letter) -> str:
        """The explanation of the wrong option at ``letter``, filled in."""
        index = m[ORDER][LETTERS.index(letter)]
        return self.wrong[index - 1][1].format(**self.values(m))

    def reason(self, m) -> str:
        """The worked reason, filled in."""
        return self.why.format(**self.values(m))

    def block(self, m) -> str:
        """The options as the question shows them: ``  a) ...`` lines, wrapped."""
        lines = []
        for letter, text in zip(LETTERS, self.texts(m)):
            lines.append(textwrap.fill(text, 88, initial_indent=f"  {letter}) ",
                                       subsequent_indent="     ", break_on_hyphens=False))
        return "\n".join(lines)


def _default_order(count, reference) -> tuple:
    """The right option (0) at ``reference``'s letter, the wrong ones in written order."""
    order = list(range(1, count))
    order.insert(LETTERS.index(reference), 0)
    return tuple(order)


def choice(checker, *, title, question, right, wrong, why, reference, numbers=None,
           variant=None, derive=None, shuffle=True, points=1, name=None):
    """Register the multiple-choice question whose public checker is ``checker``.

    Parameters
    ----------
    checker : function
        The public ``def name(answer)`` just above (its body: ``report(name, answer)``).
    title : str
        A few words, e.g. 'Predict: stride and the size of the picture'.
    question : str
        The question with ``{placeholders}``; the options are shown after it.
    right : str
        The right option's text (placeholders allowed).
    wrong : dict of str to str
        ``{option text: explanation}`` for one to four wrong options; each
        explanation names the misconception and why it fails, never the right option.
    why : str
        The worked reason, shown with a right answer and by ``check.solution``.
    reference : str
        The right letter for the default numbers: the right option is shown there
        in the committed notebook, the wrong ones around it in the order written.
    numbers : dict, optional
        The default numbers for the placeholders.
    variant : callable, optional
        ``variant(rng, seed) -> numbers`` for a seed (same keys as ``numbers``).
    derive : callable, optional
        ``derive(numbers) -> dict`` of values computed from them (with convlab for
        the true one), for the placeholders of the texts.
    shuffle : bool
        Whether a seed shuffles the options (default True).
    points : int
        The weight when graded.
    name : str, optional
        The exercise's name when it is not the checker's.

    Returns
    -------
    Exercise
        The registered exercise (``kind == 'choice'``).
    """
    wrong = tuple((str(text), str(explanation)) for text, explanation in dict(wrong).items())
    count = 1 + len(wrong)
    if not 2 <= count <= len(LETTERS):
        raise ValueError(f"wrong must hold 1 to {len(LETTERS) - 1} options, got {len(wrong)}")
    if not (isinstance(reference, str) and reference in LETTERS[:count]):
        raise ValueError(f"reference must be one of {list(LETTERS[:count])}, got {reference!r}")
    options = Choices(right=right, wrong=wrong, why=why, derive=derive)
    defaults = dict(numbers or {})
    defaults[ORDER] = _default_order(count, reference)

    def seeded(rng, seed):
        m = dict(variant(rng, seed)) if variant is not None else \
            {key: value for key, value in defaults.items() if key != ORDER}
        m[ORDER] = tuple(int(i) for i in rng.permutation(count)) if shuffle \
            else defaults[ORDER]
        return m

    letters = LETTERS[:count]

    def judge(m, answer):
        mine = read_letter(answer, count)
        if mine == options.right_letter(m):
            return correct(options.reason(m))
        return wrong_verdict(options.explanation(m, mine))

    checker_name = name or checker.__name__
    judge.__module__ = checker.__module__
    judge.__name__ = judge.__qualname__ = f"_{checker_name}"
    exercise(checker, title=title, answer=f"one letter, {letters[0]} to {letters[-1]}, as a "
                                          f"string such as \"{letters[0]}\"",
             question=question + "\n{options_block}", numbers=defaults,
             reference=reference, solve=options.right_letter, variant=seeded, kind="choice",
             points=points, present=lambda m: {**m, **options.values(m),
                                               "options_block": options.block(m)},
             name=name, choices=options)(judge)
    from ._registry import REGISTRY

    return REGISTRY[checker_name]

