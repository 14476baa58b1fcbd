"""Frontiers (Part VIII): vector-symbolic architectures, graph neural networks, and more.

Import the chapter modules directly, e.g. ``from scratch.frontiers.vsa import HRR``.
"""
