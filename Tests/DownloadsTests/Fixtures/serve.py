#!/usr/bin/env python3
# serve.py: the local HTTP server DownloadsTests fetch from — files with Range support, plus misbehaving paths.
"""Usage: python3 serve.py FOLDER LOG

Binds 127.0.0.1 on a free port and prints the port as its first line of output. Serves FOLDER's files:
  /NAME           the file; honours `Range: bytes=N-` / `bytes=N-M` (206 + Content-Range, 416 past the end)
  /cut/NAME       without a Range header: the headers with the full Content-Length, then only the first half of
                  the body, then the connection is closed. With a Range header it is served like /NAME, so a
                  resumed fetch of the same URL completes.
  /norange/NAME   ignores Range: always 200 with the whole file
  /slow/NAME      like /NAME after a 0.3 s pause, so concurrent fetchers overlap
  /redirect/NAME  302 to /NAME
  anything missing: 404
Each request is appended to LOG as a JSON line {"path": ..., "range": ... or null} before it is answered.
"""
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FOLDER, LOG = sys.argv[1], sys.argv[2]
LOG_LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass  # the request log below is what the tests read

    def do_GET(self):
        requested_range = self.headers.get("Range")
        with LOG_LOCK, open(LOG, "a") as log:
            log.write(json.dumps({"path": self.path, "range": requested_range}) + "\n")
        mode, name = "plain", self.path.lstrip("/")
        for prefix in ("cut", "norange", "slow", "redirect"):
            if name.startswith(prefix + "/"):
                mode, name = prefix, name[len(prefix) + 1:]
        path = os.path.join(FOLDER, name)
        if "/" in name or name.startswith(".") or not os.path.isfile(path):
            return self.answer(404, b"not found\n")
        if mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "/" + name)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(path, "rb") as handle:
            body = handle.read()
        if mode == "slow":
            time.sleep(0.3)
        if mode == "cut" and requested_range is None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", requested_range or "")
        if mode == "norange" or match is None:
            return self.answer(200, body)
        start = int(match.group(1))
        end = min(int(match.group(2)), len(body) - 1) if match.group(2) else len(body) - 1
        if start >= len(body):
            return self.answer(416, b"range not satisfiable\n", {"Content-Range": f"bytes */{len(body)}"})
        return self.answer(206, body[start : end + 1], {"Content-Range": f"bytes {start}-{end}/{len(body)}"})

    def answer(self, status, body, headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that drops the connection (as the downloader does on an error status) is not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
