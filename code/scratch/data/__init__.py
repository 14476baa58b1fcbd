"""Offline data for the book: generators and loaders with documented provenance.

Nothing here touches the network. Each submodule documents where its data comes
from and its license. Import from the submodule, e.g.
``from scratch.data.synthetic import noisy_sine``.
"""
