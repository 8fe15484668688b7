"""A small closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending the next of a list of
pre-built requests as soon as the previous answer is in. Raw asyncio streams on uvloop, so that the
generator spends as little of a small machine's CPU as it can.

Run in its own process by the benchmark:
    python -m bench.loadgen --port P --requests FILE --concurrency 32 --warmup 3 --duration 10
FILE holds the requests as JSON: a list of [path, body] pairs, with the headers given by --header.
Prints one JSON object: total (answers, warm-up included), requests and errors (in the measured window),
seconds, rps, p50_ms, p90_ms, p99_ms, max_ms."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time


def build(host: str, port: int, items: list[tuple[str, str]], headers: list[str]) -> list[bytes]:
    extra = "".join(f"{h}\r\n" for h in headers)
    out = []
    for path, body in items:
        raw = body.encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(raw)}\r\n{extra}\r\n"
        )
        out.append(head.encode() + raw)
    return out


async def client(
    host: str,
    port: int,
    requests: list[bytes],
    offset: int,
    stop_at: float,
    samples: list[tuple[float, float, bool]],
) -> None:
    """Records (sent, answered, ok) per request; ok is a 200 without a GraphQL error in the body."""
    reader, writer = await asyncio.open_connection(host, port)
    i, n = offset, len(requests)
    clock = time.perf_counter
    try:
        while True:
            start = clock()
            if start >= stop_at:
                return
            writer.write(requests[i % n])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            length = -1
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
                    break
            if length < 0:
                raise RuntimeError("the benchmark client needs a Content-Length answer")
            body = await reader.readexactly(length)
            ok = head.startswith(b"HTTP/1.1 200") and b'"errors"' not in body
            samples.append((start, clock(), ok))
    finally:
        writer.close()


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


async def run(args: argparse.Namespace, requests: list[bytes]) -> dict:
    clock = time.perf_counter
    begin = clock()
    measure_from = begin + args.warmup
    stop_at = measure_from + args.duration
    samples: list[tuple[float, float, bool]] = []
    step = max(1, len(requests) // args.concurrency)
    await asyncio.gather(
        *(client(args.host, args.port, requests, c * step, stop_at, samples) for c in range(args.concurrency))
    )
    # Only requests sent inside the window count; the tail after stop_at is drained, not counted.
    window = [x for x in samples if measure_from <= x[0] < stop_at]
    latencies = sorted((e - s) * 1000 for s, e, _ in window)
    return {
        "total": len(samples),
        "requests": len(window),
        "errors": sum(1 for *_, ok in window if not ok),
        "seconds": args.duration,
        "rps": len(window) / args.duration,
        "p50_ms": percentile(latencies, 0.50),
        "p90_ms": percentile(latencies, 0.90),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": latencies[-1] if latencies else float("nan"),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--requests", required=True)
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--warmup", type=float, default=3.0)
    p.add_argument("--duration", type=float, default=10.0)
    args = p.parse_args()
    try:
        import uvloop  # comes with uvicorn[standard]
    except ImportError:
        uvloop = None
    with open(args.requests) as f:
        items = [tuple(x) for x in json.load(f)]
    requests = build(args.host, args.port, items, args.header)
    result = uvloop.run(run(args, requests)) if uvloop else asyncio.run(run(args, requests))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
