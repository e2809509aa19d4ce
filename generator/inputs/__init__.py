"""Readers of ``data/``: listings, records, the taxonomy and the overrides, strictly validated.

Each reader turns files into the frozen records of :mod:`generator.model` (or errors at a file
and line); none writes anything or imports a stage.
"""
