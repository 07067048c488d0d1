"""Exports: each format is a pure function of a resolved lab to text."""
