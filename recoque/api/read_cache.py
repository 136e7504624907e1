"""The open reads (health, territory, layers, overlays, the register) answered from memory: each
response is computed once per version of the data, kept with its ETag and its gzip form, and
served to everyone until a build, a run or an audit changes the data.

Those reads are the same for every caller (no personal data, no session) and change only when
something is built. The data's version is the newest id of the builds, algorithm runs and bias
audits and the layers' revision (``core.layers.replace_layer_values`` bumps it), looked up at
most once a second, so a new build is served within a second. A client that
already holds the answer gets ``304 Not Modified`` for its ``If-None-Match``. One pure ASGI layer:
on a hit no route, dependency or database query runs.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import Engine

from recoque.governance.runs import open_data_version

PREFIXES = ("/api/v1/health", "/api/v1/territory", "/api/v1/layers", "/api/v1/overlays", "/api/v1/register",
            "/transparence/registre.")
NOT_CACHED = ("/api/v1/register/journal-head",)  # changes with each publication, not with the data
VERSION_SECONDS = 1.0
MAX_BYTES = 128 * 2**20   # memory the kept answers may take (raw + gzip), least recently used dropped
COMPRESS_OVER = 1024      # bytes; smaller answers go as they are


@dataclass(frozen=True)
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    gzipped: bytes | None
    etag: bytes

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


class ReadCache:
    def __init__(self, app, engine: Engine, max_bytes: int = MAX_BYTES) -> None:
        self.app, self.engine, self.max_bytes = app, engine, max_bytes
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.bytes = 0
        self._version: tuple = ()
        self._checked = 0.0
        self._locks: dict[tuple, asyncio.Lock] = {}

    def version(self) -> tuple:
        now = time.monotonic()
        if now - self._checked > VERSION_SECONDS:
            self._version = open_data_version(self.engine)
            self._checked = now
        return self._version

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or \
                not scope["path"].startswith(PREFIXES) or scope["path"] in NOT_CACHED:
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""), self.version())
        entry = self.entries.get(key)
        if entry is None:
            lock = self._locks.setdefault(key, asyncio.Lock())
            async with lock:  # fifty callers of a cold answer: one computes it, the others wait
                entry = self.entries.get(key)
                if entry is None:
                    entry = await self._compute(scope, receive)
                    if entry.status == 200:
                        self._keep(key, entry)
            self._locks.pop(key, None)
        else:
            self.entries.move_to_end(key)
        await self._answer(scope, send, entry)

    async def _compute(self, scope, receive) -> Entry:
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app({**scope, "method": "GET"}, receive, capture)
        body = b"".join(chunks)
        headers = [(k, v) for k, v in start.get("headers", [])
                   if k.lower() not in (b"content-length", b"etag", b"cache-control", b"content-encoding",
                                        b"last-modified")]
        gzipped = await asyncio.to_thread(gzip.compress, body, 6) if len(body) > COMPRESS_OVER else None
        etag = b'"' + hashlib.sha256(body).hexdigest()[:20].encode() + b'"'
        return Entry(start.get("status", 500), headers, body, gzipped, etag)

    def _keep(self, key: tuple, entry: Entry) -> None:
        if entry.size > self.max_bytes // 4:
            return
        self.entries[key] = entry
        self.bytes += entry.size
        while self.bytes > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.bytes -= dropped.size

    @staticmethod
    async def _answer(scope, send, entry: Entry) -> None:
        request = {k.lower(): v for k, v in scope["headers"]}
        common = [(b"etag", entry.etag), (b"vary", b"Accept-Encoding"),
                  (b"cache-control", b"public, max-age=60")] if entry.status == 200 else []
        if entry.status == 200 and entry.etag in [t.strip() for t in request.get(b"if-none-match", b"").split(b",")]:
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        body, headers = entry.body, entry.headers + common
        if entry.status == 200 and entry.gzipped is not None and b"gzip" in request.get(b"accept-encoding", b""):
            body, headers = entry.gzipped, headers + [(b"content-encoding", b"gzip")]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
