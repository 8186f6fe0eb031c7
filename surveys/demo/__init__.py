"""The demo world: data (data.py) loaded through the services (loader.py); `manage.py load_demo` runs it."""

from .data import DEMO_PASSWORD
from .loader import load_demo

__all__ = ["DEMO_PASSWORD", "load_demo"]
