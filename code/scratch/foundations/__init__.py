"""Foundations (Part I): NumPy and linear algebra for machine learning, and optimisation.

* :mod:`scratch.foundations.numpy_linear_algebra`: pairwise distances, the four
  fundamental subspaces, projections and least squares, low-rank approximation.
* :mod:`scratch.foundations.optimization`: test functions (ill-conditioned
  quadratic, Rosenbrock), a trajectory runner over :mod:`scratch.optim`, and
  mini-batch SGD on least squares.
"""
