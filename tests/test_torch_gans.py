"""nnlib.torch.gans: the players, their losses, one training step, the loop, sampling."""
import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnlib.gan_toys import mode_coverage, ring_modes, sample_modes
from nnlib.torch.gans import (MinibatchStd, decision_surface, discriminator_loss, fit_gan, gan_step,
                              generator_loss, mlp_discriminator, mlp_generator, noise, sample)


def players(seed=0, **d_options):
    return mlp_generator(seed, latent_dim=3, hidden=(16,)), mlp_discriminator(seed, 2, (16,), **d_options)


def test_players_have_the_promised_shapes_and_seeded_weights():
    G, D = players()
    z = noise(5, 3, rng=0)
    assert G(z).shape == (5, 2) and D(G(z)).shape == (5, 1)
    assert G.latent_dim == 3
    G2, D2 = players()
    for a, b in zip([*G.parameters(), *D.parameters()], [*G2.parameters(), *D2.parameters()]):
        torch.testing.assert_close(a, b)
    digits = mlp_generator(1, 8, (32,), 784, output="sigmoid")
    pixels = digits(noise(4, 8, rng=1))
    assert pixels.shape == (4, 784) and pixels.min() >= 0 and pixels.max() <= 1


def test_minibatch_std_appends_the_batch_spread():
    x = torch.tensor([[0.0, 1.0], [2.0, 1.0]])
    out = MinibatchStd()(x)
    torch.testing.assert_close(out[:, 2], torch.tensor([0.5, 0.5]))       # stds 1 and 0, mean 0.5
    torch.testing.assert_close(out[:, :2], x)
    _, D = players(minibatch_std=True)
    assert D(torch.zeros(4, 2)).shape == (4, 1)


def test_discriminator_loss_is_the_binary_cross_entropy_and_stable():
    real, fake = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0])
    expected = -(torch.log(torch.sigmoid(real)).mean() + torch.log(1 - torch.sigmoid(fake)).mean())
    torch.testing.assert_close(discriminator_loss(real, fake), expected)
    torch.testing.assert_close(discriminator_loss(torch.zeros(3), torch.zeros(2)), torch.tensor(2 * np.log(2.0), dtype=torch.float32))
    extreme = discriminator_loss(torch.tensor([-200.0]), torch.tensor([200.0]))
    torch.testing.assert_close(extreme, torch.tensor(400.0))               # finite, no log(0)


def test_generator_losses_and_their_gradients():
    logits = torch.tensor([-6.0, 0.0, 3.0], dtype=torch.float64, requires_grad=True)
    d = torch.sigmoid(logits.detach())
    torch.testing.assert_close(generator_loss(logits, "minimax"), torch.log(1 - d).mean())
    torch.testing.assert_close(generator_loss(logits, "non-saturating"), -torch.log(d).mean())
    (minimax,) = torch.autograd.grad(generator_loss(logits, "minimax"), logits)
    (saturating_free,) = torch.autograd.grad(generator_loss(logits, "non-saturating"), logits)
    torch.testing.assert_close(minimax, -d / 3)
    torch.testing.assert_close(saturating_free, -(1 - d) / 3)
    assert abs(minimax[0]) < 0.01 < abs(saturating_free[0])                 # D sure it is fake: minimax saturates


