"""Technician tools: ``motcua doctor`` (what is wrong and what to do) and ``motcua devices``."""

from motcua.doctor.cli import devices_main, main

__all__ = ["devices_main", "main"]
