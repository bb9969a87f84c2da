"""One answer, two encodings: the JSON and the XML that GeoReport v2 shows for each resource.

Every payload is built once as plain data and encoded here, so that the two formats cannot drift apart.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any, Literal

from backend.open311.errors import Open311Error

Format = Literal["json", "xml"]
FORMATS: tuple[Format, ...] = ("json", "xml")
CONTENT_TYPES: dict[Format, str] = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# GeoReport v2's XML names each item of a list after its container: <services><service>...</service></services>.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


# Characters XML 1.0 cannot hold at all, even escaped; a farmer's text may contain them (pasted from elsewhere).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def parse_format(fmt: str) -> Format:
    if fmt not in FORMATS:
        raise Open311Error(404, f"unknown format {fmt!r}: ask for .json or .xml")
    return fmt  # type: ignore[return-value]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item_tag), child)
    else:
        element.text = _text(value)


def to_xml(root: str, payload: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, payload)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def encode(fmt: Format, root: str, payload: Any) -> bytes:
    """`root` names the XML document element; the JSON is the payload itself."""
    if fmt == "json":
        return json.dumps(payload, ensure_ascii=False).encode()
    return to_xml(root, payload)