@pytest.mark.parametrize("call, message", [
    (lambda: discriminator_loss(np.zeros(2), torch.zeros(2)), "real_logits: expected a float tensor"),
    (lambda: discriminator_loss(torch.zeros(2), torch.zeros(0)), "fake_logits: expected at least one"),
    (lambda: generator_loss(torch.zeros(2), "wasserstein"), "kind: expected one of"),
    (lambda: generator_loss(torch.zeros(2, dtype=torch.int64)), "fake_logits: expected a float tensor"),
    (lambda: mlp_generator(0, output="tanh"), "output: expected 'linear' or 'sigmoid'"),
    (lambda: mlp_generator(0, latent_dim=0), "latent_dim: expected an int >= 1"),
    (lambda: noise(3, 2, rng=None), "rng: expected an int seed"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def snapshot(module):
    return [p.detach().clone() for p in module.parameters()]


def changed(before, module):
    return [not torch.equal(b, p) for b, p in zip(before, module.parameters())]


def test_the_step_moves_d_only_by_its_loss_and_g_only_by_its_own():
    G, D = players()
    g_opt, d_opt = torch.optim.SGD(G.parameters(), lr=0.1), torch.optim.SGD(D.parameters(), lr=0.1)
    real, z = torch.randn(8, 2, generator=torch.Generator().manual_seed(0)), noise(8, 3, rng=0)
    D_alone = copy.deepcopy(D)
    alone_opt = torch.optim.SGD(D_alone.parameters(), lr=0.1)
    alone_opt.zero_grad()
    discriminator_loss(D_alone(real), D_alone(G(z).detach())).backward()
    alone_opt.step()
    G_before = snapshot(G)
    result = gan_step(G, D, g_opt, d_opt, real, z)
    for p, q in zip(D.parameters(), D_alone.parameters()):
        torch.testing.assert_close(p, q)                  # G's step did not move D
    assert all(changed(G_before, G))
    assert all(p.grad is None or not p.grad.any() for p in D.parameters())
    assert 0 < result.d_fake < 1 and 0 < result.d_real < 1 and result.d_loss > 0


def test_g_steps_against_the_updated_d():
    G, D = players(1)
    g_opt, d_opt = torch.optim.SGD(G.parameters(), lr=0.1), torch.optim.SGD(D.parameters(), lr=0.5)
    real, z = torch.randn(8, 2, generator=torch.Generator().manual_seed(1)), noise(8, 3, rng=1)
    G_ref, D_ref = copy.deepcopy(G), copy.deepcopy(D)
    result = gan_step(G, D, g_opt, d_opt, real, z, kind="minimax")
    torch.testing.assert_close(torch.tensor(result.g_loss), generator_loss(D(G_ref(z)), "minimax").detach())


def test_fit_gan_learns_the_ring_and_records_its_history():
    centres = ring_modes(8, 2.0)
    X = sample_modes(centres, 0.05, 5000, rng=0)
    G = mlp_generator(0, latent_dim=4, hidden=(64, 64))
    D = mlp_discriminator(0, 2, (64, 64))
    snapshots = []
    history = fit_gan(G, D, X, steps=1500, batch_size=128, rng=0, record_every=500,
                      g_optimizer=torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999)),
                      d_optimizer=torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999)),
                      callback=lambda step, G, D: snapshots.append(step), progress=False)
    assert snapshots == [500, 1000, 1500]
    np.testing.assert_array_equal(history.steps, [500, 1000, 1500])
    assert len(history.d_loss) == len(history.g_loss) == len(history.d_real) == len(history.d_fake) == 3
    coverage = mode_coverage(sample(G, 1000, rng=1), centres, 0.05)
    assert coverage.modes_reached >= 4                    # a short run: the modes are being found


def test_fit_gan_refuses_a_batch_larger_than_the_data():
    G, D = players()
    opts = dict(g_optimizer=torch.optim.SGD(G.parameters(), lr=0.1), d_optimizer=torch.optim.SGD(D.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="batch_size: expected at most the 10 rows"):
        fit_gan(G, D, np.zeros((10, 2)), steps=1, batch_size=11, rng=0, **opts)


def test_sample_is_seeded_and_leaves_the_generator_as_it_was():
    G, _ = players()
    G.train()
    first, again, other = sample(G, 6, rng=3), sample(G, 6, rng=3), sample(G, 6, rng=4)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    assert first.shape == (6, 2) and G.training
    assert all(p.grad is None for p in G.parameters())


def test_decision_surface_is_d_on_a_grid():
    _, D = players()
    xs, ys, probabilities = decision_surface(D, (-1, 1), (-2, 2), resolution=5)
    assert probabilities.shape == (5, 5)
    expected = torch.sigmoid(D(torch.tensor([[xs[1], ys[3]]], dtype=torch.float32))).item()
    assert probabilities[3, 1] == pytest.approx(expected, rel=1e-6)


def test_fit_gan_steps_the_schedulers_every_step():
    G, D = players()
    g_opt, d_opt = torch.optim.SGD(G.parameters(), lr=0.1), torch.optim.SGD(D.parameters(), lr=0.1)
    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, lambda step: 0.5 ** step) for o in (g_opt, d_opt)]
    fit_gan(G, D, np.zeros((20, 2)), steps=3, batch_size=4, rng=0, record_every=1, schedulers=schedulers,
            g_optimizer=g_opt, d_optimizer=d_opt, progress=False)
    assert g_opt.param_groups[0]["lr"] == pytest.approx(0.1 / 8) == d_opt.param_groups[0]["lr"]
    with pytest.raises(ValueError, match="schedulers: expected learning-rate schedulers"):
        fit_gan(G, D, np.zeros((20, 2)), steps=1, batch_size=4, rng=0, schedulers=[0.5],
                g_optimizer=g_opt, d_optimizer=d_opt)
