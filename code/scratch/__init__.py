"""ML from Scratch: minimal, tested numpy implementations that the book imports.

Sub-packages mirror the book's parts (``scratch.classical``, ``scratch.neural`` ...);
shared building blocks live in ``scratch.autograd``, ``scratch.nn``, ``scratch.optim``,
``scratch.data`` and ``scratch.plot``.
"""

__version__ = "0.1.0"
