"""motcua: the shared kernel of the one-stop office software (contract, config, command line)."""

__version__ = "0.1.0"
