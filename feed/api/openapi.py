"""The OpenAPI 3.1 document of /api/v1/, written by hand.

Why by hand and not generated (drf-spectacular): the API serves one stored JSON
record (`feed.records`), not model fields through serializers, so a generator
would describe it only through hand-written annotations anyway; one file is the
exact contract, reviewed like code, versioned with the URL (v1 changes only by
adding), and checked against the running API by schemathesis
(tests/feed/test_api_schema.py). A field added to `feed.records` must be added here
too (the Record schema allows unknown properties, so old clients keep working).
"""

import copy

from django.conf import settings

from .query import KINDS


def _nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


LANGUAGE_MAP = {
    "type": "object",
    "description": "Language code -> text, only the languages that have it.",
    "additionalProperties": {"type": "string"},
}
INT = {"type": "integer"}
STRING = {"type": "string"}
STAMP = {"type": "string", "format": "date-time"}

SCHEMAS = {
    "LanguageMap": LANGUAGE_MAP,
    "File": {
        "type": "object",
        "required": ["role", "url", "mime_type"],
        "properties": {
            "role": STRING,
            "url": STRING,
            "mime_type": STRING,
            "bytes": INT,
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "width": INT,
            "height": INT,
            "language": STRING,
        },
    },  # fmt: skip
    "Image": {
        "type": "object",
        "required": ["url"],
        "properties": {"url": STRING, "width": INT, "height": INT, "mime_type": STRING},
    },
    "Place": {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": INT,
            "code": STRING,
            "kind": STRING,
            "name": {"$ref": "#/components/schemas/LanguageMap"},
            "latitude": _nullable({"type": "number"}),
            "longitude": _nullable({"type": "number"}),
            "current": {
                "type": "object",
                "description": "Today's unit, when this one was merged away.",
                "properties": {
                    "id": INT,
                    "code": STRING,
                    "name": {"$ref": "#/components/schemas/LanguageMap"},
                },
            },  # fmt: skip
        },
    },
    "Licence": {
        "type": "object",
        "required": ["code", "name"],
        "properties": {
            "code": STRING,
            "name": {"$ref": "#/components/schemas/LanguageMap"},
            "uri": STRING,
            "requires_credit": {"type": "boolean"},
            "allows_reuse": {"type": "boolean"},
        },
    },
    "Record": {
        "type": "object",
        "description": "The public record of a photo, video or publication, every language.",
        "required": ["id", "type", "status", "datestamp", "url", "title"],
        "properties": {
            "id": {"type": "string", "pattern": "^(photo|video|publication)/[0-9]+$"},
            "type": {"enum": KINDS},
            "status": {"const": "active"},
            "datestamp": STAMP,
            "url": {"$ref": "#/components/schemas/LanguageMap"},
            "title": {"$ref": "#/components/schemas/LanguageMap"},
            "description": {"$ref": "#/components/schemas/LanguageMap"},
            "alt_text": {"$ref": "#/components/schemas/LanguageMap"},
            "keywords": {"type": "array", "items": STRING},
            "topics": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {
                        "id": STRING,
                        "name": {"$ref": "#/components/schemas/LanguageMap"},
                    },
                },  # fmt: skip
            },
            "place": _nullable({"$ref": "#/components/schemas/Place"}),
            "organisation": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": INT, "name": STRING},
            },
            "author": STRING,
            "credit": STRING,
            "copyright_holder": STRING,
            "licence": _nullable({"$ref": "#/components/schemas/Licence"}),
            "date": _nullable({"type": "string", "format": "date"}),
            "date_precision": _nullable(STRING),
            "source": STRING,
            "first_published": _nullable(STAMP),
            "last_published": _nullable(STAMP),
            "languages": {"type": "array", "items": STRING},
            "preview": {"$ref": "#/components/schemas/Image"},
            "image": {"$ref": "#/components/schemas/Image"},
            "files": {"type": "array", "items": {"$ref": "#/components/schemas/File"}},
            "editions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["language", "url"],
                    "properties": {
                        "language": STRING,
                        "url": STRING,
                        "mime_type": STRING,
                        "bytes": _nullable(INT),
                        "sha256": STRING,
                        "pages": _nullable(INT),
                        "cover": STRING,
                    },
                },  # fmt: skip
            },
            "subtitles": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["language", "url"],
                    "properties": {"language": STRING, "kind": STRING, "url": STRING},
                },
            },
            "duration": _nullable({"type": "number"}),
            "width": _nullable(INT),
            "height": _nullable(INT),
        },
    },
    "Tombstone": {
        "type": "object",
        "description": "A record that left the public record (withdrawn, expired, deleted).",
        "required": ["id", "status", "datestamp"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": "^(photo|video|publication)/[0-9]+$"},
            "status": {"const": "deleted"},
            "datestamp": STAMP,
        },
    },
    "RecordList": {
        "type": "object",
        "required": ["items", "next", "resume"],
        "additionalProperties": False,
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/Record"},
                        {"$ref": "#/components/schemas/Tombstone"},
                    ]
                },
            },
            "next": _nullable({"type": "string", "format": "uri"}),
            "resume": _nullable({"type": "string", "format": "uri"}),
        },
    },
    "Index": {
        "type": "object",
        "required": ["name", "version", "links"],
        "properties": {
            "name": STRING,
            "version": {"const": "v1"},
            "links": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details; `detail` is in the language of Accept-Language (Vietnamese by default), `parameter` names a wrong parameter.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": STRING,
            "title": STRING,
            "status": INT,
            "detail": STRING,
            "parameter": _nullable(STRING),
            "id": STRING,
            "datestamp": STAMP,
        },
    },  # fmt: skip
    "Manifest": {
        "type": "object",
        "description": "IIIF Presentation 3.0 manifest (https://iiif.io/api/presentation/3.0/).",
        "required": ["@context", "id", "type", "label", "items"],
        "properties": {
            "@context": {"const": "http://iiif.io/api/presentation/3/context.json"},
            "id": STRING,
            "type": {"const": "Manifest"},
            "label": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": STRING},
            },
            "items": {"type": "array", "items": {"type": "object"}},
        },
    },
}


