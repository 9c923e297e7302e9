"""The API contract: what ``/api/v1/openapi.json`` promises beyond flask-smorest's defaults.

flask-smorest documents the schemas and the success responses. This module owns the rest:

- numbers stay numbers: bounds of decimal fields are emitted as JSON numbers (not the strings
  a ``Decimal`` serialises to), exclusive bounds are declared exclusive, and a decimal the API
  writes as a string is declared a string;
- every error an operation can answer is declared with the real envelope
  (``{"error": {"code", "message", "fields"}}``, ``ApiErrorSchema``):
  401 and 403 where a bearer token is required, 404 where the path names a tenant or an object,
  400 and 413 where a body is read, and ``default`` for anything else;
- every operation has an ``operationId``, and a response carrying an object's ``id`` links to the
  operations that take that id in their path, so clients (and Schemathesis' stateful phase) can
  walk from a create or a list to read, change and delete.
"""

from __future__ import annotations

import http
import re
from decimal import Decimal

from apispec import BasePlugin
from flask_smorest.utils import prepare_response
from marshmallow import fields, validate
from werkzeug.routing import IntegerConverter

METHODS = ("get", "put", "post", "patch", "delete")
_PARAM = re.compile(r"{([^}]+)}")

# What each declared error means in this API (the document's descriptions; codes are in errors.py).
ERROR_DESCRIPTIONS = {
    400: "Malformed request (e.g. invalid JSON body): `bad_request`, `invalid_json`",
    401: "Missing, invalid, expired or revoked bearer token: `unauthorized`",
    403: "The token's role may not do this: `forbidden`",
    404: "Unknown or suspended unit, or no such object in this unit: `not_found`",
    409: "Conflicts with existing data or with the object's state: `conflict`",
    413: "Body or upload larger than the server accepts: `payload_too_large`",
    422: "Validation failed; `error.fields` holds the messages per field: `validation_error`",
    429: "Too many attempts; retry later: `rate_limited`",
}

# --- numbers


def _number(value):
    """A bound as a JSON number: an int when integral, else a float."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def numeric_properties(self, field, ret, **_kwargs) -> dict:
    """apispec attribute function: numeric bounds as numbers, exclusive bounds, decimal strings.

    Runs after apispec's own functions (it reads their ``ret``); registered on the marshmallow
    converter by :func:`install`.
    """
    out: dict = {}
    ranges = [v for v in field.validators if isinstance(v, validate.Range)]
    for key in ("minimum", "maximum"):
        if key in ret:
            out[key] = _number(ret[key])
    if "minimum" in out and any(r.min is not None and not r.min_inclusive for r in ranges):
        out["exclusiveMinimum"] = True
    if "maximum" in out and any(r.max is not None and not r.max_inclusive for r in ranges):
        out["exclusiveMaximum"] = True
    if isinstance(field, fields.Decimal) and field.as_string and field.dump_only:
        # Written as "12.50" so no client rounds it through a float: a string on the wire.
        out["type"] = "string"
        out["format"] = "decimal"
    return out


# --- path ids

INT_ID_MAX = 2**31 - 1


class Int32Converter(IntegerConverter):
    """``<int:…>``: ids are 32-bit database integers; a larger number matches no route (404).

    Unbounded, it reached the query and overflowed it (a 500 on SQLite and PostgreSQL alike);
    bounded, the document says ``maximum`` too.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=INT_ID_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# --- pagination

# page × page_size becomes an SQL OFFSET: an unbounded page number overflowed it (a 500).
MAX_PAGE = 100_000


def bound_page_numbers() -> None:
    """Give flask-smorest's ``page`` query argument an upper bound (documented, and a 422 past it).

    flask-smorest builds the pagination schema in one module-level factory, read when a view is
    decorated; this wraps it, so it must run before the API blueprints are imported (it does:
    ``tenant_app.extensions`` calls it, and every blueprint imports that module first).
    """
    from flask_smorest import pagination

    factory = pagination._pagination_parameters_schema_factory
    if getattr(factory, "bounded", False):
        return

    def bounded(def_page, def_page_size, def_max_page_size):
        base = factory(def_page, def_page_size, def_max_page_size)
        page = fields.Integer(load_default=def_page, validate=validate.Range(min=1, max=MAX_PAGE))
        return type(base.__name__, (base,), {"page": page})

    bounded.bounded = True
    pagination._pagination_parameters_schema_factory = bounded


# --- error responses


def register_error_responses(spec, error_schema, content_type: str) -> None:
    """Register (lazily) one response component per HTTP status, all with the error envelope.

    Same names as flask-smorest's (``NOT_FOUND``, ``UNPROCESSABLE_ENTITY``, ``DEFAULT_ERROR``)
    so its decorators and ours refer to the same components.
    """
    for status in http.HTTPStatus:
        response: dict = {"description": ERROR_DESCRIPTIONS.get(status.value, status.phrase)}
        if status >= 400:
            response["schema"] = error_schema
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": "the bearer challenge",
                    "required": True,
                    "schema": {"type": "string"},
                }
            }
        prepare_response(response, spec, content_type)
        spec.components.response(status.name, response, lazy=True)
    default = {"description": "Any other error, in the same envelope", "schema": error_schema}
    prepare_response(default, spec, content_type)
    spec.components.response("DEFAULT_ERROR", default, lazy=True)


