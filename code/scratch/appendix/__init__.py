"""Appendices: a Python primer for this book, and sets, functions and probability."""
