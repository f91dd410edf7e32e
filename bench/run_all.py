"""Run every benchmark under bench/ (files named *_bench.py) one after another and print their figures.

Run: make bench   (or .venv/bin/python bench/run_all.py [name ...] to pick some, e.g. `segment api`)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    wanted = set(sys.argv[1:])
    failures = 0
    for script in sorted(HERE.glob("*_bench.py")):
        name = script.stem.removesuffix("_bench")
        if wanted and name not in wanted:
            continue
        print(f"== {name} ({script.relative_to(HERE.parent)})", flush=True)
        failures += subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
