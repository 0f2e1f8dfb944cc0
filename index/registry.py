"""Plain-dict registries of classes by name ("module:Class"), with a clear error listing the known names."""

from __future__ import annotations

import importlib
from typing import Any

from index.errors import ConfigError


def build(registry: dict[str, str], kind: str, name: str, **options: Any) -> Any:
    """Import and construct ``registry[name]`` with ``options``; an unknown name lists the known ones."""
    try:
        target = registry[name]
    except KeyError:
        raise ConfigError(f"Unknown {kind} {name!r}; known {kind}s: {', '.join(registry)}") from None
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)(**options)
