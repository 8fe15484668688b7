"""Where the server's CPU goes under a load: py-spy samples `baton serve` while bench/writes.py drives it
(`--profile FILE`), and the samples are summed here by layer of the request path.

py-spy is not a dependency of Baton: install it into the virtualenv when you want a profile
(`.venv/bin/pip install py-spy`). It samples from outside the process (100 a second by default,
pausing it for each sample), so the server runs a little slower while it does.

    python -m bench.write_profile FILE CPU_MS    (the summary of a profile recorded before)"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

# A sample counts for the first of these that any frame of its stack matches ("function (file:line)"):
# the more specific layers come first, so the domain's SQLAlchemy time is the domain's, not the driver's.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("audit log (schema/audit.py, domain/audit)", ("_record (schema/audit.py", "domain/audit/")),
    ("domain: place_order and its unit of work", ("domain/",)),
    ("cost: pricing and refund (schema/pricing.py, cost.py)", ("schema/pricing.py", "schema/cost.py")),
    ("resolver, input coercion (schema/, resolvers/)", ("schema/mutations/", "resolvers/", "schema/types/")),
    ("parse (graphql-core)", ("graphql/language/",)),
    ("validation (graphql-core)", ("graphql/validation/",)),
    ("execution (graphql-core)", ("graphql/execution/",)),
    ("strawberry's schema and extensions", ("strawberry/schema/", "strawberry/extensions/", "schema/")),
    ("strawberry's HTTP view, response JSON", ("strawberry/",)),
    ("auth, context, access log (server/)", ("server/",)),
    ("starlette", ("starlette/",)),
    ("uvicorn / HTTP parsing", ("uvicorn/", "httptools", "h11/")),
    ("logging (structlog, logging)", ("structlog/", "logging/")),
    ("metrics (prometheus)", ("prometheus_client/",)),
]
# What the innermost frame is, for the samples' own time (the leaf decides).
LEAVES: list[tuple[str, tuple[str, ...]]] = [
    ("sqlalchemy", ("sqlalchemy/",)),
    ("asyncpg", ("asyncpg/",)),
    ("graphql-core", ("graphql/",)),
    ("strawberry", ("strawberry/",)),
    ("starlette", ("starlette/",)),
    ("uvicorn", ("uvicorn/", "httptools")),
    ("asyncio / uvloop", ("asyncio/", "uvloop")),
    ("json", ("json/", "orjson")),
    ("logging", ("structlog/", "logging/")),
    ("baton: domain/", ("domain/",)),
    ("baton: schema/, resolvers/", ("schema/", "resolvers/")),
    ("baton: server/", ("server/",)),
]


def start(pid: int, output: Path, seconds: float) -> subprocess.Popen[bytes]:
    """py-spy sampling the process for `seconds`, writing its raw (collapsed) stacks to `output`."""
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    argv = [spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(output)]
    argv += ["--duration", str(max(1, int(seconds))), "--full-filenames"]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stacks(path: Path) -> list[tuple[list[str], int]]:
    found = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            found.append((stack.split(";"), int(count)))
    return found


def _first(frames: list[str], rules: list[tuple[str, tuple[str, ...]]], default: str) -> str:
    for name, needles in rules:
        if any(needle in frame for frame in frames for needle in needles):
            return name
    return default


def summary(path: Path, cpu_ms: float) -> str:
    """The samples by layer and by leaf package, as shares and as their part of the CPU per request
    the benchmark measured (`cpu_ms`)."""
    found = stacks(path)
    total = sum(count for _, count in found) or 1
    layers: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for frames, count in found:
        layers[_first(frames, LAYERS, "other (event loop, background tasks)")] += count
        leaves[_first(frames[-1:], LEAVES, "other")] += count
    lines = [f"{total} samples; the shares of {cpu_ms:.2f} ms of server CPU per request"]
    for title, counter in (("by layer (inclusive)", layers), ("by innermost frame (own time)", leaves)):
        lines.append(f"  {title}:")
        for name, count in counter.most_common():
            lines.append(f"    {count / total:>6.1%}  {count / total * cpu_ms:>6.2f} ms/req  {name}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 1.0))
