"""The spec's two formats: JSON (top-level arrays) and XML (root element, one child per item), UTF-8.

Documents are built as plain data (cases/open311/documents.py); this module only writes them.
XML follows the spec's examples: a list is an element holding one element per item, named by
`LIST_ITEMS` (`<endpoints><endpoint>…`, `<formats><format>…`), booleans are `true`/`false` and a
missing value is an empty element.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

JSON = "json"
XML = "xml"
FORMATS = (JSON, XML)
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# The element name of each item of a list-valued field (the spec's XML examples).
LIST_ITEMS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}
# Characters XML 1.0 cannot carry at all, even escaped: most C0 controls, lone surrogates, U+FFFE/F.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Open311Error(Exception):
    """A refusal answered as the spec's error list: [{"code": status, "description": …}]."""

    def __init__(self, status: int, description: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(str(description))
        self.status = status
        self.description = str(description)
        self.headers = dict(headers or {})


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_INVALID.sub("", str(value))


def _xml_element(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _xml_element(element, key, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _xml_element(element, LIST_ITEMS.get(tag, "item"), item)
    else:
        element.text = _xml_text(value)


def to_xml(root: str, item: str | None, payload: Any) -> bytes:
    """`payload` under `<root>`: a list as one `<item>` per entry, a mapping as its fields."""
    element = ET.Element(root)
    if isinstance(payload, list | tuple):
        for entry in payload:
            _xml_element(element, item or "item", entry)
    else:
        for key, value in payload.items():
            _xml_element(element, key, value)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def to_json(payload: Any) -> bytes:
    return json.dumps(_json_value(payload), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(payload: Any, fmt: str, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    """One Open311 answer: JSON as the payload itself, XML as `<root><item>…</item></root>`."""
    body = to_xml(root, item, payload) if fmt == XML else to_json(payload)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(status: int, description: Any, fmt: str = JSON, headers: Mapping[str, str] | None = None):
    """The spec's error list: [{"code": 404, "description": "…"}] or <errors><error>…</error></errors>."""
    response = render(
        [{"code": status, "description": str(description)}],
        fmt if fmt in FORMATS else JSON,
        root="errors",
        item="error",
        status=status,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
