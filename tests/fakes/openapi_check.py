"""Check HTTP requests and responses against an OpenAPI document (3.0 or 3.1) with jsonschema.

`OpenAPIChecker(document)` finds the operation for (method, path), then validates path/query/header
parameters (OpenAPI `form`/`simple` styles, optional Rails-style `name[]` arrays), JSON bodies and
multipart / url-encoded form fields against the operation's schemas, resolving `$ref`s through a
`referencing` registry holding the whole document. Every check returns a list of human-readable
violations; an empty list means the message conforms.

Known defects of a published spec are corrected with `SpecPatch`es (a JSON pointer, the replacement
value, and the reason), so every deviation from the upstream document is explicit and reviewable.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import jsonschema
import referencing
import referencing.jsonschema

SPEC_URI = "urn:livecue:openapi"
_TYPE_ORDER = ("string", "integer", "number", "boolean", "array", "object", "null")


@dataclass(frozen=True)
class SpecPatch:
    """A documented correction of a published spec: replace the value at `pointer`."""

    pointer: str
    value: Any
    reason: str


@dataclass(frozen=True)
class FilePart:
    """A file field of a multipart body, as the checker sees it."""

    filename: str
    content_type: str
    size: int


FormValue = str | FilePart


@dataclass(frozen=True)
class Operation:
    """One operation of the document matched against a concrete request path."""

    method: str
    template: str
    pointer: str
    spec: dict[str, Any]
    path_params: dict[str, str]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _resolve_pointer(doc: Any, pointer: str) -> Any:
    node = doc
    for raw in pointer.lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _set_pointer(doc: Any, pointer: str, value: Any) -> None:
    parent_ptr, _, last = pointer.rpartition("/")
    parent = _resolve_pointer(doc, parent_ptr) if parent_ptr else doc
    key = last.replace("~1", "/").replace("~0", "~")
    if isinstance(parent, list):
        parent[int(key)] = value
    else:
        parent[key] = value


class OpenAPIChecker:
    """Validate requests and responses against one OpenAPI document."""

    def __init__(
        self,
        document: Mapping[str, Any],
        *,
        patches: Sequence[SpecPatch] = (),
        bracket_arrays: bool = False,
    ) -> None:
        doc = copy.deepcopy(dict(document))
        for patch in patches:
            _set_pointer(doc, patch.pointer, copy.deepcopy(patch.value))
        self.document = doc
        self.patches = tuple(patches)
        self.bracket_arrays = bracket_arrays
        is_31 = str(doc.get("openapi", "3.0")).startswith("3.1")
        spec = referencing.jsonschema.DRAFT202012 if is_31 else referencing.jsonschema.DRAFT7
        self._validator_cls: Any = jsonschema.Draft202012Validator if is_31 else jsonschema.Draft7Validator
        resource = spec.create_resource(doc)
        self._registry: referencing.Registry[Any] = referencing.Registry().with_resource(SPEC_URI, resource)
        self._resolver = self._registry.resolver(base_uri=SPEC_URI)
        self._validators: dict[str, Any] = {}
        self._routes: list[tuple[re.Pattern[str], str, int]] = []
        for template in doc.get("paths", {}):
            regex = "^" + re.sub(r"\\\{([^}/]+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            self._routes.append((re.compile(regex.replace("(?P<", "(?P<p_")), template, literal))
        self._routes.sort(key=lambda r: -r[2])

    @classmethod
    def from_file(cls, path: Path, **kwargs: Any) -> OpenAPIChecker:
        """Load the document at `path` and build a checker."""
        return cls(_load_json(str(path)), **kwargs)

    # ------------------------------------------------------------------ lookup
    def find_operation(self, method: str, path: str) -> Operation | None:
        """Return the operation for (method, concrete path), or None when the spec has none."""
        for regex, template, _ in self._routes:
            match = regex.match(path)
            if not match:
                continue
            item = self.document["paths"][template]
            op = item.get(method.lower())
            if op is None:
                continue
            params = {k[2:]: v for k, v in match.groupdict().items()}
            pointer = f"/paths/{_escape(template)}/{method.lower()}"
            return Operation(method.upper(), template, pointer, op, params)
        return None

    def _deref(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            ref = node["$ref"]
            node = self._resolver.lookup(SPEC_URI + ref if ref.startswith("#") else ref).contents
            seen += 1
        return node

    def _validate(self, pointer: str, instance: Any, where: str) -> list[str]:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = self._validator_cls({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self._registry)
            self._validators[pointer] = validator
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        out = []
        for err in errors[:5]:
            loc = "/".join(str(p) for p in err.absolute_path)
            message = err.message[:300]
            if len(repr(err.instance)) > 80:  # keep big instances (long strings, bodies) out of the message
                shown = repr(err.instance)[:60]
                message = f"{shown}... fails {err.validator!r} ({str(err.validator_value)[:200]})"
            if err.context:  # anyOf/oneOf: say why each branch failed
                ranked = sorted(err.context, key=jsonschema.exceptions.relevance)
                reasons = dict.fromkeys(e.message[:160] for e in ranked)
                message += " (branches: " + " | ".join(list(reasons)[:4]) + ")"
            out.append(f"{where}{'/' + loc if loc else ''}: {message}")
        return out

    # --------------------------------------------------------------- coercion
    def _types(self, schema: Any, depth: int = 0) -> list[str]:
        schema = self._deref(schema)
        if not isinstance(schema, dict) or depth > 8:
            return []
        found: list[str] = []
        declared = schema.get("type")
        if isinstance(declared, str):
            found.append(declared)
        elif isinstance(declared, list):
            found.extend(t for t in declared if isinstance(t, str))
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                found.extend(self._types(sub, depth + 1))
        return [t for t in _TYPE_ORDER if t in found]

    def _coerce(self, schema: Any, raw: str) -> Any:
        types = self._types(schema)
        if not types or "string" in types:
            return raw
        for kind in types:
            if kind == "integer" and re.fullmatch(r"-?\d+", raw):
                return int(raw)
            if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", raw):
                return float(raw)
            if kind == "boolean" and raw in ("true", "false"):
                return raw == "true"
        return raw

    def _items_schema(self, schema: Any) -> Any:
        schema = self._deref(schema)
        return schema.get("items", {}) if isinstance(schema, dict) else {}

    # ----------------------------------------------------------- parameters
    def _parameters(self, op: Operation) -> list[tuple[str, dict[str, Any]]]:
        item = self.document["paths"][op.template]
        merged: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        base = f"/paths/{_escape(op.template)}"
        for owner, params in (
            (base, item.get("parameters", [])),
            (op.pointer, op.spec.get("parameters", [])),
        ):
            for index, param in enumerate(params):
                pointer = f"{owner}/parameters/{index}"
                if "$ref" in param:
                    pointer = param["$ref"].lstrip("#")
                resolved = self._deref(param)
                merged[(resolved["name"].lower(), resolved["in"])] = (pointer, resolved)
        return list(merged.values())

    def _check_value(self, pointer: str, param: dict[str, Any], values: list[str], where: str) -> list[str]:
        schema = param.get("schema", {})
        if "array" in self._types(schema):
            explode = param.get("explode", param.get("style", "form") == "form")
            items: list[str] = []
            for value in values:
                items.extend(value.split(",") if not explode or param.get("in") != "query" else [value])
            instance: Any = [self._coerce(self._items_schema(schema), v) for v in items]
        else:
            if len(values) > 1:
                return [f"{where}: given {len(values)} times but is not an array"]
            instance = self._coerce(schema, values[0])
        return self._validate(f"{pointer}/schema", instance, where)

    def _check_parameters(
        self, op: Operation, query: Sequence[tuple[str, str]], headers: Mapping[str, str]
    ) -> list[str]:
        out: list[str] = []
        grouped: dict[str, list[str]] = {}
        for key, value in query:
            name = key[:-2] if self.bracket_arrays and key.endswith("[]") else key
            grouped.setdefault(name, []).append(value)
        lower_headers = {k.lower(): v for k, v in headers.items()}
        declared_query: set[str] = set()
        for pointer, param in self._parameters(op):
            name, place = param["name"], param["in"]
            if place == "path":
                values = [op.path_params[name]] if name in op.path_params else []
            elif place == "query":
                declared_query.add(name)
                values = grouped.get(name, [])
            elif place == "header":
                if name.lower() in ("accept", "content-type", "authorization"):
                    continue
                values = [lower_headers[name.lower()]] if name.lower() in lower_headers else []
            else:
                continue
            if not values:
                if param.get("required"):
                    out.append(f"{place} parameter {name!r} is required")
                continue
            out.extend(self._check_value(pointer, param, values, f"{place} parameter {name!r}"))
        for name in grouped:
            if name not in declared_query:
                out.append(f"query parameter {name!r} is not declared by {op.method} {op.template}")
        return out

    def _check_security(self, op: Operation, headers: Mapping[str, str]) -> list[str]:
        requirements = op.spec.get("security", self.document.get("security", []))
        if not requirements or any(not req for req in requirements):
            return []
        if not any(k.lower() == "authorization" for k in headers):
            return [f"{op.method} {op.template} requires authentication but no Authorization header was sent"]
        return []

    # ---------------------------------------------------------------- bodies
    def _form_instance(
        self, schema_pointer: str, form: Mapping[str, Sequence[FormValue]]
    ) -> tuple[dict[str, Any], list[str]]:
        schema = self._deref(_resolve_pointer(self.document, schema_pointer))
        props: dict[str, Any] = {}
        for branch in [schema, *schema.get("anyOf", []), *schema.get("oneOf", []), *schema.get("allOf", [])]:
            props.update(self._deref(branch).get("properties", {}))
        out: dict[str, Any] = {}
        problems: list[str] = []
        for key, values in form.items():
            name = key[:-2] if self.bracket_arrays and key.endswith("[]") else key
            prop = props.get(name, {})
            converted = [
                f"<file {v.filename!r} {v.content_type} {v.size} bytes>"
                if isinstance(v, FilePart)
                else self._coerce(prop if "array" not in self._types(prop) else self._items_schema(prop), v)
                for v in values
            ]
            if "array" in self._types(prop):
                out[name] = converted
            elif len(converted) == 1:
                out[name] = converted[0]
            else:
                problems.append(f"body field {name!r}: given {len(converted)} times but is not an array")
        return out, problems

    def _check_body(
        self,
        op: Operation,
        content_type: str | None,
        body: bytes,
        form: Mapping[str, Sequence[FormValue]] | None,
    ) -> list[str]:
        request_body = self._deref(op.spec.get("requestBody"))
        has_body = bool(body) or bool(form)
        if not request_body:
            return [f"{op.method} {op.template} declares no request body"] if has_body else []
        if not has_body:
            return ["request body is required"] if request_body.get("required") else []
        media = (content_type or "").split(";")[0].strip().lower()
        content = request_body.get("content", {})
        if media not in content:
            return [f"content type {media or '(none)'!r} is not one of {sorted(content)}"]
        pointer = f"{op.pointer}/requestBody/content/{_escape(media)}/schema"
        if "$ref" in op.spec.get("requestBody", {}):
            pointer = op.spec["requestBody"]["$ref"].lstrip("#") + f"/content/{_escape(media)}/schema"
        if media == "application/json" or media.endswith("+json"):
            try:
                instance = json.loads(body)
            except ValueError as exc:
                return [f"body is not valid JSON: {exc}"]
            return self._validate(pointer, instance, "body")
        if media == "application/x-www-form-urlencoded" and form is None:
            parsed: dict[str, list[FormValue]] = {}
            for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                parsed.setdefault(key, []).append(value)
            form = parsed
        if form is None:
            return [f"{media} body was not parsed into fields"]
        instance, problems = self._form_instance(pointer, form)
        return problems + self._validate(pointer, instance, "body")

    # ----------------------------------------------------------------- public
    def check_request(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        body: bytes = b"",
        form: Mapping[str, Sequence[FormValue]] | None = None,
    ) -> list[str]:
        """Return the violations of one request (empty when it conforms)."""
        op = self.find_operation(method, path)
        if op is None:
            return [f"no operation {method.upper()} {path} in the spec"]
        headers = headers or {}
        return (
            self._check_security(op, headers)
            + self._check_parameters(op, query, headers)
            + self._check_body(op, content_type, body, form)
        )

    def check_response(
        self, method: str, path: str, status: int, content_type: str | None, body: bytes
    ) -> list[str]:
        """Return the violations of one response for the status code it carries."""
        op = self.find_operation(method, path)
        if op is None:
            return [f"no operation {method.upper()} {path} in the spec"]
        responses = op.spec.get("responses", {})
        key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
        if key not in responses:
            key = "default"
        if key not in responses:
            if status >= 500:
                return []  # infrastructure failures (proxies, crashes) are possible on any operation
            return [f"status {status} is not declared for {op.method} {op.template}"]
        declared = self._deref(responses[key]).get("content") or {}
        if not declared:
            return []
        media = (content_type or "").split(";")[0].strip().lower()
        if media not in declared:
            return [f"response {status}: content type {media!r} is not one of {sorted(declared)}"]
        pointer = f"{op.pointer}/responses/{_escape(key)}/content/{_escape(media)}/schema"
        if "$ref" in responses[key]:
            pointer = responses[key]["$ref"].lstrip("#") + f"/content/{_escape(media)}/schema"
        try:
            instance = json.loads(body) if body else None
        except ValueError as exc:
            return [f"response {status}: not valid JSON: {exc}"]
        return self._validate(pointer, instance, f"response {status}")


@cache
def _load_json(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def describe_patches(patches: Iterable[SpecPatch]) -> str:
    """Render the patches as a bullet list (for docs and failure messages)."""
    return "\n".join(f"- {p.pointer}: {p.reason}" for p in patches)
