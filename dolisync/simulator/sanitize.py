"""Dolibarr's input sanitising on write (captures 319/320): plain-text fields lose double
quotes, HTML tags and ``../``; HTML fields keep their markup but lose ``<script>`` tags (the
script's text stays)."""

from __future__ import annotations

import re
from typing import Any

_TAG = re.compile(r"<[^>]*>")
_SCRIPT_TAG = re.compile(r"</?script[^>]*>", re.IGNORECASE)


def plain_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _TAG.sub("", value).replace('"', "").replace("../", "")


def html_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _SCRIPT_TAG.sub("", value)
