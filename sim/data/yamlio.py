"""YAML through PyYAML's safe loader, keeping the line of every key and item.

Nothing in a data file is evaluated: only the safe constructors run. Line numbers let
validation report ``file:line`` for a value deep inside a mapping.
"""

from __future__ import annotations

from typing import Any

import yaml

from sim.data.problems import Problems

Path_ = tuple[Any, ...]


MAX_DEPTH = 40  # no data or spec file needs more nesting than this

# libyaml where PyYAML has it: ~20 times faster, used for large machine-written files (a
# posterior); hand-written files keep the pure-Python parser, whose error lines are the ones
# the tests pin down
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scan(text: str, filename: str, problems: Problems, loader_class=yaml.SafeLoader) -> bool:
    """Refuse what a data file never needs and an attacker would use, before anything is
    built: aliases (``*name``: a few hundred bytes can expand to gigabytes) and nesting deeper
    than :data:`MAX_DEPTH` (recursion). The event stream is read without building anything."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader_class):
            if isinstance(event, yaml.AliasEvent):
                problems.add(filename, event.start_mark.line + 1,
                             "YAML aliases (*name) are not allowed in data files: write the "
                             "value out")
                return False
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    problems.add(filename, event.start_mark.line + 1,
                                 f"YAML nested more than {MAX_DEPTH} levels deep")
                    return False
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return True  # reported with its line by the full parse below
    return True


def load_yaml(text: str, filename: str, problems: Problems,
              fast: bool = False) -> tuple[Any, dict[Path_, int]]:
    """Parse ``text``; return the data and a map from key path to 1-based line.

    A syntax error or a duplicated key is added to ``problems``; the data is then
    ``None`` (syntax) or the usual last-one-wins mapping (duplicate). Aliases and deep nesting
    are refused (:func:`_scan`). ``fast``: libyaml, for large machine-written files.
    """
    loader_class = _FAST_LOADER if fast else yaml.SafeLoader
    if not _scan(text, filename, problems, loader_class):
        return None, {}
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not accept (NUL, C1...)
        line = text.count("\n", 0, exc.position) + 1
        problems.add(filename, line, f"malformed YAML: character #x{exc.character:04x} is not allowed")
        return None, {}
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
    except yaml.reader.ReaderError as exc:  # libyaml reports a bad character only here
        problems.add(filename, text.count("\n", 0, exc.position) + 1,
                     "malformed YAML: a character is not allowed")
        return None, {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problems.add(filename, line, f"malformed YAML: {exc.problem or exc}")
        return None, {}
    except yaml.YAMLError as exc:
        problems.add(filename, 0, f"malformed YAML: {exc}")
        return None, {}
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {(): node.start_mark.line + 1}
    _walk(node, (), lines, filename, problems, set())
    return data, lines


def _walk(node: yaml.Node, path: Path_, lines: dict, filename: str, problems: Problems,
          seen_nodes: set[int]) -> None:
    # an alias repeats a node (it may even contain itself): walk every node once
    if id(node) in seen_nodes:
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.add(filename, key_node.start_mark.line + 1, f"duplicate key {key!r}")
            seen.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines, filename, problems, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            _walk(item, path + (index,), lines, filename, problems, seen_nodes)


def line_of(lines: dict[Path_, int], path: Path_) -> int:
    """The line of ``path``, or of its nearest ancestor that has one."""
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 0)
