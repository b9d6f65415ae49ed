"""Load the office YAML: every problem reported at once, each with its file and line.

Environment overrides: ``MOTCUA_CONFIG`` (the file when no path is given), ``MOTCUA_MQTT_URL``
(``broker.url``, and the user and password written in it), ``MOTCUA_DATA_DIR``
(``storage.data_dir``). Relative paths are made absolute on load: ``storage.data_dir``,
``broker.password_file`` and ``announcer.clips_dir`` against the config file's folder;
``announcer.wav_dir``, a capture printer's ``capture_dir`` and a file printer's ``device``
against the data dir (where every output of the office goes).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from motcua.config.schema import OfficeConfig

ENV_CONFIG = "MOTCUA_CONFIG"
ENV_MQTT_URL = "MOTCUA_MQTT_URL"
ENV_DATA_DIR = "MOTCUA_DATA_DIR"


@dataclass(frozen=True)
class ConfigIssue:
    """One problem: where it is and what is wrong."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(Exception):
    """The config cannot be used; ``errors`` holds every problem found."""

    def __init__(self, errors: list[ConfigIssue]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(issue) for issue in errors))


class _YamlLoader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1 base-60 numbers, so ``reset: {time: 12:30}`` stays a string."""


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _NUMBER_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0[0-7_]+
        |[-+]?(?:0|[1-9][0-9_]*)
        |[-+]?0x[0-9a-fA-F_]+)$""",
        re.X,
    ),
    list("-+0123456789"),
)
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
        |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class _Place:
    line: int
    is_sequence: bool


def _index(node: yaml.Node) -> tuple[dict[Path_, _Place], list[tuple[int, Path_]]]:
    """Map every node path (keys and list indexes as strings) to its 1-based line.

    Also returns the duplicate keys found: PyYAML silently keeps the last value, so the index
    points at the last one too.
    """
    places: dict[Path_, _Place] = {}
    duplicates: list[tuple[int, Path_]] = []

    def walk(current: yaml.Node, path: Path_, line: int) -> None:
        places[path] = _Place(line, isinstance(current, yaml.SequenceNode))
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in current.value:
                key = str(key_node.value)
                key_line = key_node.start_mark.line + 1
                if key in seen:
                    duplicates.append((key_line, path + (key,)))
                seen.add(key)
                walk(value_node, path + (key,), key_line)
        elif isinstance(current, yaml.SequenceNode):
            for i, item in enumerate(current.value):
                walk(item, path + (str(i),), item.start_mark.line + 1)

    walk(node, (), node.start_mark.line + 1)
    return places, duplicates


_PYDANTIC_TYPE_NAMES = {"str", "int", "float", "bool", "none", "list", "dict", "tuple", "literal"}
_FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_FRIENDLY = {
    "extra_forbidden": "unknown key",
    "missing": "required key is missing",
}


def _locate(loc: tuple[Any, ...], places: dict[Path_, _Place]) -> tuple[int, str]:
    """The YAML line of a pydantic error location and a readable key (``services[2].hours.mon``)."""
    path: Path_ = ()
    key = ""
    for element in loc:
        candidate = path + (str(element),)
        parent_is_sequence = places.get(path, _Place(0, False)).is_sequence
        if candidate in places:
            path = candidate
        elif isinstance(element, int) and not isinstance(element, bool):
            pass
        elif not (isinstance(element, str) and _FIELD_NAME.match(element)) or element in _PYDANTIC_TYPE_NAMES:
            continue
        if isinstance(element, int) and parent_is_sequence:
            key += f"[{element}]"
        else:
            key += f".{element}" if key else str(element)
    return places.get(path, places.get((), _Place(1, False))).line, key


