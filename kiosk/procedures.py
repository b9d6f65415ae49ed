"""Procedure records (thủ tục hành chính) and the loader of ``config/procedures/*.yaml|json``.

A file holds ``field`` (the default field of its records) and ``procedures``; keys starting with
``defaults`` are YAML anchors to merge from and are otherwise ignored. Every string becomes NFC.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from motcua.text import nfc

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "config" / "procedures"
CODE_PATTERN = r"^\d\.\d{6}$"


class CatalogueError(ValueError):
    """A procedure file that cannot be used; the message names the file and the record."""


def _nfc_deep(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value.strip())
    if isinstance(value, Mapping):
        return {k: _nfc_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc_deep(v) for v in value]
    return value


def _flatten(items: Iterable[Any]) -> list[Any]:
    """YAML anchors put whole lists inside lists (``- *luat_ho_tich``): flatten them."""
    out: list[Any] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    count: str = "1 bản"


class Way(BaseModel):
    """A way to submit; ``time``/``fee`` only when they differ from the procedure's."""

    model_config = ConfigDict(extra="forbid")
    way: str
    time: str | None = None
    fee: str | None = None


class Procedure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=3)
    field: str
    level: str = "Cấp xã"
    agency: str | None = None
    who: str | None = None
    steps: list[str] = []
    ways: list[Way] = []
    documents: list[Document] = Field(min_length=1)
    present: list[str] = []
    time: str
    fee: str
    result: str
    conditions: str | None = None
    legal_basis: list[str] = Field(min_length=1)
    online: str | None = None
    keywords: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        data = _nfc_deep(dict(data))
        for key in ("legal_basis", "steps", "present", "keywords", "ways", "documents"):
            if isinstance(data.get(key), list):
                data[key] = _flatten(data[key])
        if isinstance(data.get("ways"), list):
            data["ways"] = [{"way": w} if isinstance(w, str) else w for w in data["ways"]]
        return data

    @field_validator("online")
    @classmethod
    def _online_level(cls, value: str | None) -> str | None:
        if value is not None and value not in ("toàn trình", "một phần"):
            raise ValueError("online must be 'toàn trình', 'một phần' or absent")
        return value


def load_file(path: Path) -> list[Procedure]:
    """The procedures of one YAML or JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("procedures"), list):
        raise CatalogueError(f"{path}: expected a mapping with a 'procedures' list")
    unknown = [k for k in data if k not in ("field", "procedures") and not str(k).startswith("defaults")]
    if unknown:
        raise CatalogueError(f"{path}: unknown keys {unknown}")
    field = data.get("field")
    records = []
    for index, raw in enumerate(data["procedures"]):
        if not isinstance(raw, Mapping):
            raise CatalogueError(f"{path}: procedures[{index}] is not a mapping")
        raw = dict(raw)
        if field and "field" not in raw:
            raw["field"] = field
        try:
            records.append(Procedure.model_validate(raw))
        except ValidationError as exc:
            where = raw.get("code", f"procedures[{index}]")
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise CatalogueError(f"{path}: {where}: {problems}") from None
    return records


def load_procedures(folder: Path = DEFAULT_DIR) -> list[Procedure]:
    """Every procedure of ``folder`` in file order (files sorted by name); codes must be unique."""
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    if not files:
        raise CatalogueError(f"{folder}: no procedure files (*.yaml, *.json)")
    seen: dict[str, Path] = {}
    out: list[Procedure] = []
    for path in files:
        for proc in load_file(path):
            if proc.code in seen:
                raise CatalogueError(f"{path}: duplicate code {proc.code} (first in {seen[proc.code].name})")
            seen[proc.code] = path
            out.append(proc)
    return out
