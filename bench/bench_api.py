"""The open reads under load, against the targets of issue 17, beside the same server with its
read cache off (the anchor: every read computed by its route, as before).

Run: ``make bench`` (or ``.venv/bin/python bench/bench_api.py``). One city is built (territory
and a 5 % population, for the layers), then the server is started twice, one process each time
(``recoque serve``, uvicorn with httptools and uvloop), with ``RECOQUE_READ_CACHE`` on and off.
The load comes from this process: 50 keep-alive connections on one asyncio loop, each sending
the next request as soon as its answer is read (a closed loop), ``Accept-Encoding: gzip`` as a
browser sends it, for ``SECONDS`` per endpoint after a warm-up. The machine has 2 cores: one
for the server, one for the load. Printed per endpoint: requests per second, p50 and p99 latency,
the ratio to the target (500 r/s; p99 ≤ 100 ms) and to the anchor; every answer of both servers
is checked equal (decompressed) before anything is printed.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from results import fmt, record  # noqa: E402

CONNECTIONS = 50
SECONDS = float(os.environ.get("RECOQUE_BENCH_SECONDS", "8"))
TARGET_RPS, TARGET_P99_MS = 500, 100
ENDPOINTS = ["/api/v1/health", "/api/v1/territory/iris", "/api/v1/layers/personnes_agees_seules?level=iris",
             "/api/v1/layers", "/api/v1/register"]


def build(var: Path, env: dict) -> None:
    for command in (["territory", "build"], ["population", "build", "--scale", "0.05", "--seed", "3"]):
        subprocess.run([sys.executable, "-m", "recoque.cli", *command], env=env, check=True,
                       stdout=subprocess.DEVNULL)


def serve(env: dict, cache: bool) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "recoque.cli", "serve", "--port", str(port)],
                              env=env | {"RECOQUE_READ_CACHE": "true" if cache else "false"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).read()
            return server, port
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)


async def _one(reader, writer, request: bytes) -> tuple[int, bytes, dict]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
    if headers.get("transfer-encoding") == "chunked":   # a streamed answer (compressed on the fly)
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        return status, b"".join(part[:-2] for part in parts), headers
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers


async def _load(port: int, path: str, seconds: float) -> dict:
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: gzip\r\n"
               "Connection: keep-alive\r\n\r\n").encode()
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            status, _, _ = await _one(reader, writer, request)
            latencies.append(time.perf_counter() - t0)
            errors += status != 200
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
    elapsed = time.monotonic() - started
    latencies.sort()
    n = len(latencies)
    return {"rps": n / elapsed, "p50_ms": latencies[n // 2] * 1000, "p99_ms": latencies[int(n * 0.99)] * 1000,
            "requests": n, "errors": errors}


async def _bodies(port: int) -> dict[str, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    out = {}
    for path in ENDPOINTS:
        request = f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n".encode()
        status, body, headers = await _one(reader, writer, request)
        assert status == 200, (path, status)
        out[path] = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
    writer.close()
    return out


def measure(env: dict, cache: bool) -> tuple[dict, dict]:
    server, port = serve(env, cache)
    try:
        bodies = asyncio.run(_bodies(port))
        results = {}
        for path in ENDPOINTS:
            asyncio.run(_load(port, path, 1.0))  # warm-up: the first answer computed, connections open
            results[path] = asyncio.run(_load(port, path, SECONDS))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results, bodies


def main() -> None:
    var = Path(tempfile.mkdtemp(prefix="recoque-bench-api-"))
    env = os.environ | {"RECOQUE_VAR_DIR": str(var), "RECOQUE_ENVIRONMENT": "test",
                        "RECOQUE_SECRET_KEY": secrets.token_urlsafe(48), "RECOQUE_FOOTPRINT_METER": "cpu-time",
                        "RECOQUE_JOURNAL_PUBLISH_SECONDS": "0"}
    print("Building the city (territory, 5 % population)…", flush=True)
    build(var, env)
    cached, cached_bodies = measure(env, cache=True)
    plain, plain_bodies = measure(env, cache=False)
    for path in ENDPOINTS:  # the fair comparison: the very same answers
        if path.startswith("/api/v1/register"):  # its footprint figures move with each run; compare the rest
            a, b = json.loads(cached_bodies[path]), json.loads(plain_bodies[path])
            assert [e["general_information"] for e in a] == [e["general_information"] for e in b], path
        else:
            assert cached_bodies[path] == plain_bodies[path], path
    print(f"\n{CONNECTIONS} connections, {SECONDS:g} s per endpoint, 1 server process; "
          f"targets: ≥ {TARGET_RPS} r/s and p99 ≤ {TARGET_P99_MS} ms (ratio ≤ 1 meets it)")
    print(f"{'endpoint':55} {'r/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'tgt r/s':>8} {'tgt p99':>8} "
          f"{'anchor r/s':>10} {'anchor p99':>10} {'×r/s':>6}")
    report = {}
    for path in ENDPOINTS:
        c, p = cached[path], plain[path]
        assert c["errors"] == 0 and p["errors"] == 0, (path, c, p)
        report[path] = {"cached": c, "anchor": p}
        print(f"{path:55} {c['rps']:8.0f} {c['p50_ms']:8.1f} {c['p99_ms']:8.1f} {TARGET_RPS / c['rps']:8.2f} "
              f"{c['p99_ms'] / TARGET_P99_MS:8.2f} {p['rps']:10.0f} {p['p99_ms']:10.1f} {c['rps'] / p['rps']:6.1f}")
    labels = {"/api/v1/territory/iris": "`GET /api/v1/territory/iris` (GeoJSON, gzip)",
              "/api/v1/layers/personnes_agees_seules?level=iris": "`GET /api/v1/layers/{id}?level=iris`",
              "/api/v1/layers": "`GET /api/v1/layers`", "/api/v1/register": "`GET /api/v1/register`",
              "/api/v1/health": "`GET /api/v1/health`"}
    rows = []
    for path in ENDPOINTS:
        c, p = report[path]["cached"], report[path]["anchor"]
        ok = c["rps"] >= TARGET_RPS and c["p99_ms"] <= TARGET_P99_MS
        rows.append([labels[path], f"{fmt(c['rps'])} r/s, p99 {c['p99_ms']:.1f} ms",
                     "" if path == "/api/v1/health" else f"≥ {TARGET_RPS} r/s, p99 ≤ {TARGET_P99_MS} ms: "
                     + ("met" if ok else "**not met**"),
                     f"{fmt(p['rps'])} r/s, p99 {fmt(p['p99_ms'])} ms"])
    record("api", title=f"the open reads under load: {CONNECTIONS} keep-alive connections from one asyncio loop on "
           f"one core, one server process (`recoque serve`) on the other, {SECONDS:g} s per endpoint; anchor: the "
           "same server with `RECOQUE_READ_CACHE=false` (every read computed by its route), answers asserted equal",
           columns=["measure", "value", "target", "anchor (cache off)"], rows=rows)


if __name__ == "__main__":
    main()
