"""`thidua export_openapi PATH`: write the API's OpenAPI schema (committed as docs/openapi.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thidua.api.api import api


def schema_json() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the REST API's OpenAPI schema to PATH."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        path.write_text(schema_json(), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"OpenAPI schema written to {path}."))
