"""nearmiss: record service-failure near misses as YAML in git, check them and learn from them."""

from __future__ import annotations

__version__ = "0.1.0"
