"""A quiet static file handler that serves text gzipped, as GitHub Pages does.

The browser tests' server (conftest.py) and benchmarks/search_latency.py both serve built
sites with it, so that pages, scripts and the search index reach Chromium as they would
from GitHub Pages.
"""

from __future__ import annotations

import gzip
import http.server
from pathlib import Path

GZIPPED = {".html", ".css", ".js", ".json", ".xml", ".svg"}   # what GitHub Pages compresses


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves its directory without logging; GZIPPED files gzipped to clients that take it."""

    def log_message(self, format: str, *args) -> None:   # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in GZIPPED and path.is_file()):
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        self.wfile.write(body)
