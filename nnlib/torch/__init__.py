"""The PyTorch half of nnlib: what notebooks 05-10 use as a tool once the NumPy half has shown
how it works inside. Every module here imports torch; nothing in the NumPy half imports them.

- ``train``: PyTorch training on NumPy arrays (seeded mini-batches, ``train_epoch``,
  ``predict``, ``evaluate``, ``fit`` with a ``History``);
- ``models``: the shared models (LeNet-5, notebook 05's MLP) and parameter counts;
- ``augment``: random distortions of training digits, fresh every epoch;
- ``text``: a character-level CNN on a toy task (notebook 06);
- ``autoencoders``: fully connected and convolutional autoencoders and their training (07);
- ``gans``: GAN players, losses, training step and loop, sampling (08);
- ``census``: what a classifier says about a set of generated digits (08);
- ``attacks``: FGSM, PGD, adversarial training, digits in strange poses (09);
- ``sequences``: the digit-reversal task, a small decoder-only transformer, an LSTM, their
  training and exact-match scoring, a character-level language model's helpers (10);
- ``checkpoints``: stored weights (LeNet-5, the digit GAN), each with the recipe that made it;
- ``_checks``: the tensor checks these modules share (arrays in, tensors of the model's dtype out).

Import a module where it is used (``from nnlib.torch.attacks import fgsm``): this package
imports none of them itself.
"""
