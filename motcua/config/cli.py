"""``motcua check-config``: validate the office YAML and print the effective config."""

from __future__ import annotations

import argparse
import sys

from motcua.config.loader import ConfigError, load_config
from motcua.config.show import effective_config_text
from motcua.i18n import t

EXIT_OK = 0
EXIT_BAD_CONFIG = 2


def check_config_main(args: list[str] | None = None) -> int:
    """Exit 0 and print the effective config when valid; exit 2 and list every problem when not."""
    parser = argparse.ArgumentParser(prog="motcua check-config", description=t("config.check_description"))
    parser.add_argument("-c", "--config", help=t("config.option_config"))
    try:
        options = parser.parse_args(args)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_BAD_CONFIG
    try:
        cfg = load_config(options.config)
    except ConfigError as exc:
        print(t("config.invalid", count=len(exc.errors)), file=sys.stderr)
        for issue in exc.errors:
            print(str(issue), file=sys.stderr)
        return EXIT_BAD_CONFIG
    print(f"# {t('config.valid', path=cfg.source)}")
    print(effective_config_text(cfg), end="")
    return EXIT_OK
