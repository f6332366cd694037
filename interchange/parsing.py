"""Reading an uploaded file as JSON, safely: size and nesting are checked before parsing."""

import json
import re
from typing import Any

from django.conf import settings

from core.errors import ApplicationError

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest, counted on the text (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def json_load(data: bytes) -> Any:
    """The file's JSON value; a clear ApplicationError when it is too large, too deep or not JSON."""
    limit = settings.INTERCHANGE_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise ApplicationError(f"The file is {len(data) / 1_048_576:.1f} MB; the largest map file accepted is "
                               f"{limit / 1_048_576:.1f} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError("The file is not JSON: it is not UTF-8 text.") from None
    max_depth = settings.INTERCHANGE_MAX_DEPTH
    if nesting_depth(text) > max_depth:
        raise ApplicationError(f"The file nests deeper than {max_depth} levels, which no map needs: refused.")
    try:
        return json.loads(text)
    except ValueError as error:
        raise ApplicationError(f"The file is not JSON ({error}).") from None
