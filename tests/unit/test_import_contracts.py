"""The custom import-linter contract: no package imports another package's private names."""

from __future__ import annotations

from tests.support.import_contracts import PrivateImport, module_path, private_imports


def test_another_packages_private_name_is_found() -> None:
    source = (
        "from portal.cases.routes import _load, case_detail\n"
        "from portal.cases import _helpers\n"
        "import portal.people._internal.tools\n"
        "from portal.kit.states import Machine\n"
    )
    assert private_imports("portal.vlu.service", source) == [
        PrivateImport("portal.vlu.service", "portal.cases.routes._load", 1),
        PrivateImport("portal.vlu.service", "portal.cases._helpers", 2),
        PrivateImport("portal.vlu.service", "portal.people._internal.tools", 3),
    ]


def test_a_packages_own_private_names_and_dunders_are_allowed() -> None:
    source = (
        "from portal.keys.vault import KeyCache, _key_context\n"
        "from portal.cases.models import __all__\n"
        "from . import _sibling\n"
    )
    assert private_imports("portal.keys.rotation", source) == []


def test_relative_imports_are_resolved_before_judging() -> None:
    assert private_imports("portal.vlu.pdf", "from ..special_measures.pdf import _Writer\n") == [
        PrivateImport("portal.vlu.pdf", "portal.special_measures.pdf._Writer", 1)
    ]
    assert private_imports("portal.vlu", "from . import _x\n", is_package=True) == []


def test_modules_are_found_on_disk() -> None:
    found = module_path("portal.kit.states")
    assert found is not None and found.name == "states.py"
    package = module_path("portal.kit")
    assert package is not None and package.name == "__init__.py"
    assert module_path("portal.no_such_module") is None
