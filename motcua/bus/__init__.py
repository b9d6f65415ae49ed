"""The MQTT contract: topics, payload models and the client every process uses."""

from motcua.bus.client import BusClient, Incoming, PayloadError, RequestTimeout, json_handler, new_request_id
from motcua.bus.topics import Topics

__all__ = ["BusClient", "Incoming", "PayloadError", "RequestTimeout", "Topics", "json_handler", "new_request_id"]
