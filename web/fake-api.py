#!/usr/bin/env python3
"""Serves web/dist like the real server does, with a FAKE API, for working on the SPA alone.

    python3 web/fake-api.py [--port 8089]

Only what the SPA uses so far, answering as API.md says: POST /api/v1/auth/login (accepts
demo@example.com / demo-password) and GET /api/v1/me. Every other path under /api/ is a 404
error envelope; anything else is a file from web/dist, or index.html for client routes.
No database, no real tokens: never expose it; the real server is `parley serve`.
"""

import argparse
import json
import os
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

DIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dist")
EMAIL, PASSWORD, TOKEN = "demo@example.com", "demo-password", "fake-token-for-the-spa"
ME = {
    "kind": "user",
    "role": "admin",
    "tenant": {
        "id": "8d6f1f8e-3d1c-4a4e-9a43-1f0e6b3c2a10",
        "name": "Acme Dental",
        "default_region": "US",
        "resume_window_days": 30,
        "created_at": "2026-11-01T09:00:00Z",
    },
    "user": {
        "id": "0b0e3a57-0f41-4b5e-8f0c-8a3b8f1f9c21",
        "tenant_id": "8d6f1f8e-3d1c-4a4e-9a43-1f0e6b3c2a10",
        "email": EMAIL,
        "role": "admin",
        "created_at": "2026-11-01T09:00:00Z",
    },
    "api_key": None,
}


def error(code, message, field=None):
    body = {"error": {"code": code, "message": message}}
    if field:
        body["error"]["field"] = field
    return body


class Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=DIST, **kwargs)

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        if self.path != "/api/v1/auth/login":
            return self.send_json(404, error("not_found", "No such endpoint."))
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self.send_json(400, error("invalid_json", "The body is not valid JSON."))
        if body.get("email") == EMAIL and body.get("password") == PASSWORD:
            return self.send_json(
                200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}
            )
        return self.send_json(
            401, error("invalid_credentials", "The email or password is not correct.")
        )

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/api/v1/me":
            if self.headers.get("Authorization") == f"Bearer {TOKEN}":
                return self.send_json(200, ME)
            return self.send_json(401, error("unauthorized", "Sign in to continue."))
        if path.startswith("/api/"):
            return self.send_json(404, error("not_found", "No such endpoint."))
        if not os.path.isfile(os.path.join(DIST, path.lstrip("/"))):
            self.path = "/index.html"  # a client-side route
        return super().do_GET()

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8089)
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(DIST, "index.html")):
        sys.exit("web/dist/index.html is missing: run web/build.sh first")
    Handler.extensions_map[".wasm"] = "application/wasm"
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"SPA with a fake API on http://127.0.0.1:{args.port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
