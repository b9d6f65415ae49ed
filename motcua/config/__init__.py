"""The office configuration: strict schema, YAML loader with line-accurate errors."""

from motcua.config.loader import (
    ConfigError,
    ConfigIssue,
    load_config,
    resolved_data_dir,
)
from motcua.config.schema import OfficeConfig

__all__ = ["ConfigError", "ConfigIssue", "OfficeConfig", "load_config", "resolved_data_dir"]