def _problem(description):
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def _ok(schema, description="OK"):
    return {
        "description": description,
        "headers": {"ETag": {"schema": STRING, "description": "Strong (weak once gzipped)."}},
        "content": {"application/json": {"schema": schema}},
    }


COMMON = {
    "304": {"description": "Not modified (If-None-Match matched the ETag)."},
    "401": _problem("The API key presented is not valid (unknown, revoked, inactive consumer)."),
    "429": _problem("Rate limit reached; see Retry-After."),
}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False, "schema": STRING}


def _query(name, schema, description):
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}  # fmt: skip


def _paths():
    ref = lambda name: {"$ref": f"#/components/schemas/{name}"}  # noqa: E731
    codes = [code for code, _name in settings.LANGUAGES]
    return {
        "/api/v1/": {
            "get": {
                "operationId": "index",
                "summary": "Links to the API's resources.",
                "parameters": [IF_NONE_MATCH],
                "responses": {"200": _ok(ref("Index")), **COMMON},
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "parameters": [IF_NONE_MATCH],
                "responses": {"200": _ok({"type": "object"}), **COMMON},
            }
        },
        "/api/v1/records/": {
            "get": {
                "operationId": "listRecords",
                "summary": "Public records in (datestamp, id) order; tombstones in incremental sync.",
                "description": (
                    "Without updated_since or include_deleted=true, only active records. "
                    "With either, records that left the public record are listed as "
                    "tombstones; place and language do not filter tombstones (they keep "
                    "no content), type, topic and organisation do. Follow `next` while it "
                    "is not null; keep `resume` to ask later for what changed since (exact: "
                    "keyset on (datestamp, id))."
                ),
                "parameters": [
                    _query("type", {"enum": KINDS}, "Only this kind of record."),
                    _query(
                        "topic",
                        {"type": "string", "minLength": 1, "maxLength": 100},
                        "A topic's id (slug).",
                    ),
                    _query(
                        "organisation",
                        {"type": "integer", "minimum": 1, "maximum": 999999999999999999},
                        "An organisation's id.",
                    ),
                    _query(
                        "place",
                        {"type": "integer", "minimum": 1, "maximum": 999999999999999999},
                        "A place's id (also finds records of units merged into it).",
                    ),
                    _query("language", {"enum": codes}, "Records with a title in this language."),
                    _query(
                        "q",
                        {"type": "string", "maxLength": 200},
                        "Text, as the site's search understands it (with or without "
                        "diacritics, any language): the best 1,000 matching public records, "
                        "still in (datestamp, id) order; no tombstones.",
                    ),
                    _query(
                        "updated_since",
                        {"type": "string", "format": "date-time"},
                        "Records changed at or after this time (ISO 8601), tombstones included.",
                    ),
                    _query(
                        "include_deleted",
                        {"enum": ["true", "false"]},
                        "List tombstones too (default false).",
                    ),
                    _query(
                        "page_size",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": settings.SEN_API_MAX_PAGE_SIZE,
                        },
                        f"Records per page (default {settings.SEN_API_PAGE_SIZE}).",
                    ),
                    _query(
                        "cursor",
                        {"type": "string", "maxLength": 500},
                        "Opaque position from `next` or `resume`.",
                    ),
                    IF_NONE_MATCH,
                ],  # fmt: skip
                "responses": {
                    "200": _ok(ref("RecordList")),
                    "400": _problem("A parameter is wrong; `parameter` names it."),
                    **COMMON,
                },
            }
        },
        "/api/v1/records/{type}/{id}/": {
            "get": {
                "operationId": "getRecord",
                "summary": "One public record, every language.",
                "parameters": [
                    {"name": "type", "in": "path", "required": True, "schema": {"enum": KINDS}},
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                    },
                    IF_NONE_MATCH,
                ],  # fmt: skip
                "responses": {
                    "200": _ok(ref("Record")),
                    "404": _problem("Never public (or no such record)."),
                    "410": _problem("The record left the public record (a tombstone)."),
                    **COMMON,
                },
            }
        },
        "/iiif/{type}/{id}/manifest.json": {
            "get": {
                "operationId": "getManifest",
                "summary": "IIIF Presentation 3 manifest of a public photo or publication.",
                "parameters": [
                    {
                        "name": "type",
                        "in": "path",
                        "required": True,
                        "schema": {"enum": ["photo", "publication"]},
                    },
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                    },
                    IF_NONE_MATCH,
                ],  # fmt: skip
                "responses": {
                    "200": _ok(ref("Manifest")),
                    "404": _problem("Not a public photo or publication."),
                    **COMMON,
                },
            }
        },
    }


def document():
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sen API",
            "version": "1.0.0",
            "description": (
                "Public records of the province's image promotion database. Reading is "
                "open; an API key (Authorization: Bearer sen_…, or X-API-Key) raises the "
                f"rate limit from {settings.SEN_API_RATE_ANONYMOUS} to "
                f"{settings.SEN_API_RATE_KEY}."
            ),
        },
        "paths": _paths(),
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
        "security": [{}, {"bearer": []}, {"apiKey": []}],
    }
