"""Part III: neural networks -- models, training loops, experiment helpers and LIME.

Submodules mirror the chapters: :mod:`~scratch.neural.mlp`,
:mod:`~scratch.neural.initialization`, :mod:`~scratch.neural.cnn`,
:mod:`~scratch.neural.rnn` and :mod:`~scratch.neural.lime`.
"""
