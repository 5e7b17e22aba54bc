"""Powertools packages whose ``__init__`` imports far more than a function uses, made lazy.

Powertools' ``event_handler`` and ``utilities.data_classes`` packages import every resolver and every
event class of every AWS source (AppSync with asyncio, Bedrock agents, Kafka, Kinesis, Connect...) for
the few a function uses: a third of its Powertools import, 20-30 ms of each cold start. ``install()``
must run before the first import of either package, which is why every zik module that imports one
imports this module first (a function's own code imports them through ``zik.http``).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
import threading
from pathlib import Path
from typing import Any

WIDE_PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")


def install() -> None:
    for package_name in WIDE_PACKAGES:
        reexports_on_demand(package_name)


def reexports_on_demand(package_name: str) -> None:
    """Import the package without running its __init__ now, when that __init__ only re-exports names of
    its submodules: each such name is then imported, with its own submodule, when first asked for.

    To anyone else the package stays whole: a name the __init__ does not take from a submodule runs the real
    __init__ first (PEP 562 module __getattr__). Nothing changes if the package is imported already (a
    sandbox that preloads it, a test run)."""
    if package_name in sys.modules:
        return
    spec = importlib.util.find_spec(package_name)
    if spec is None or spec.loader is None or not spec.origin:
        return
    sources: dict[str, str] = {}  # re-exported name -> the submodule it comes from
    for node in ast.parse(Path(spec.origin).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            module = f"{package_name}.{node.module}" if node.level == 1 else node.module
            if node.level in (0, 1) and module.startswith(package_name + "."):
                sources.update({alias.asname or alias.name: module for alias in node.names})
    package = importlib.util.module_from_spec(spec)
    lock = threading.RLock()  # the __init__ it may run asks the package for names again
    completed: list[bool] = []

    def __getattr__(name: str) -> Any:
        if name in sources and not completed:
            value = getattr(importlib.import_module(sources[name]), name)
            package.__dict__[name] = value
            return value
        if not completed and importlib.util.find_spec(f"{package_name}.{name}") is not None:
            # "from package import submodule": the import system loads it once told it is not here yet.
            raise AttributeError(name)
        with lock:
            if not completed:
                completed.append(True)
                spec.loader.exec_module(package)  # type: ignore[union-attr]
        try:
            return package.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {package_name!r} has no attribute {name!r}") from None

    package.__getattr__ = __getattr__  # type: ignore[method-assign]  # PEP 562: a module's own __getattr__
    sys.modules[package_name] = package
    parent, _, child = package_name.rpartition(".")
    setattr(importlib.import_module(parent), child, package)
    for name, module in sources.items():
        if module.rpartition(".")[2] == name:
            # (data_classes' event_source, a function named as its module): loading the module binds the
            # module to that name; the __init__ binds the function over it, and so must this, at once.
            package.__dict__[name] = getattr(importlib.import_module(module), name)