def pagination_header() -> dict:
    """``X-Pagination`` carries JSON (``{"total": 42, "page": 1, ...}``): say so with ``content``.

    flask-smorest declares it with ``schema: object``, which OpenAPI reads as the "simple" style
    (``total,42,page,1``), not what the header holds.
    """
    from flask_smorest.pagination import PaginationMetadataSchema

    return {
        "description": "Pagination metadata, as JSON",
        "content": {"application/json": {"schema": PaginationMetadataSchema}},
    }


def _declare_errors(path: str, operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    wanted = []
    if operation.get("security"):
        wanted += [(401, "UNAUTHORIZED"), (403, "FORBIDDEN")]
    if _PARAM.search(path):
        wanted.append((404, "NOT_FOUND"))
    if "requestBody" in operation:
        wanted += [(400, "BAD_REQUEST"), (413, "REQUEST_ENTITY_TOO_LARGE")]
    for status, name in wanted:
        if str(status) not in responses and status not in responses:
            responses[str(status)] = name


def _body_schema(spec, operation: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if isinstance(schema, dict) and "$ref" in schema:
        return spec.components.schemas.get(schema["$ref"].rsplit("/", 1)[-1])
    return schema if isinstance(schema, dict) else None


def _optional_body(spec, operation: dict) -> None:
    """A JSON body none of whose fields is required may be left out: the parser reads ``{}``."""
    schema = _body_schema(spec, operation)
    declares_fields = schema and schema.get("type") == "object" and "properties" in schema
    if declares_fields and not schema.get("required"):
        operation["requestBody"]["required"] = False


def _operation_id(rule, method: str) -> str:
    """``get_api_users_UserById``: unique, stable as long as the endpoint keeps its name."""
    return f"{method}_{rule.endpoint.replace('.', '_')}"


class ContractPlugin(BasePlugin):
    """apispec plugin: error responses and operationIds per operation; links once all are known.

    It keeps the operation objects it has seen (the spec stores those very objects), so
    :meth:`link` can add links after every blueprint is registered.
    """

    def __init__(self):
        self.spec = None
        self.operations: dict[tuple[str, str], dict] = {}

    def init_spec(self, spec):
        self.spec = spec

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        for method, operation in (operations or {}).items():
            if method not in METHODS:
                continue
            _declare_errors(path, operation)
            _optional_body(self.spec, operation)
            if rule is not None:
                operation.setdefault("operationId", _operation_id(rule, method))
            self.operations[(path, method)] = operation

    def link(self) -> None:
        """(Re)compute the links of every known operation from the paths and response bodies."""
        for (path, _method), operation in self.operations.items():
            for status, response in operation.get("responses", {}).items():
                if not str(status).startswith("2") or not isinstance(response, dict):
                    continue
                pointer = self._id_pointer(response)
                links = self._links_from(path, pointer) if pointer else {}
                if links:
                    response["links"] = links
                else:
                    response.pop("links", None)

    def _id_pointer(self, response: dict) -> str | None:
        """``/id`` for an object with an ``id``, ``/0/id`` for a list of them, else None."""
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        schema = self._resolve(schema)
        if not schema:
            return None
        if schema.get("type") == "array":
            item = self._resolve(schema.get("items"))
            return "/0/id" if item and "id" in item.get("properties", {}) else None
        return "/id" if "id" in schema.get("properties", {}) else None

    def _resolve(self, schema):
        if isinstance(schema, dict) and "$ref" in schema:
            return self.spec.components.schemas.get(schema["$ref"].rsplit("/", 1)[-1])
        return schema

    def _links_from(self, source: str, pointer: str) -> dict:
        """Links from an operation on ``source`` whose body holds an id at ``pointer``.

        A collection (``/users``) feeds ``/users/{user_id}`` and what lies under it; an object
        (``/users/{user_id}``) feeds its own path and what lies under it.
        """
        known = set(_PARAM.findall(source))
        item = source if source.endswith("}") else None
        links = {}
        for (target, method), operation in self.operations.items():
            if "operationId" not in operation:
                continue
            new = self._new_param(source, target, item)
            if new is None or (target == source and item is None):
                continue
            params = set(_PARAM.findall(target))
            if params - known - {new}:
                continue  # needs a value this response does not carry
            parameters = {p: f"$request.path.{p}" for p in params & known if p != new}
            parameters[new] = f"$response.body#{pointer}"
            links[_link_name(method, target)] = {
                "operationId": operation["operationId"],
                "parameters": parameters,
            }
        return links

    @staticmethod
    def _new_param(source: str, target: str, item: str | None) -> str | None:
        """The path parameter of ``target`` that the source's id fills, or None."""
        if item is not None:
            if target == item or target.startswith(item + "/"):
                return _PARAM.findall(item)[-1]
            return None
        match = re.match(re.escape(source) + r"/{([^}]+)}(?:/|$)", target)
        return match.group(1) if match else None


def _link_name(method: str, target: str) -> str:
    """``patch_users_by_id`` style names (OpenAPI allows ``[A-Za-z0-9._-]``)."""
    tail = re.sub(r"[^A-Za-z0-9]+", "_", _PARAM.sub("by", target.split("/t/{tenant_slug}")[-1]))
    return f"{method}{tail}".rstrip("_")
