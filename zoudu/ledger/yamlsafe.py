"""Reading YAML that a person wrote by hand, with the line of every value.

PyYAML 1.1 turns bare ``no``, ``on`` and ``2026-11-03`` into bool and date, and
follows anchors and aliases (a "billion laughs" file). So hand-written files are
composed into nodes, never constructed: anchors, aliases and tags are refused,
and each decoder below type-checks the scalar text itself, naming file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import yaml

from zoudu.errors import ZouduError
from zoudu.i18n import _

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def where(path: Path | str, node: yaml.Node) -> str:
    return f"{path}:{node.start_mark.line + 1}"


def compose(text: str, path: Path | str) -> yaml.Node | None:
    """Compose one YAML document; refuse anchors, aliases and tags."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ZouduError(_("YAML anchors and aliases are not allowed"), f"{path}:{line}")
            tag = getattr(event, "tag", None)
            if tag is not None and tag != "!":
                raise ZouduError(_("YAML tags are not allowed ({tag})").format(tag=tag), f"{path}:{line}")
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ZouduError(_("broken YAML: {problem}").format(problem=e.problem or e), loc) from None
    except yaml.YAMLError as e:
        raise ZouduError(_("broken YAML: {problem}").format(problem=e), str(path)) from None


class Nodes:
    """Typed access to composed nodes; every error names ``path:line`` and the key."""

    def __init__(self, path: Path | str):
        self.path = path

    def fail(self, node: yaml.Node, message: str) -> ZouduError:
        return ZouduError(message, where(self.path, node))

    def mapping(self, node: yaml.Node, key: str, allowed: set[str] | None = None) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, _("'{key}' must be a mapping of key: value").format(key=key))
        out: dict[str, yaml.Node] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise self.fail(k, _("'{key}' has a key that is not text").format(key=key))
            name = k.value
            if name in out:
                raise self.fail(k, _("key '{name}' appears twice").format(name=name))
            if allowed is not None and name not in allowed:
                raise self.fail(k, _("unknown key '{name}' in '{key}' (allowed: {allowed})").format(
                    name=name, key=key, allowed=", ".join(sorted(allowed))))
            out[name] = v
        return out

    def sequence(self, node: yaml.Node, key: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, _("'{key}' must be a list").format(key=key))
        return list(node.value)

    def scalar(self, node: yaml.Node, key: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, _("'{key}' must be a single value").format(key=key))
        return node.value

    def text(self, node: yaml.Node, key: str, allow_empty: bool = False) -> str:
        """One line of text; surrounding spaces are dropped (a place is compared, not just shown)."""
        value = self.scalar(node, key)
        if (not node.style and value in ("~", "null", "Null", "NULL") or not value.strip()) and not allow_empty:
            raise self.fail(node, _("'{key}' must not be empty").format(key=key))
        if "\n" in value.strip() or "\r" in value:
            raise self.fail(node, _("'{key}' must be on one line").format(key=key))
        return value.strip()

    def free_text(self, node: yaml.Node, key: str) -> str:
        """Text kept exactly as written (a name may hold any characters, even line breaks)."""
        value = self.scalar(node, key)
        if not value.strip() or (not node.style and value in ("~", "null", "Null", "NULL")):
            raise self.fail(node, _("'{key}' must not be empty").format(key=key))
        return value

    def optional_text(self, node: yaml.Node | None, key: str) -> str | None:
        if node is None:
            return None
        value = self.scalar(node, key)
        if not node.style and value in ("", "~", "null", "Null", "NULL"):
            return None
        return value

    def integer(self, node: yaml.Node, key: str, minimum: int = 0, maximum: int = 100_000) -> int:
        value = self.scalar(node, key)
        if not re.fullmatch(r"[0-9]+", value.strip()):
            raise self.fail(node, _("'{key}' must be a whole number, not '{value}'").format(key=key, value=value))
        if len(value.strip().lstrip("0")) > len(str(maximum)):  # before int(): 5,000 digits is an error, not a bignum
            raise self.fail(node, _("'{key}' must be at most {maximum}").format(key=key, maximum=maximum))
        number = int(value)
        if number < minimum:
            raise self.fail(node, _("'{key}' must be at least {minimum}").format(key=key, minimum=minimum))
        if number > maximum:
            raise self.fail(node, _("'{key}' must be at most {maximum}").format(key=key, maximum=maximum))
        return number

    def boolean(self, node: yaml.Node, key: str) -> bool:
        value = self.scalar(node, key).strip().lower()
        if value in ("true", "yes", "on"):
            return True
        if value in ("false", "no", "off"):
            return False
        raise self.fail(node, _("'{key}' must be true or false, not '{value}'").format(key=key, value=value))

    def parsed(self, node: yaml.Node, key: str, parse: Callable[[str], Any]) -> Any:
        """A scalar turned into a value by ``parse``, whose ZouduError gets our line."""
        value = self.scalar(node, key)
        try:
            return parse(value)
        except ZouduError as e:
            raise self.fail(node, f"'{key}': {e.message}") from None
