"""The effective config as YAML, safe to print: every secret shows as ``********``."""

from __future__ import annotations

import re
from typing import Any

import yaml
from pydantic import BaseModel, SecretStr

from motcua.config.schema import OfficeConfig

MASK = "********"
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@/\s]*@")


def _secret_paths(model: BaseModel, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths (field names and list indexes) of every secret that is set."""
    found = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            here = path + ((name,) if index is None else (name, index))
            if isinstance(item, SecretStr):
                found.append(here)
            elif isinstance(item, BaseModel):
                found.extend(_secret_paths(item, here))
    return found


def mask_url(url: str) -> str:
    """``mqtt://user:pass@host`` → ``mqtt://user:********@host``."""
    return _URL_PASSWORD.sub(lambda m: f"{m[1]}{MASK}@", url)


def effective_config_text(cfg: OfficeConfig) -> str:
    """YAML of the config as the processes see it (defaults filled, paths resolved), secrets masked."""
    data = cfg.model_dump(mode="json")
    for path in _secret_paths(cfg):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = MASK
    data["broker"]["url"] = mask_url(data["broker"]["url"])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
