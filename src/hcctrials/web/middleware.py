"""ASGI middleware: security headers on every response, and a limit on request body size.

Headers (OWASP Secure Headers Project): a Content-Security-Policy allowing only this server's
own scripts, styles and images (no inline script, nothing fetched from elsewhere), no framing,
no MIME sniffing, no referrer, no caching of answers that may carry patient data.

The body limit answers 413 (a problem document) when ``Content-Length`` says the body is larger
than the limit, and reads a body sent without a length (chunked) only up to the limit.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["SecurityHeaders", "BodySizeLimit", "SECURITY_HEADERS", "DEFAULT_MAX_BODY_BYTES"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Largest request body accepted (a patient record is a few kilobytes; a FHIR bundle rarely 1 MB).
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024

SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
                                "object-src 'none'"),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    # browsers apply it only over HTTPS (RFC 6797): a deployment behind TLS keeps to TLS
    "strict-transport-security": "max-age=31536000",
}


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response; ``Cache-Control: no-store`` on all but
    the static files (match answers carry patient data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in
                           {h for h, _ in self._headers}]
                headers.extend(self._headers)
                if not static and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class BodySizeLimit:
    """Refuses request bodies larger than *max_bytes* with 413 (module docstring)."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, send: Send) -> None:
        path = str(scope.get("path", ""))
        detail = f"request body larger than {self.max_bytes} bytes"
        if path.startswith("/api"):
            body = json.dumps({"type": "about:blank", "title": "Content Too Large", "status": 413,
                               "detail": detail, "instance": path}).encode()
            kind = b"application/problem+json"
        else:
            body = f"<!doctype html><title>413</title><p>413: {detail}</p>".encode()
            kind = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1
                if declared > self.max_bytes:
                    await self._refuse(scope, send)
                    return
        declared_length = any(key == b"content-length" for key, _ in scope.get("headers", []))
        if declared_length or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        # a body without a declared length (chunked): read it whole, up to the limit, then replay it
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
