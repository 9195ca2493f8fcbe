"""nearmiss: record service-failure near misses as YAML in git, check them and learn from them.

The import name is ``nearmiss``; the distribution on package indexes is ``nearmiss-log``,
because ``nearmiss`` there is an unrelated project (see ``nearmiss.distribution``).

The names below are the public API, what the CLI and the MkDocs plugin call; they are
documented in docs/guide/api.md. They load on first use, so ``import nearmiss`` stays
cheap and the base install never imports the site layer (which needs the site extra).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_API = {
    "check_tree": "nearmiss.log.checker", "CheckResult": "nearmiss.log.checker",
    "CannotRun": "nearmiss.log.checker", "discover": "nearmiss.log.checker",
    "load_taxonomy": "nearmiss.log.checker",
    "check_record": "nearmiss.record.rules", "FileResult": "nearmiss.record.result",
    "Problem": "nearmiss.record.problems", "Severity": "nearmiss.record.problems",
    "Record": "nearmiss.record.model", "Action": "nearmiss.record.model",
    "FollowUp": "nearmiss.record.model",
    "Taxonomy": "nearmiss.record.taxonomy", "parse_taxonomy": "nearmiss.record.taxonomy",
    "compute": "nearmiss.log.figures", "Stats": "nearmiss.log.figures",
    "action_list": "nearmiss.log.figures",
    "site_files": "nearmiss.site.writer", "SiteFile": "nearmiss.site.writer",
    "write_to": "nearmiss.site.writer", "SiteOptions": "nearmiss.site.pages",
}
__all__ = [
    "__version__",
    "Action",
    "CannotRun",
    "CheckResult",
    "FileResult",
    "FollowUp",
    "Problem",
    "Record",
    "Severity",
    "SiteFile",
    "SiteOptions",
    "Stats",
    "Taxonomy",
    "action_list",
    "check_record",
    "check_tree",
    "compute",
    "discover",
    "load_taxonomy",
    "parse_taxonomy",
    "site_files",
    "write_to",
]

if TYPE_CHECKING:
    from nearmiss.log.checker import CannotRun, CheckResult, check_tree, discover, load_taxonomy
    from nearmiss.log.figures import Stats, action_list, compute
    from nearmiss.record.model import Action, FollowUp, Record
    from nearmiss.record.problems import Problem, Severity
    from nearmiss.record.result import FileResult
    from nearmiss.record.rules import check_record
    from nearmiss.record.taxonomy import Taxonomy, parse_taxonomy
    from nearmiss.site.pages import SiteOptions
    from nearmiss.site.writer import SiteFile, site_files, write_to


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'nearmiss' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
