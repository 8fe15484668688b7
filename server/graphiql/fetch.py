"""Fetches the vendored GraphiQL files again from the npm registry, with npm itself (which checks each
tarball against the registry's integrity hash), and checks each file against its sha256 in VERSIONS
before writing it: `make graphiql-assets`. The committed copies are what Baton serves; this is how they
were made, and how they are upgraded:

    make graphiql-assets UPGRADE="graphiql@3.8.4"

takes that version of the package, writes its files and records their new digests in VERSIONS. Then
run tests/api/test_graphiql_offline.py, which opens the page in a browser and runs a query with it."""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSIONS = HERE / "VERSIONS"


def _pack(package: str, version: str, into: Path) -> Path:
    name = subprocess.run(
        ["npm", "pack", "--silent", "--pack-destination", str(into), f"{package}@{version}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    return into / name


def _member(tarball: Path, path: str) -> bytes:
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(f"package/{path}")
        if member is None:
            raise SystemExit(f"error: {tarball.name} has no file {path}")
        return member.read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--upgrade", nargs="*", default=[], metavar="PACKAGE@VERSION")
    args = parser.parse_args(argv)
    # rpartition: a scoped name has an @ of its own (@graphiql/plugin-explorer@1.0.3)
    upgrades = {spec.rpartition("@")[0]: spec.rpartition("@")[2] for spec in args.upgrade}
    lines = VERSIONS.read_text().splitlines()
    known = {line.split()[1] for line in lines if line.strip() and not line.startswith("#")}
    if unknown := set(upgrades) - known:
        raise SystemExit(f"error: VERSIONS names no package {', '.join(sorted(unknown))}")

    rewritten, wrong = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        tarballs: dict[tuple[str, str], Path] = {}
        for line in lines:
            if not line.strip() or line.startswith("#"):
                rewritten.append(line)
                continue
            name, package, version, path, digest = line.split()
            version = upgrades.get(package, version)
            if (package, version) not in tarballs:
                tarballs[package, version] = _pack(package, version, Path(tmp))
            body = _member(tarballs[package, version], path)
            got = hashlib.sha256(body).hexdigest()
            if package in upgrades:
                digest = got
            elif got != digest:
                print(f"{name}: {package}@{version} {path} has sha256 {got}, VERSIONS says {digest}")
                wrong += 1
                rewritten.append(line)
                continue
            (HERE / name).write_bytes(body)
            rewritten.append(f"{name:<29} {package:<26} {version:<8} {path:<32} {digest}")
            print(f"{name}: {package}@{version} {path} ({len(body):,} bytes) ok")
    if wrong:
        print(f"{wrong} file(s) differ from their pinned sha256: left as they were", file=sys.stderr)
        return 1
    VERSIONS.write_text("\n".join(rewritten) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
