"""The learning explorer: gradient descent finds a kernel (notebook 07)."""

from __future__ import annotations

import html

import numpy as np

import convlab
from convlab import grad
from convlab import kernels as gallery
from convlab._checks import check_choice, check_int
from convlab.learn import fit_kernel

from .explain import highlight_cell, verdict
from .frame import Explorer, caption, dropdown, html_output, image_output, ipw, slider
from .render import colorize, curve_png, fmt_g, grid_html, limits, message_html, picture, \
    pre, row

__all__ = ["learning_explorer"]

_LEARNING_RATES = [0.01, 0.03, 0.1, 0.3, 0.5, 1.0]
_SIDE = 24                        # the training image is at most 24 pixels a side
_DIVERGED = 1e6                   # a loss this many times the first one counts as diverged


def _torch_literal(kernel):
    """``torch.tensor(...)`` text for a (1, 1, k, k) kernel: small integers over a
    common denominator when the kernel has one (1/9, 1/16, ...), so it reads as the
    gallery's fractions; plain reprs otherwise."""
    for den in range(1, 257):
        scaled = kernel * den
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-9):
            rows = ", ".join("[" + ", ".join(f"{int(round(v))}." for v in r) + "]"
                             for r in scaled.tolist())
            return (f"torch.tensor([[[{rows}]]], dtype=x.dtype)"
                    + (f" / {den}" if den != 1 else ""))
    rows = ", ".join("[" + ", ".join(repr(float(v)) for v in r) + "]" for r in kernel.tolist())
    return f"torch.tensor([[[{rows}]]], dtype=x.dtype)"


def _learning_input(source, seed):
    if source == "photograph":
        from convlab import images

        return images.photograph(size=_SIDE)
    return np.random.default_rng(seed).random((_SIDE, _SIDE))


def _initial_kernel(shape, seed):
    """A seeded random start, rounded to two decimals so the PyTorch snippet can spell it."""
    raw = np.random.default_rng(1000 + seed).normal(0.0, 0.5, size=shape)
    return np.array([[float(f"{v:.2f}") for v in r] for r in raw])


def _explain_gradient(s, a, b, lr):
    """One weight's gradient written as the sum of grad_output times input values."""
    g, window, learned, core_value = s["grad_output"], s["window"], s["kernel"], s["cell_value"]
    shown = 6
    terms = [f"{fmt_g(gv) if gv >= 0 else '(' + fmt_g(gv) + ')'}\u00b7{fmt_g(xv)}" for gv, xv in
             zip(g.ravel()[:shown].tolist(), window.ravel()[:shown].tolist())]
    more = g.size - shown
    new_weight = float(learned[a, b] - lr * core_value)
    _, mark = verdict(s["explained_sum"], core_value)
    return (
        f'<div style="font:12px sans-serif">The gradient of weight w[{a}, {b}] adds, over '
        f"all {g.size} outputs, dL/dy[i, j] (how far each learned output is from the "
        f"target's, times 2/{g.size}) times the input pixel x[i+{a}, j+{b}] that weight "
        f"multiplied (the orange box on the input).</div>"
        f'<div style="font:12px monospace;margin-top:4px">dL/dw[{a}, {b}] = '
        f"\u03a3 dL/dy[i, j]\u00b7x[i+{a}, j+{b}] = {' + '.join(terms)} + \u2026 "
        f"({more} more terms)<br>= <b>{fmt_g(s['explained_sum'], 6)}</b>  "
        f"(convlab.grad.conv2d_weight "
        f'gives <b class="convlab-explain-value" data-value="{core_value!r}">'
        f"{fmt_g(core_value, 6)}</b>: {mark})<br>next step: w[{a}, {b}] \u2190 "
        f"{fmt_g(learned[a, b], 5)} \u2212 {lr}\u00b7({fmt_g(core_value, 4)}) = "
        f"{fmt_g(new_weight, 5)}</div>")


