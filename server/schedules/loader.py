"""Load schedule YAML into plain data, keeping the 1-based line of every node by path."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from server.schedules.problems import Problem, YamlPath, format_field

MAX_NODES = 100_000
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """A SafeLoader that keeps timestamps as strings (pydantic parses them, JSON Schema sees strings)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _TooBig(Exception):
    pass


@dataclass
class LoadedYaml:
    """Plain data from a YAML file, the line of every path in it, and problems found while loading."""

    data: object
    lines: dict[YamlPath, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    ok: bool = True

    def line_for(self, path: YamlPath) -> int:
        """Line of `path`, or of its nearest existing parent (1 when nothing matches)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


class _Builder:
    def __init__(self, loader: _Loader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: dict[YamlPath, int] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.active: set[int] = set()

    def problem(self, line: int, path: YamlPath, message: str) -> None:
        self.problems.append(Problem(self.file, line, format_field(path), message))

    def build(self, node: Node, path: YamlPath) -> object:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig
        line = node.start_mark.line + 1
        self.lines.setdefault(path, line)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            self.problem(line, path, "recursive alias")
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self.mapping(node, path)
            return None  # pragma: no cover - the composer makes no other node kinds
        finally:
            self.active.discard(id(node))

    def scalar(self, node: ScalarNode, path: YamlPath) -> object:
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self.problem(node.start_mark.line + 1, path, f"bad value: {problem}")
            return None

    def mapping(self, node: MappingNode, path: YamlPath) -> dict[object, object]:
        out: dict[object, object] = {}
        first_line: dict[object, int] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self.problem(line, path, "mapping keys must be plain values, not lists or mappings")
                continue
            key = self.scalar(key_node, path)
            try:
                hash(key)
            except TypeError:
                self.problem(line, path, "mapping keys must be plain values")
                continue
            if key in first_line:
                self.problem(line, (*path, key), f"duplicate key '{key}' (first at line {first_line[key]})")
                continue
            first_line[key] = line
            self.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key))
        for merge in merges:
            self.merge(merge, path, out)
        return out

    def merge(self, node: Node, path: YamlPath, out: dict[object, object]) -> None:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, MappingNode):
                self.problem(node.start_mark.line + 1, path, "'<<' needs a mapping or a list of mappings")
                continue
            built = self.build(source, path)
            for key, value in built.items() if isinstance(built, dict) else ():
                out.setdefault(key, value)


def load_yaml(text: str, file: str) -> LoadedYaml:
    """Parse one YAML document; syntax errors and duplicate keys come back as problems, never raised."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None, {(): 1})
        builder = _Builder(loader, file)
        data = builder.build(node, ())
        return LoadedYaml(data, builder.lines, builder.problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        detail = exc.problem or "invalid YAML"
        if exc.context:
            where = exc.context_mark.line + 1 if exc.context_mark is not None else line
            started = f" started at line {where}" if where != line else ""
            detail = f"{detail} ({exc.context}{started})"
        return _fatal(file, line, f"YAML syntax error: {detail}")
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        return _fatal(file, line, f"YAML syntax error: unacceptable character #x{exc.character:04x}")
    except yaml.YAMLError as exc:
        return _fatal(file, 1, f"YAML error: {exc}")
    except _TooBig:
        return _fatal(file, 1, f"document too large: more than {MAX_NODES} nodes (after expanding aliases)")
    except RecursionError:
        return _fatal(file, 1, "document nested too deeply")
    finally:
        if loader is not None:
            loader.dispose()


def _fatal(file: str, line: int, message: str) -> LoadedYaml:
    return LoadedYaml(None, {}, [Problem(file, line, "(yaml)", message)], ok=False)