def _read_yaml(path: Path, name: str) -> tuple[dict[str, Any], dict[Path_, _Place], list[ConfigIssue]]:
    """The raw data, the line index and the duplicate keys; raises when there is nothing to validate."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigIssue(name, 0, "", f"cannot read the file: {exc}")]) from None
    loader = _YamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ConfigError([ConfigIssue(name, 1, "", "the file is empty")])
        places, duplicates = _index(node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise ConfigError([ConfigIssue(name, line, "", f"YAML syntax error: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigIssue(name, 0, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        message = "the file must hold a mapping of sections (office:, services:, ...)"
        raise ConfigError([ConfigIssue(name, 1, "", message)])
    issues = [ConfigIssue(name, line, ".".join(dup), "duplicate key (written twice)") for line, dup in duplicates]
    return data, places, issues


def _apply_env(data: dict[str, Any]) -> dict[Path_, str]:
    """Apply the environment overrides to the raw data; return which paths they set."""
    overridden: dict[Path_, str] = {}
    url = os.environ.get(ENV_MQTT_URL)
    if url:
        broker = data.get("broker")
        data["broker"] = {**(broker if isinstance(broker, dict) else {}), "url": url}
        overridden[("broker", "url")] = ENV_MQTT_URL
    data_dir = os.environ.get(ENV_DATA_DIR)
    if data_dir:
        storage = data.get("storage")
        absolute = str(Path(data_dir).expanduser().resolve())
        data["storage"] = {**(storage if isinstance(storage, dict) else {}), "data_dir": absolute}
        overridden[("storage", "data_dir")] = ENV_DATA_DIR
    return overridden


def _issues(exc: ValidationError, name: str, places: dict[Path_, _Place], env: dict[Path_, str]) -> list[ConfigIssue]:
    issues = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        line, key = _locate(loc, places)
        message = _FRIENDLY.get(err["type"], err["msg"])
        source = next((var for path, var in env.items() if tuple(map(str, loc[: len(path)])) == path), None)
        if source is not None:
            issues.append(ConfigIssue(f"${source}", 0, key, message))
        else:
            issues.append(ConfigIssue(name, line, key, message))
    return list(dict.fromkeys(issues))


def resolved_data_dir(cfg: OfficeConfig) -> Path:
    """The absolute data dir (a relative one counts from the config file's folder, else the cwd)."""
    data_dir = cfg.storage.data_dir.expanduser()
    if data_dir.is_absolute():
        return data_dir
    base = cfg.source.parent if cfg.source is not None else Path.cwd()
    return (base / data_dir).resolve()


def _absolute(path: Path | None, base: Path) -> Path | None:
    if path is None:
        return None
    path = path.expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _resolve_paths(cfg: OfficeConfig) -> None:
    config_dir = cfg.source.parent if cfg.source is not None else Path.cwd()
    data_dir = resolved_data_dir(cfg)
    cfg.storage.data_dir = data_dir
    cfg.broker.password_file = _absolute(cfg.broker.password_file, config_dir)
    cfg.announcer.clips_dir = _absolute(cfg.announcer.clips_dir, config_dir)
    cfg.announcer.wav_dir = _absolute(cfg.announcer.wav_dir, data_dir)
    for printer in cfg.devices.printers:
        printer.capture_dir = _absolute(printer.capture_dir, data_dir)
        if printer.backend == "file" and printer.device is not None:
            printer.device = str(_absolute(Path(printer.device), data_dir))


def load_config(path: str | Path | None = None) -> OfficeConfig:
    """Load and validate the office YAML, or raise ``ConfigError`` listing every problem."""
    if path is None:
        path = os.environ.get(ENV_CONFIG)
        if not path:
            raise ConfigError([ConfigIssue("<config>", 0, "", f"no config file: pass -c FILE or set {ENV_CONFIG}")])
    name = str(path)
    source = Path(path).expanduser().resolve()
    data, places, issues = _read_yaml(source, name)
    env = _apply_env(data)
    try:
        cfg = OfficeConfig.model_validate(data)
    except ValidationError as exc:
        issues += _issues(exc, name, places, env)
    if issues:
        raise ConfigError(sorted(issues, key=lambda issue: (issue.file != name, issue.line)))
    cfg._source = source
    _resolve_paths(cfg)
    return cfg
