"""nnlib: the small library the course's notebooks share.

NumPy first, so that every line of the from-scratch part can be read (none of these modules
imports torch):

- ``activations``, ``losses``: functions with their derivatives / gradients, side by side;
- ``layers``, ``network``: Dense, Activation, Softmax and Dropout layers, ``Sequential``,
  ``SGD``, ``fit`` with a training ``History`` and ``EarlyStopping``;
- ``conv``: convolution (loops to read, im2col for speed) and the Conv2D, MaxPool2D,
  AvgPool2D, MinPool2D and Flatten layers, in PyTorch's NCHW layout;
- ``kernels``: the classic 3x3 image kernels (edges, sharpen, blur) and a sample photograph;
- ``autograd``: a scalar ``Value`` that records its computational graph, and ``draw_graph``;
- ``gradcheck``: centred finite differences and relative errors;
- ``perceptron``: the perceptron, its learning rule, the sigmoid neuron;
- ``data``, ``mnist``: seeded toy data sets; MNIST with an offline default;
- ``plots``: decision boundaries, learning curves, image and weight grids, confusion matrices;
- ``optim2d``: gradient descent on 2-D cost surfaces;
- ``pca``: principal components by SVD; ``corrupt``: noise, watermarks and tints for digits;
- ``metrics``: ROC and AUC of anomaly scores (imported on demand, it loads scikit-learn);
- ``gan_toys``: Gaussian modes in the plane, mode coverage, the x*y game (notebook 08);
- ``rnn``, ``attention``: a vanilla recurrent layer with backpropagation through time, scaled
  dot-product attention with masks, multi-head attention, positional encodings (notebook 10);
- ``texts``: the frozen course text of notebook 10's language model, unigram and bigram baselines;
- ``torch``: the PyTorch half, a subpackage imported on demand (it loads torch): training on
  NumPy arrays, the shared models, autoencoders, GANs, attacks and stored checkpoints (see
  ``nnlib.torch``'s own overview);
- ``widgets``: the lectures' interactive controls;
- ``seeding.seed_everything``, ``progress.progress``: reproducibility and progress bars;
- ``testing``: plain-value checks for the exercises' test cells (never trust a student's object).
"""
from . import (activations, attention, autograd, conv, corrupt, data, gan_toys, gradcheck, kernels, layers, losses,
               mnist, network, optim2d, pca, perceptron, plots, rnn, texts)
from .seeding import seed_everything

__all__ = ["activations", "attention", "autograd", "conv", "corrupt", "data", "gan_toys", "gradcheck", "kernels",
           "layers", "losses", "mnist", "network", "optim2d", "pca", "perceptron", "plots", "rnn", "seed_everything",
           "texts"]
