"""Plans: a lab compiled into small step records before anything is touched."""

from .build import build_plan
from .steps import Step

__all__ = ["Step", "build_plan"]