def _learning_info(s, name, source, seed_value):
    """The facts (loss, update rule), a divergence warning and the PyTorch loop."""
    g, losses, done, lr, image = (s["grad_output"], s["losses"], s["steps_done"],
                                  s["learning_rate"], s["input"])
    k = s["target"].shape
    side = f"{image.shape[0]}x{image.shape[1]}"
    facts = [f"loss = mean over the {g.size} outputs of (learned \u2212 target)\u00b2: "
             f"{fmt_g(losses[0], 4)} at the start, {fmt_g(losses[-1], 4)} after {done} "
             f"step{'s' if done != 1 else ''}",
             "one step: w \u2190 w \u2212 learning rate \u00b7 dL/dw, with dL/dw the "
             "input correlated with dL/dy"]
    warning = ""
    if s["diverged"]:
        warning = message_html(
            f"the learning rate {lr} is too large here: the loss grew from "
            f"{fmt_g(losses[0], 3)} past {_DIVERGED:g} times that by step {done + 1} "
            f"(gradient descent overshoots and diverges); showing step {done}, lower "
            f"the learning rate")
    init = ", ".join("[" + ", ".join(repr(v) for v in r) + "]" for r in s["initial"].tolist())
    x_line = (f"x = torch.rand(1, 1, {image.shape[0]}, {image.shape[1]})  # "
              + ("random pixels" if source != "photograph"
                 else "stands in for the photograph: use your own image"))
    code = "\n".join([
        "import torch", "import torch.nn.functional as F", x_line,
        f"target = {_torch_literal(s['target'])}  # {name}",
        "y = F.conv2d(x, target)  # the outputs to imitate",
        f"w = torch.tensor([[[{init}]]], dtype=x.dtype, requires_grad=True)  # seed "
        f"{seed_value}'s start",
        f"optimizer = torch.optim.SGD([w], lr={lr})",
        f"for step in range({done}):",
        "    optimizer.zero_grad()",
        "    loss = F.mse_loss(F.conv2d(x, w), y)",
        "    loss.backward()",
        "    optimizer.step()",
        "w  # the learned kernel"])
    info = (f'<div style="font:13px sans-serif"><b>output shape:</b> <span class="convlab-shape">'
            f"{side} input \u2192 {g.shape[0]}x{g.shape[1]} output, {k[0]}x{k[1]} kernel"
            f"</span></div>"
            + "".join(f'<div style="font:12px monospace" class="convlab-formula">'
                      f"{html.escape(f)}</div>" for f in facts)
            + warning
            + '<div style="font:12px sans-serif;margin-top:4px"><b>the same in PyTorch:</b>'
            "</div>" + pre(code))
    return facts, code, info


def _learning_pictures(outputs, s, image_rgb, name):
    """The input (the explained weight's box), both outputs, the loss curve, the kernels."""
    (a, b), done = s["cell"], s["steps_done"]
    # One colour scale for both outputs, so "the same picture" means the same numbers.
    low, high = limits(s["target_output"])
    outputs["input"].value = picture(s["input"], rgb=image_rgb,
                                     boxes=[(a, b) + s["grad_output"].shape], view=168)
    outputs["target_output"].value = picture(
        s["target_output"], rgb=colorize(s["target_output"], "gray", low, high), view=168)
    outputs["output"].value = picture(
        s["output"], rgb=colorize(s["output"], "gray", low, high), view=168)
    outputs["curve"].value = curve_png(s["losses"])
    hl = highlight_cell(s["target"].shape, a, b)
    outputs["kernels"].value = row(
        grid_html(s["target"], cmap="Oranges", digits=3, title=f"target: {name}"),
        grid_html(s["kernel"], cmap="Oranges", digits=3, highlight=hl,
                  title=f"learned after {done} step{'s' if done != 1 else ''}"),
        grid_html(s["gradient"], cmap="Greens", digits=4, highlight=hl,
                  title="gradient dL/dw now"))


