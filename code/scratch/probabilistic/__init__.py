"""Part V: probabilistic models and inference.

Chapters (one module each, imported from its submodule):

* :mod:`scratch.probabilistic.hmm` -- hidden Markov models (forward-backward, Viterbi, Baum-Welch)
* :mod:`scratch.probabilistic.kalman` -- Kalman filter and Rauch-Tung-Striebel smoother
* :mod:`scratch.probabilistic.particle_filter` -- importance sampling and the bootstrap particle filter
* :mod:`scratch.probabilistic.gaussian_process` -- Gaussian process regression
* :mod:`scratch.probabilistic.variational_inference` -- variational inference and black-box VI
* :mod:`scratch.probabilistic.bayesian_nn` -- Bayesian neural networks (Bayes by Backprop, HMC)
"""
