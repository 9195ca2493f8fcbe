"""How nearmiss is installed, and what a command says when part of it is not.

The distribution is ``nearmiss-log``: on the public package index the name ``nearmiss``
belongs to an unrelated suffix-array search library, whose code an unpinned
``pip install nearmiss`` would run. Every install line a user copies comes from here, so
it names our distribution and pins the version that wrote it.

The base install (click, PyYAML, ruamel.yaml) runs every command but the site ones; the
``site`` extra adds MkDocs, Material and nh3. A site command started without them says in
one line which extra to install, instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nearmiss import __version__

DISTRIBUTION = "nearmiss-log"
# Top-level modules that only the site extra installs.
SITE_MODULES = frozenset({"nh3", "mkdocs", "material"})


def requirement(extra: str | None = None) -> str:
    """A pinned requirement for this version, e.g. ``nearmiss-log[site]==0.2.0``."""
    return f"{DISTRIBUTION}{f'[{extra}]' if extra else ''}=={__version__}"


def install_command(extra: str | None = None) -> str:
    """The pip command a user copies, quoted so that shells leave the brackets alone."""
    return f'pip install "{requirement(extra)}"'


class MissingExtra(Exception):
    """A command needs modules from an extra that is not installed."""

    def __init__(self, what: str, module: str, extra: str = "site") -> None:
        super().__init__(f"{what} needs the '{extra}' extra ({module} is not installed): "
                         f"{install_command(extra)}")


@contextmanager
def needs_site_extra(what: str) -> Iterator[None]:
    """Turn the import of a missing site-extra module into ``MissingExtra``; any other
    import error is a bug and stays one."""
    try:
        yield
    except ModuleNotFoundError as exc:
        top = (exc.name or "").partition(".")[0]
        if top not in SITE_MODULES:
            raise
        raise MissingExtra(what, top) from None
