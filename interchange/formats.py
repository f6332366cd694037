"""The export formats a map can be rendered to, by name.

Each app that knows how to render a map registers its formats here from its
AppConfig.ready() (interchange: json, ojf, csv; reports: pdf, svg, png), so the export
job and `export_map` serve every format without a list of them in one place.
"""

from collections.abc import Callable
from dataclasses import dataclass

from core.errors import ApplicationError


@dataclass(frozen=True)
class ExportFormat:
    name: str  # what `export_map --format` and the API call it: "json", "pdf"...
    label: str  # what the page calls it
    extension: str  # without the dot
    content_type: str
    render: Callable[[int], bytes]  # journey id -> the file's bytes


EXPORT_FORMATS: dict[str, ExportFormat] = {}


def register_export_format(export_format: ExportFormat) -> None:
    EXPORT_FORMATS[export_format.name] = export_format


def export_format_get(name: str) -> ExportFormat:
    try:
        return EXPORT_FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(EXPORT_FORMATS))
        raise ApplicationError(f"Unknown export format {name!r}. Known formats: {known}.") from None
