"""A learning log's own settings, `incidents/_settings.yaml`, all optional.

```yaml
max_file_kb: 1024          # larger record files are refused before parsing
personal_data:
  allow: ["0800 123 4567", "help@example.com"]   # known not to be personal data
blame:
  also: ["dropped the ball"]   # phrases added to the built-in list
  except: ["forgot"]           # built-in phrases this organisation does not want flagged
```
"""

from __future__ import annotations

from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nearmiss.record.language import DEFAULT_BLAME
from nearmiss.record.yamlsource import MAX_BYTES, Sink, load

SETTINGS_FILE = "_settings.yaml"


@dataclass(frozen=True)
class Settings:
    max_file_bytes: int = MAX_BYTES
    allow_personal_data: tuple[str, ...] = ()
    blame_phrases: tuple[str, ...] = DEFAULT_BLAME


class SettingsError(Exception):
    def __init__(self, sink: Sink) -> None:
        super().__init__(f"{sink.path}: the settings cannot be used")
        self.problems = sink.problems


def _strings(node: Node, sink: Sink, pointer: str) -> tuple[str, ...]:
    if isinstance(node, SequenceNode) and all(isinstance(n, ScalarNode) for n in node.value):
        return tuple(str(n.value) for n in node.value)
    sink.error(node, "settings-invalid", "expected a list of texts", pointer)
    return ()


def _mapping(node: Node, sink: Sink, pointer: str, keys: set[str]) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        sink.error(node, "settings-invalid", "expected a mapping", pointer)
        return {}
    out = {}
    for key, value in node.value:
        name = str(key.value) if isinstance(key, ScalarNode) else ""
        if name not in keys:
            sink.error(key, "settings-invalid", f"unknown setting '{name}'", pointer,
                       hint="known: " + ", ".join(sorted(keys)))
            continue
        out[name] = value
    return out


def parse_settings(data: bytes, path: str) -> Settings:
    """Settings from the file's bytes, or SettingsError with every problem found."""
    sink = Sink(path)
    root = load(data, sink)
    if root is None:
        if [p for p in sink.problems if p.code != "empty-file"]:
            raise SettingsError(sink)
        return Settings()
    top = _mapping(root, sink, "", {"max_file_kb", "personal_data", "blame"})
    size = MAX_BYTES
    if "max_file_kb" in top:
        node = top["max_file_kb"]
        if isinstance(node, ScalarNode) and node.value.isdigit() and int(node.value) > 0:
            size = int(node.value) * 1024
        else:
            sink.error(node, "settings-invalid", "max_file_kb must be a whole number",
                       "/max_file_kb")
    allow: tuple[str, ...] = ()
    if "personal_data" in top:
        section = _mapping(top["personal_data"], sink, "/personal_data", {"allow"})
        if "allow" in section:
            allow = _strings(section["allow"], sink, "/personal_data/allow")
    phrases = DEFAULT_BLAME
    if "blame" in top:
        section = _mapping(top["blame"], sink, "/blame", {"also", "except"})
        also = _strings(section["also"], sink, "/blame/also") if "also" in section else ()
        drop = {p.lower() for p in _strings(section["except"], sink, "/blame/except")} \
            if "except" in section else set()
        phrases = tuple(p for p in DEFAULT_BLAME if p.lower() not in drop) + also
    if sink.has_errors:
        raise SettingsError(sink)
    return Settings(size, allow, phrases)
