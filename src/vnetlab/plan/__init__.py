"""Plans: a lab compiled into small step records before anything is touched."""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .build import build_plan
    from .steps import Step

# imported on first use (PEP 562): `validate` needs only plan.routes, not the step records
_WHERE = {"Step": ".steps", "build_plan": ".build"}


def __getattr__(name: str) -> object:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value


__all__ = ["Step", "build_plan"]
