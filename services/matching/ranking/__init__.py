"""Ranking resources for a wish: text relevance (the analyzer and BM25) and the other signals."""
