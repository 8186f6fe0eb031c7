"""Every function of the services and the selectors says what it takes and what it gives: each parameter
(but `self` and `cls`) and the return are annotated, in public and private functions, methods and
functions nested in them alike. Checked on the source with `ast`, so nothing has to be imported.

Run it on its own to list what lacks a hint: `.venv/bin/python tests/test_type_hints.py`."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("surveys/services/*.py", "surveys/selectors*.py")


def unannotated(path, root=ROOT):
    """["path:line name: what lacks a hint", ...] for the functions of one file."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        missing = [
            p.arg for p in params if p is not None and p.annotation is None and p.arg not in ("self", "cls")
        ]
        if node.returns is None:
            missing.append("return")
        if missing:
            where = path.relative_to(root) if path.is_relative_to(root) else path
            found.append(f"{where}:{node.lineno} {node.name}: {', '.join(missing)}")
    return found


def checked_files(root=ROOT):
    return sorted({path for pattern in CHECKED for path in root.glob(pattern)})


def test_the_check_covers_the_services_and_the_selectors():
    names = {str(p.relative_to(ROOT)) for p in checked_files()}
    assert {"surveys/services/rounds.py", "surveys/services/responses.py", "surveys/selectors.py"} <= names
    assert {
        "surveys/selectors_results.py",
        "surveys/selectors_plan.py",
        "surveys/selectors_staff.py",
    } <= names


def test_every_service_and_selector_signature_has_type_hints():
    missing = [line for path in checked_files() for line in unannotated(path)]
    assert missing == [], "functions without type hints:\n" + "\n".join(missing)


def test_check_names_what_lacks_a_hint(tmp_path):
    module = tmp_path / "example.py"
    module.write_text(
        "def hinted(a: int, *, b: str = '') -> None: ...\n"
        "def _private(a, b: int):\n"
        "    def inner(*args: int, **kwargs) -> int: ...\n"
        "class Thing:\n"
        "    def method(self, x: int): ...\n"
        "    @classmethod\n"
        "    def make(cls) -> 'Thing': ...\n"
    )
    assert unannotated(module) == [
        f"{module}:2 _private: a, return",
        f"{module}:3 inner: kwargs",
        f"{module}:5 method: return",
    ]


if __name__ == "__main__":
    problems = [line for path in checked_files() for line in unannotated(path)]
    print("\n".join(problems) or "every signature has type hints")
    sys.exit(1 if problems else 0)