def learning_explorer(target="sobel_x", learning_rate=0.3, steps=100, seed=0):
    """Gradient descent recovers a known kernel from input/output pairs.

    The target kernel (from :mod:`convlab.kernels`) makes the output of a
    small image; a second kernel, started from seeded random numbers, is
    moved step by step against the gradient of the mean squared difference
    between its output and the target's (:func:`convlab.learn.fit_kernel`).
    Watch the learned numbers approach the target's, the loss fall (or blow
    up when the learning rate is too large), and see the gradient of one
    weight written out as a sum.

    Parameters
    ----------
    target : str, default 'sobel_x'
        A name from :func:`convlab.kernels.names`.
    learning_rate : float, default 0.3
        One of 0.01, 0.03, 0.1, 0.3, 0.5, 1.0.
    steps : int, default 100
        Gradient-descent steps, 0..200.
    seed : int, default 0
        Seeds the random start (and the random-pixel image), 0..9.

    Returns
    -------
    ipywidgets.VBox
        The explorer; ``.controls``, ``.outputs`` and ``.state`` expose its parts
        (``state["kernel"]`` the learned kernel, ``state["losses"]`` the curve,
        ``state["gradient"]`` the gradient after the last step).

    Notes
    -----
    One move costs about ``steps`` small matrix-vector products on the
    ``(22*22, 9)`` im2col matrix of a 24x24 image (about 2 ms for 200 steps),
    the same numbers as :func:`convlab.correlate2d` and
    :func:`convlab.grad.conv2d_weight` compute.

    Examples
    --------
    >>> explorer = learning_explorer()
    >>> explorer.state["losses"][0] > 1000 * explorer.state["losses"][-1]
    True
    >>> import numpy as np
    >>> bool(np.allclose(explorer.state["kernel"], explorer.state["target"], atol=0.05))
    True
    """
    names = list(gallery.names())
    target = check_choice(target, "target", names)
    if learning_rate not in _LEARNING_RATES:
        raise ValueError(f"learning_rate must be one of {_LEARNING_RATES}, got {learning_rate!r}")
    steps = check_int(steps, "steps", minimum=0, maximum=200)
    seed = check_int(seed, "seed", minimum=0, maximum=9)
    curve = image_output("convlab-curve")
    curve.layout.width, curve.layout.height = "260px", "130px"   # never stretched by its box
    frame = Explorer("learning-explorer", "Learning explorer: gradient descent finds a kernel", {
        "target": dropdown("target kernel", names, target),
        "source": dropdown("input", ["random pixels", "photograph"], "random pixels"),
        "learning_rate": dropdown("learning rate", _LEARNING_RATES, learning_rate),
        "steps": slider("steps", steps, 0, 200),
        "seed": slider("seed (random start)", seed, 0, 9),
    }, {"kernels": html_output("convlab-kernel"), "curve": curve,
        "input": image_output(), "target_output": image_output(), "output": image_output(),
        "explain": html_output("convlab-explain"), "info": html_output("convlab-info")},
        cell=("explain weight row", "explain weight col"), cell_start=(1, 0))
    controls, outputs, state = frame.controls, frame.outputs, frame.state
    inputs = {}                 # a few inputs kept, so switching back is free

    def update():
        name, source = controls["target"].value, controls["source"].value
        lr, seed_value = controls["learning_rate"].value, controls["seed"].value
        target_kernel = gallery.get(name)
        key = (source, seed_value if source != "photograph" else None)
        if key not in inputs:
            if len(inputs) >= 8:
                inputs.pop(next(iter(inputs)))
            image = _learning_input(source, seed_value)
            inputs[key] = (image, colorize(image))
        image, image_rgb = inputs[key]
        target_output = convlab.correlate2d(image, target_kernel)
        start = _initial_kernel(target_kernel.shape, seed_value)
        learned, losses, done, diverged = fit_kernel(
            image, target_output, start, learning_rate=lr, steps=controls["steps"].value,
            diverged=_DIVERGED)
        learned_output = convlab.correlate2d(image, learned)
        g = 2.0 * (learned_output - target_output) / target_output.size
        gradient = grad.conv2d_weight(image[None], (1, 1) + target_kernel.shape, g[None])[0, 0]
        a, b = frame.pick_cell(target_kernel.shape)
        window = image[a:a + g.shape[0], b:b + g.shape[1]]
        products = g * window
        state.update(output=learned_output, target_output=target_output, kernel=learned,
                     target=target_kernel, initial=start, losses=losses, steps_done=done,
                     diverged=diverged, gradient=gradient, grad_output=g, input=image,
                     cell=(a, b), window=window, products=products,
                     explained_sum=float(products.sum()), cell_value=float(gradient[a, b]),
                     shape=learned_output.shape, learning_rate=lr)
        state["explain_ok"] = verdict(state["explained_sum"], state["cell_value"])[0]
        _learning_pictures(outputs, state, image_rgb, name)
        outputs["explain"].value = _explain_gradient(state, a, b, lr)
        facts, code, outputs["info"].value = _learning_info(state, name, source, seed_value)
        state.update(formula=facts, torch_code=code, torch_inputs={"x": image[None, None]})

    w = ipw()
    captions = ["input (box: what the explained weight multiplies)", "target's output",
                "learned kernel's output"]
    pictures = w.HBox([w.VBox([caption(text), outputs[key]])
                       for text, key in zip(captions, ("input", "target_output", "output"))])
    return frame.build(w.VBox([outputs["kernels"], outputs["curve"]]), pictures,
                       outputs["explain"], outputs["info"], update=update)
