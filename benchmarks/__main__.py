"""Run every benchmark (or those named on the command line): `python -m benchmarks [export index ...]`."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv):
    names = argv or sorted(
        module.name
        for module in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not module.name.startswith("_")
    )
    failed = 0
    for name in names:
        print(f"== benchmarks.{name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        failed += bool(module.main([]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
