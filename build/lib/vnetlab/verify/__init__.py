"""Verification over any backend: expectations, matrices, comparisons."""
