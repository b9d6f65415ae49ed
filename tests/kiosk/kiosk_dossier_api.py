"""A one-stop system's JSON API on 127.0.0.1 for the tests: ``/hoso/{code}``, ``/hoso`` (all),
and a gate that holds answers until the test opens it (a slow source)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote


class DossierAPI:
    def __init__(self, sample: Path) -> None:
        self.items = {item["dossierNo"]: item for item in json.loads(sample.read_text(encoding="utf-8"))["items"]}
        self.gate = threading.Event()
        self.gate.set()
        self.requests: list[str] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                api.requests.append(self.path)
                api.gate.wait(30)
                if self.path == "/hoso":
                    self._send(200, {"items": list(api.items.values())})
                    return
                code = unquote(self.path.rsplit("/", 1)[-1])
                if self.path.startswith("/hoso/") and code in api.items:
                    self._send(200, {"data": api.items[code]})
                else:
                    self._send(404, {"found": False})

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout): nothing to answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "DossierAPI":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()
