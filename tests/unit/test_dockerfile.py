"""The image is rebuilt from the same base bytes until someone moves the pin: every FROM names its
image by digest, directly or through an ARG whose default does."""

from __future__ import annotations

import re

from tests.conftest import ROOT

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def test_every_base_image_is_pinned_by_digest():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", "\n".join(lines), re.M))
    bases = [line.split()[1] for line in lines if line.startswith("FROM ")]
    images = [args.get(base.strip("${}"), base) for base in bases]
    assert len(images) == 2 and all(DIGEST.search(image) for image in images), images
