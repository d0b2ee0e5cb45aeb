"""Re-exported names imported on first use (PEP 562), for package ``__init__`` files that would
otherwise import every submodule (and pandas, statsmodels…) as soon as the package is named."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def lazy_exports(
    package: str, sources: dict[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: each name in ``sources`` is imported
    from its submodule (``sources[name]``) when first asked for, then kept in the package."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str):
        if name not in sources:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{sources[name]}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *sources})

    return __getattr__, __dir__
