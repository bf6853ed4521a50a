"""convlab.learn: the whole network's gradients equal PyTorch's, and training learns."""

import numpy as np
import pytest

from convlab import learn


def _float64(model):
    for p in model.parameters():
        p.value = p.value.astype(np.float64)
    return model


def _torch_twin(torch, model):
    """The same network in PyTorch, with the same weights."""
    nn = torch.nn
    layers = []
    for layer in model.layers:
        if isinstance(layer, learn.Conv2d):
            o, c, kh, kw = layer.weight.value.shape
            t = nn.Conv2d(c, o, (kh, kw), padding=layer.padding, dtype=torch.float64)
            t.weight.data = torch.from_numpy(layer.weight.value.copy())
            t.bias.data = torch.from_numpy(layer.bias.value.copy())
        elif isinstance(layer, learn.Linear):
            o, i = layer.weight.value.shape
            t = nn.Linear(i, o, dtype=torch.float64)
            t.weight.data = torch.from_numpy(layer.weight.value.copy())
            t.bias.data = torch.from_numpy(layer.bias.value.copy())
        elif isinstance(layer, learn.ReLU):
            t = nn.ReLU()
        elif isinstance(layer, learn.MaxPool2d):
            t = nn.MaxPool2d(layer.kernel_size, layer.stride)
        else:
            assert isinstance(layer, learn.Flatten)
            t = nn.Flatten()
        layers.append(t)
    return nn.Sequential(*layers)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_network_loss_and_every_gradient_equal_torch(seed, torch):
    model = _float64(learn.tiny_cnn(seed=seed))
    x, y = learn.shapes_dataset(6, seed=seed)
    x = x.astype(np.float64)
    logits = model.forward(x)
    loss, grad_logits = learn.softmax_cross_entropy(logits, y)
    grad_x = model.backward(grad_logits)

    twin = _torch_twin(torch, model)
    tx = torch.from_numpy(x).requires_grad_()
    tlogits = twin(tx)
    tloss = torch.nn.functional.cross_entropy(tlogits, torch.from_numpy(y))
    tloss.backward()

    np.testing.assert_allclose(logits, tlogits.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert loss == pytest.approx(tloss.item(), rel=1e-12)
    np.testing.assert_allclose(grad_x, tx.grad.numpy(), rtol=1e-8, atol=1e-12)
    torch_params = list(twin.parameters())
    ours = model.parameters()
    assert len(ours) == len(torch_params) == 6
    for p, t in zip(ours, torch_params):
        assert p.grad.shape == tuple(t.shape)
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_network_gradient_equals_central_differences():
    # no PyTorch: nudge a few weights of each parameter and watch the loss
    model = _float64(learn.tiny_cnn(seed=4, channels=(2, 3)))
    x, y = learn.shapes_dataset(4, seed=4)
    x = x.astype(np.float64)

    def loss():
        return learn.softmax_cross_entropy(model.forward(x), y)[0]

    loss_value, grad_logits = learn.softmax_cross_entropy(model.forward(x), y)
    model.backward(grad_logits)
    rng = np.random.default_rng(0)
    eps = 1e-6
    for p in model.parameters():
        analytic = p.grad.copy()
        for flat in rng.choice(p.value.size, size=min(4, p.value.size), replace=False):
            index = np.unravel_index(flat, p.value.shape)
            saved = p.value[index]
            p.value[index] = saved + eps
            plus = loss()
            p.value[index] = saved - eps
            minus = loss()
            p.value[index] = saved
            assert analytic[index] == pytest.approx((plus - minus) / (2 * eps), rel=1e-5, abs=1e-8)


def test_softmax_cross_entropy_by_hand():
    logits = np.array([[np.log(1.0), np.log(3.0)]])    # probabilities 1/4 and 3/4
    loss, g = learn.softmax_cross_entropy(logits, [1])
    assert loss == pytest.approx(-np.log(0.75))
    np.testing.assert_allclose(g, [[0.25, -0.25]])
    big = np.array([[1000.0, 0.0]])                      # no overflow
    assert learn.softmax_cross_entropy(big, [0])[0] == pytest.approx(0.0)
    with pytest.raises(ValueError, match="labels must lie in 0..1, got values from 0 to 2"):
        learn.softmax_cross_entropy(np.zeros((2, 2)), [0, 2])
    with pytest.raises(ValueError, match="labels must be 2 integers"):
        learn.softmax_cross_entropy(np.zeros((2, 2)), [0.0, 1.0])


def test_optimizers_step_as_their_formulas_say():
    p = learn.Parameter(np.array([1.0, -2.0]))
    p.grad = np.array([0.5, -1.0])
    sgd = learn.SGD([p], lr=0.1, momentum=0.9)
    sgd.step()                                     # v = g; p -= 0.1 * g
    np.testing.assert_allclose(p.value, [0.95, -1.9])
    sgd.step()                                     # v = 0.9 g + g = 1.9 g
    np.testing.assert_allclose(p.value, [0.95 - 0.095, -1.9 + 0.19])
    q = learn.Parameter(np.array([1.0, -2.0]))
    q.grad = np.array([0.5, -1e-3])
    learn.Adam([q], lr=0.01).step()                # Adam's first step: lr * sign(g)
    np.testing.assert_allclose(q.value, [0.99, -1.99], rtol=1e-6)


def test_shapes_dataset():
    x, y = learn.shapes_dataset(200, size=16, seed=5)
    assert x.shape == (200, 1, 16, 16) and x.dtype == np.float32
    assert y.dtype == np.int64 and np.bincount(y).tolist() == [50, 50, 50, 50]
    again = learn.shapes_dataset(200, size=16, seed=5)
    np.testing.assert_array_equal(x, again[0])
    np.testing.assert_array_equal(y, again[1])
    assert not np.array_equal(x, learn.shapes_dataset(200, size=16, seed=6)[0])
    clean, labels = learn.shapes_dataset(100, size=12, seed=1, noise=0.0)
    for image, label in zip(clean[:, 0], labels):
        rows = np.flatnonzero(image.any(axis=1))
        cols = np.flatnonzero(image.any(axis=0))
        if label == 0:                              # a horizontal bar: 1-2 rows, long
            assert len(rows) <= 2 and len(cols) >= 6
        elif label == 1:
            assert len(cols) <= 2 and len(rows) >= 6
        elif label == 2:                            # a cross: a full row and a full column
            assert len(rows) >= 5 and len(cols) >= 5
            assert (image > 0).sum() < len(rows) * len(cols) / 2
        else:                                       # a square outline: hollow
            assert len(rows) == len(cols) >= 5
            inside = image[rows[0] + 2:rows[-1] - 1, cols[0] + 2:cols[-1] - 1]
            assert inside.size > 0 and not inside.any()
    with pytest.raises(ValueError, match="size must be >= 8, got 4"):
        learn.shapes_dataset(10, size=4)


def test_training_learns_and_is_deterministic():
    x, y = learn.shapes_dataset(600, seed=0)
    x_val, y_val = learn.shapes_dataset(200, seed=1)
    model = learn.tiny_cnn(seed=0)
    history = learn.train(model, x, y, epochs=3, validation=(x_val, y_val), seed=0)
    assert history["loss"][-1] < history["loss"][0] < np.log(4) + 0.1
    assert history["val_accuracy"][-1] >= 0.8    # chance is 0.25
    assert learn.accuracy(model, x_val, y_val) == history["val_accuracy"][-1]
    twin = learn.tiny_cnn(seed=0)
    learn.train(twin, x[:64], y[:64], epochs=1, seed=3)
    again = learn.tiny_cnn(seed=0)
    learn.train(again, x[:64], y[:64], epochs=1, seed=3)
    for p, q in zip(twin.parameters(), again.parameters()):
        np.testing.assert_array_equal(p.value, q.value)
    assert all(p.value.dtype == np.float32 for p in model.parameters())


def test_sgd_training_and_callback_can_stop():
    x, y = learn.shapes_dataset(128, seed=2)
    calls = []

    def callback(epoch, step, loss):
        calls.append((epoch, step))
        return step == 2                           # stop after the third step

    history = learn.train(learn.tiny_cnn(seed=1), x, y, epochs=3, optimizer="sgd",
                          callback=callback)
    assert calls == [(0, 0), (0, 1), (0, 2)]
    assert len(history["loss"]) == 1 and history["val_accuracy"] == []
    with pytest.raises(ValueError, match="optimizer must be one of 'adam', 'sgd', got 'rmsprop'"):
        learn.train(learn.tiny_cnn(), x, y, optimizer="rmsprop")
    with pytest.raises(ValueError, match=r"y must hold one label per image, shape \(128,\)"):
        learn.train(learn.tiny_cnn(), x, y[:5])


@pytest.mark.parametrize("lr, error, message", [
    (-0.1, ValueError, r"lr \(the learning rate\) must be a finite number > 0, got -0.1"),
    (0.0, ValueError, r"lr \(the learning rate\) must be a finite number > 0, got 0.0"),
    (float("nan"), ValueError, r"lr \(the learning rate\) must be a finite number > 0, got nan"),
    ("0.1", TypeError, r"lr \(the learning rate\) must be a number, got '0.1'"),
    (True, TypeError, r"lr \(the learning rate\) must be a number, got True"),
])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_a_learning_rate_that_cannot_descend_is_refused(lr, error, message, optimizer):
    x, y = learn.shapes_dataset(8, seed=0)
    model = learn.tiny_cnn(seed=0)
    before = [p.value.copy() for p in model.parameters()]
    with pytest.raises(error, match=message):
        learn.train(model, x, y, epochs=1, optimizer=optimizer, lr=lr)
    assert all(np.array_equal(b, p.value) for b, p in zip(before, model.parameters()))
    optimiser = learn.Adam if optimizer == "adam" else learn.SGD
    with pytest.raises(error, match=message):
        optimiser(model.parameters(), lr=lr)
