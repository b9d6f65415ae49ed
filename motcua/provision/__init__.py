"""Broker security for one office: accounts, ACL, passwords, TLS and the province bridge."""

from motcua.provision.cli import main, provision

__all__ = ["main", "provision"]
