"""Part IV: language models, from counting bigrams to a GPT.

Submodules mirror the chapters in ``book/language/``: :mod:`bigram`,
:mod:`mlp_lm`, :mod:`wavenet`, :mod:`attention`, :mod:`tokenizer`, :mod:`gpt`,
:mod:`facts`, :mod:`finetuning`, :mod:`transformers_beyond`. The weight cache they share is :mod:`scratch.cache`.
"""
