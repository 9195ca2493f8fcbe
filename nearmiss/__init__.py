"""nearmiss: record service-failure near misses as YAML in git, check them and learn from them.

The import name is ``nearmiss``; the distribution on package indexes is ``nearmiss-log``,
because ``nearmiss`` there is an unrelated project (see ``nearmiss.distribution``).
"""

from __future__ import annotations

__version__ = "0.2.0"
