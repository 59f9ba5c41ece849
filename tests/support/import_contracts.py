"""A custom import-linter contract: no package imports another package's private names.

import-linter's own contracts see modules, not names: ``from portal.cases.routes import _load``
is, to them, an import of ``portal.cases.routes``. This contract reads the importing module's
source and refuses any ``from X import _name`` (or ``import X._y``) where X belongs to another
package under one of ``packages`` ("package" = the first two parts of a module's name, such as
``portal.cases``). Dunder names are not private. Attribute access (``service._helper()`` after
``import service``) is not an import and is not seen; reviews catch that.

Configured in pyproject.toml under ``[tool.importlinter]`` ``contract_types``.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import grimp
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


@dataclass(frozen=True, order=True)
class PrivateImport:
    importer: str
    imported: str  # module.name
    line: int

    @property
    def expression(self) -> str:
        return f"{self.importer} -> {self.imported}"


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def module_path(module: str) -> Path | None:
    root, *rest = module.split(".")
    spec = importlib.util.find_spec(root)
    if spec is None or spec.origin is None:
        return None
    base = Path(spec.origin).parent.joinpath(*rest)
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def private_imports(module: str, source: str, *, is_package: bool = False) -> list[PrivateImport]:
    """Every import in ``source`` (the text of ``module``) of another package's private name."""
    found: list[PrivateImport] = []
    home = package_of(module)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                target = ".".join([*parts[:keep], *([target] if target else [])])
            for alias in node.names:
                dotted = f"{target}.{alias.name}"
                private = is_private(alias.name) or any(map(is_private, target.split(".")))
                if private and package_of(dotted) != home:
                    found.append(PrivateImport(module, dotted, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(map(is_private, alias.name.split("."))) and package_of(alias.name) != home:
                    found.append(PrivateImport(module, alias.name, node.lineno))
    return found


class PrivateNamesContract(Contract):
    """Options: ``packages`` (module expressions whose modules are checked) and ``ignore``
    (``importer -> module.name`` expressions of known imports, to be removed). An ``ignore``
    entry that matches nothing breaks the contract, as import-linter's own ``ignore_imports``
    do, so the list only shrinks."""

    type_name = "private_names"

    packages = fields.SetField(subfield=fields.ModuleExpressionField())
    ignore = fields.SetField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        roots = {expression.expression for expression in self.packages}  # type: ignore[attr-defined]
        modules = {m for m in graph.modules if any(m == r or m.startswith(r + ".") for r in roots)}
        ignored = {e.replace(" ", ""): e for e in (self.ignore or ())}  # type: ignore[attr-defined]
        found: list[PrivateImport] = []
        used: set[str] = set()
        for module in sorted(modules):
            path = module_path(module)
            if path is None:
                continue
            source = path.read_text(encoding="utf-8")
            for hit in private_imports(module, source, is_package=path.name == "__init__.py"):
                key = hit.expression.replace(" ", "")
                if key in ignored:
                    used.add(key)
                else:
                    found.append(hit)
        stale = sorted(ignored[key] for key in set(ignored) - used)
        return ContractCheck(
            kept=not found and not stale, metadata={"found": found, "stale": stale}
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Private names may only be imported inside their own package:")
        output.new_line()
        for hit in check.metadata["found"]:
            output.print_error(f"- {hit.expression} (l.{hit.line})", bold=False)
        output.new_line()
        for expression in check.metadata["stale"]:
            output.print_error(f"- ignored but no longer found (remove it): {expression}")
        output.new_line()
