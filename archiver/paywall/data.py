"""Loading of the rule files in ``archiver/paywall/data/``.

Every rule and weight the detector uses lives in these YAML files (the phrases
of each language in ``archiver/languages/``), so a vendor or a re-weighting is
a data change; each file is read once per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from archiver.yamlfiles import load_yaml

DATA_DIR = Path(__file__).with_name("data")


@cache
def load(name: str) -> Any:
    """The parsed content of ``data/<name>.yaml``."""
    path = DATA_DIR / f"{name}.yaml"
    with path.open(encoding="utf-8") as handle:
        return load_yaml(handle)

