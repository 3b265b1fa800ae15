"""nnlib.torch.attacks: FGSM and PGD stay in the ball and in [0, 1], leave the model untouched,
are reproducible; PGD is at least as strong as FGSM; adversarial training; strange poses."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import nnlib.torch.train
from nnlib.mnist import load_mnist, shift_images
from nnlib.torch.attacks import (accuracy, accuracy_under_attack, adversarial_examples, fgsm, fgsm_rs_epoch,
                                 loss_gradient, max_softmax_score, pgd, pgd_step, transform_digits)


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


def small_mlp(seed=0, n_hidden=32):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(784, n_hidden), torch.nn.ReLU(), torch.nn.Linear(n_hidden, 10))


@pytest.fixture(scope="module")
def digits():
    mnist = load_mnist()
    return mnist.X_train[:1500], mnist.y_train[:1500], mnist.X_test[:200], mnist.y_test[:200]


@pytest.fixture(scope="module")
def trained(digits):
    """A 784-32-10 network trained for 4 epochs on 1,500 digits (about 80 % of 200 test digits right),
    its gradients cleared."""
    torch.set_num_threads(1)
    X, y, _, _ = digits
    model = small_mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(4):
        nnlib.torch.train.train_epoch(model, (X, y), optimizer, F.cross_entropy, batch_size=64, rng=0)
    optimizer.zero_grad(set_to_none=True)
    return model.eval()


def snapshot(model):
    return {name: p.detach().clone() for name, p in model.named_parameters()}


# ---- the perturbation: size, sign, clamping, projection --------------------------------------

def test_fgsm_moves_every_pixel_by_epsilon_up_the_loss_then_clamps(trained, digits):
    _, _, X, y = digits
    x, eps = torch.as_tensor(X[:20]), 0.1
    x_adv = fgsm(trained, x, y[:20], eps)
    gradient = loss_gradient(trained, x, y[:20])
    expected = (x + eps * gradient.sign()).clamp(0, 1)
    torch.testing.assert_close(x_adv, expected, rtol=0, atol=0)
    assert float((x_adv - x).abs().max()) <= eps + 1e-7
    assert float(x_adv.min()) >= 0 and float(x_adv.max()) <= 1
    inside = (x > eps) & (x < 1 - eps) & (gradient != 0)
    torch.testing.assert_close((x_adv - x)[inside].abs(), torch.full_like(x[inside], eps), rtol=0, atol=1e-6)
    loss_clean = F.cross_entropy(trained(x), torch.as_tensor(y[:20]))
    loss_adv = F.cross_entropy(trained(x_adv), torch.as_tensor(y[:20]))
    assert loss_adv > loss_clean


def test_targeted_fgsm_goes_down_the_loss_of_the_target(trained, digits):
    _, _, X, y = digits
    x, targets = torch.as_tensor(X[:20]), (y[:20] + 1) % 10
    x_adv = fgsm(trained, x, targets, 0.05, targeted=True)
    with torch.no_grad():
        before = F.cross_entropy(trained(x), torch.as_tensor(targets))
        after = F.cross_entropy(trained(x_adv), torch.as_tensor(targets))
    assert after < before


def test_pgd_step_steps_projects_into_the_ball_and_clamps():
    x = torch.tensor([[0.5, 0.5, 0.95, 0.02]])
    x_adv = torch.tensor([[0.55, 0.45, 0.95, 0.02]])
    gradient = torch.tensor([[1.0, 1.0, 2.0, -3.0]])
    got = pgd_step(x_adv, gradient, x, epsilon=0.1, step_size=0.08)
    # 0.55 + 0.08 = 0.63 -> projected to 0.6; 0.45 + 0.08 = 0.53; 0.95 + 0.08 -> ball 1.05 -> clamp 1; 0.02 - 0.08 -> 0
    torch.testing.assert_close(got, torch.tensor([[0.6, 0.53, 1.0, 0.0]]))


def test_pgd_stays_in_the_ball_and_in_the_unit_box(trained, digits):
    _, _, X, y = digits
    x = torch.as_tensor(X[:50])
    for eps in (0.05, 0.2):
        x_adv = pgd(trained, x, y[:50], eps, steps=10, restarts=2, rng=0)
        assert x_adv.shape == x.shape
        assert float((x_adv - x).abs().max()) <= eps + 1e-6
        assert float(x_adv.min()) >= 0 and float(x_adv.max()) <= 1


def test_targeted_pgd_with_a_large_ball_makes_the_model_say_the_target(trained, digits):
    _, _, X, y = digits
    targets = (y[:30] + 3) % 10
    x_adv = pgd(trained, X[:30], targets, 0.3, steps=40, step_size=0.02, targeted=True, rng=1)
    assert np.mean(nnlib.torch.train.predict(trained, x_adv).argmax(axis=1) == targets) >= 0.9


# ---- the model is left as it was -------------------------------------------------------------

@pytest.mark.parametrize("mode", ["eval", "train"])
def test_attacks_leave_parameters_flags_gradients_and_mode_untouched(trained, digits, mode):
    _, _, X, y = digits
    before = snapshot(trained)
    trained.train(mode == "train")
    first = next(trained.parameters())
    first.requires_grad_(False)                     # a frozen layer must stay frozen
    try:
        fgsm(trained, X[:10], y[:10], 0.1)
        pgd(trained, X[:10], y[:10], 0.1, steps=3, rng=0)
        accuracy_under_attack(trained, X[:10], y[:10], pgd, 0.1, steps=2, rng=0)
        assert trained.training == (mode == "train")
        assert [p.requires_grad for p in trained.parameters()] == [False, True, True, True]
        assert all(p.grad is None for p in trained.parameters())
        for name, p in trained.named_parameters():
            torch.testing.assert_close(p.detach(), before[name], rtol=0, atol=0)
    finally:
        first.requires_grad_(True)
        trained.eval()


def test_dropout_is_off_during_an_attack(digits):
    _, _, X, y = digits
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 16), torch.nn.Dropout(0.5), torch.nn.Linear(16, 10)).train()
    first, second = fgsm(model, X[:10], y[:10], 0.1), fgsm(model, X[:10], y[:10], 0.1)
    torch.testing.assert_close(first, second, rtol=0, atol=0)
    assert model.training


# ---- reproducible, and stronger with more effort ---------------------------------------------

def test_pgd_is_reproducible_with_a_seed_and_the_start_depends_on_it(trained, digits):
    _, _, X, y = digits
    first = pgd(trained, X[:40], y[:40], 0.1, steps=5, rng=3)
    again = pgd(trained, X[:40], y[:40], 0.1, steps=5, rng=np.random.default_rng(3))
    other = pgd(trained, X[:40], y[:40], 0.1, steps=5, rng=4)
    torch.testing.assert_close(first, again, rtol=0, atol=0)
    assert not torch.equal(first, other)


def test_more_steps_and_more_restarts_never_raise_the_robust_accuracy(trained, digits):
    _, _, X, y = digits
    eps, step_size = 0.06, 0.01
    by_steps = [accuracy_under_attack(trained, X, y, pgd, eps, steps=s, step_size=step_size, rng=0)
                for s in (1, 3, 10)]
    by_restarts = [accuracy_under_attack(trained, X, y, pgd, eps, steps=3, step_size=step_size, restarts=r, rng=0)
                   for r in (1, 2, 4)]
    assert by_steps[0] >= by_steps[1] >= by_steps[2] and by_steps[0] > by_steps[2], by_steps
    assert by_restarts[0] >= by_restarts[1] >= by_restarts[2], by_restarts
    assert by_restarts[0] == by_steps[1]


def test_pgd_is_never_weaker_than_fgsm_and_accuracy_falls_with_epsilon(trained, digits):
    _, _, X, y = digits
    epsilons = [0.0, 0.02, 0.05, 0.1, 0.15]
    fgsm_curve = [accuracy_under_attack(trained, X, y, fgsm, eps) for eps in epsilons]
    pgd_curve = [accuracy_under_attack(trained, X, y, pgd, eps, steps=10, rng=0) for eps in epsilons]
    assert fgsm_curve[0] == pgd_curve[0] == accuracy(trained, X, y) > 0.75
    for eps, fgsm_accuracy, pgd_accuracy in zip(epsilons, fgsm_curve, pgd_curve):
        assert pgd_accuracy <= fgsm_accuracy, f"epsilon {eps}: PGD {pgd_accuracy} > FGSM {fgsm_accuracy}"
    assert all(a >= b for a, b in zip(pgd_curve, pgd_curve[1:])), pgd_curve
    assert pgd_curve[-1] < 0.2


def test_adversarial_examples_are_batched_in_order(trained, digits):
    _, _, X, y = digits
    whole = adversarial_examples(trained, X[:30], y[:30], fgsm, 0.1)
    batched = adversarial_examples(trained, X[:30], y[:30], fgsm, 0.1, batch_size=7)
    assert isinstance(whole, np.ndarray) and whole.shape == (30, 784)
    np.testing.assert_array_equal(whole, batched)


# ---- adversarial training -------------------------------------------------------------------

def test_fgsm_rs_training_is_reproducible_and_buys_robustness(digits):
    X, y, X_test, y_test = digits

    def train(adversarial, seed=0):     # (a 32-unit network does not learn at all against epsilon 0.1)
        model, rng = small_mlp(seed, n_hidden=100), np.random.default_rng(seed)
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        for _ in range(4):
            if adversarial:
                loss = fgsm_rs_epoch(model, X, y, optimizer, 0.1, rng=rng)
            else:
                loss = nnlib.torch.train.train_epoch(model, (X, y), optimizer, F.cross_entropy, batch_size=64, rng=rng)
        return model, loss

    standard, _ = train(False)
    robust, loss = train(True)
    _, loss_again = train(True)
    assert loss == loss_again and np.isfinite(loss)
    robust_pgd = accuracy_under_attack(robust, X_test, y_test, pgd, 0.1, steps=10, rng=0)
    standard_pgd = accuracy_under_attack(standard, X_test, y_test, pgd, 0.1, steps=10, rng=0)
    assert robust_pgd > standard_pgd + 0.2, (robust_pgd, standard_pgd)


# ---- strange poses and confidence -------------------------------------------------------------

def test_transform_digits_rotates_counter_clockwise_scales_and_shifts(digits):
    X = digits[0][:5]
    images = X.reshape(-1, 28, 28)
    np.testing.assert_allclose(transform_digits(X), X, atol=1e-6)
    np.testing.assert_allclose(transform_digits(X, angle=90).reshape(-1, 28, 28), np.rot90(images, axes=(1, 2)),
                               atol=1e-6)
    np.testing.assert_allclose(transform_digits(X, angle=360), X, atol=1e-5)
    np.testing.assert_allclose(transform_digits(X, shift=(2, -3)), shift_images(X, 2, -3), atol=1e-6)
    one_dot = np.zeros((1, 784), np.float32)
    one_dot[0, 13 * 28 + 20] = 1.0                    # 6.5 pixels right of the centre (13.5, 13.5)
    grown = transform_digits(one_dot, scale=2.0).reshape(28, 28)
    assert np.unravel_index(grown.argmax(), grown.shape)[1] in (26, 27)
    rotated = transform_digits(X, angle=30)
    assert rotated.dtype == np.float32 and rotated.shape == X.shape
    assert rotated.min() >= 0 and rotated.max() <= 1


def test_max_softmax_score_is_the_largest_probability(trained, digits):
    _, _, X, _ = digits
    scores = max_softmax_score(trained, X[:10])
    with torch.no_grad():
        expected = torch.softmax(trained(torch.as_tensor(X[:10])).double(), dim=1).max(dim=1).values.numpy()
    np.testing.assert_allclose(scores, expected, rtol=1e-6)
    assert scores.shape == (10,) and np.all((scores >= 0.1) & (scores <= 1))


# ---- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda m, x, y: fgsm(m, x, y, -0.1), "epsilon: expected a finite number >= 0"),
    (lambda m, x, y: fgsm(m, x * 2, y, 0.1), "x: expected pixels in [0, 1]"),
    (lambda m, x, y: fgsm(m, x, y[:3], 0.1), "y: expected 5 targets"),
    (lambda m, x, y: pgd(m, x, y, 0.1), "rng: expected a seed"),
    (lambda m, x, y: pgd(m, x, y, 0.1, steps=0, rng=0), "steps: expected an int >= 1"),
    (lambda m, x, y: pgd(m, x, y, 0.1, step_size=0, rng=0), "step_size: expected a positive number"),
    (lambda m, x, y: pgd_step(x, x[:2], x, 0.1, 0.01), "expected the same shape"),
    (lambda m, x, y: accuracy_under_attack(m, x, y, "pgd", 0.1), "attack: expected a function"),
    (lambda m, x, y: transform_digits(x[:, :100]), "X: expected digits as rows of 784 pixels"),
    (lambda m, x, y: transform_digits(x, scale=0), "scale: expected a positive number"),
    (lambda m, x, y: fgsm(None, x, y, 0.1), "model: expected a torch.nn.Module"),
])
def test_bad_input_gets_a_clear_error(digits, call, message):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        call(small_mlp(), torch.as_tensor(X[:5]), y[:5])
