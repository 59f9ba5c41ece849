"""House rules that a reviewer should not have to remember (architecture.md 2.2)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
PORTAL = ROOT / "portal"
TEMPLATES = PORTAL / "templates"
DOMAIN_FILES = [
    p
    for p in PORTAL.rglob("*.py")
    if p.name in {"service.py", "repository.py", "models.py", "rules.py", "states.py", "errors.py"}
    and "web" not in p.relative_to(PORTAL).parts
]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_domain_layer_knows_nothing_of_http() -> None:
    assert DOMAIN_FILES
    for path in DOMAIN_FILES:
        bad = {m for m in imports_of(path) if m.startswith(("starlette", "jinja2", "portal.web"))}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_services_never_commit() -> None:
    for path in PORTAL.rglob("*.py"):
        if path.name in {"session.py", "cli.py", "routing.py", "migrate.py"}:
            continue
        assert ".commit()" not in path.read_text(), f"{path.relative_to(ROOT)} commits"


def test_templates_are_never_marked_safe_or_styled_inline() -> None:
    for path in TEMPLATES.rglob("*"):
        if not path.is_file():
            continue
        source = path.read_text()
        rel = path.relative_to(ROOT)
        assert path.suffix == ".html", f"{rel}: templates must be .html"
        assert "|safe" not in source.replace(" ", ""), f"{rel} uses |safe"
        assert "autoescape false" not in source, f"{rel} turns autoescape off"
        assert re.search(r"\sstyle=", source) is None, f"{rel} has an inline style"
        assert re.search(r"\son[a-z]+=", source) is None, f"{rel} has an inline handler"
        assert "hx-on" not in source, f"{rel} uses hx-on (needs eval)"


def test_no_markup_built_in_python() -> None:
    for path in PORTAL.rglob("*.py"):
        assert "Markup(" not in path.read_text(), f"{path.relative_to(ROOT)} builds HTML"


def test_no_print_or_personal_logging_helpers() -> None:
    for path in PORTAL.rglob("*.py"):
        if path.name == "cli.py":
            continue
        assert re.search(r"(?<![\w.])print\(", path.read_text()) is None, (
            f"{path.relative_to(ROOT)} prints"
        )


def test_no_third_party_assets_committed() -> None:
    static = PORTAL / "static"
    vendored = [p for p in static.rglob("*") if p.is_file() and "govuk" in p.name.lower()]
    assert vendored == []
    assert not (static / "js" / "htmx.min.js").exists()


def test_sealed_identity_bypass_is_used_only_where_listed() -> None:
    """``Vault.open_internal`` skips the sealed-identity policy: only for computations whose
    result is not the value (child status from a date of birth) and for key rotation."""
    allowed = {
        "portal/keys/vault.py": "defines it",
        "portal/keys/rotation.py": "re-seals every value under a new key",
        "portal/victims_code/service.py": "child status from the date of birth",
        "portal/people/service.py": "child status from the date of birth",
        "portal/special_measures/service.py": "age on the hearing date from the date of birth",
        # Compares free text with a sealed person's true values to refuse or mask them; returns
        # yes/no or masked text, never the values (and its repr shows only the reference).
        "portal/anonymity/identity.py": "finds a sealed identity in free text",
    }
    users = {
        str(p.relative_to(ROOT)) for p in PORTAL.rglob("*.py") if "open_internal(" in p.read_text()
    }
    assert users <= set(allowed), users - set(allowed)


def test_case_queries_go_through_the_scope() -> None:
    """Only the case repositories (and the reporting/audit/import code reading across cases on
    purpose) select from the case table; everything else asks them (portal.cases.access)."""
    allowed_prefixes = (
        "portal/cases/",
        "portal/search/",
        "portal/victims_code/repository.py",
        "portal/compliance/",
        "portal/audit/",
        "portal/demo/",
        "portal/vlu/",
        "portal/special_measures/repository.py",
        "portal/anonymity/service.py",
    )
    offenders = []
    for path in PORTAL.rglob("*.py"):
        rel = str(path.relative_to(ROOT))
        source = path.read_text()
        if re.search(r"select\((?:[^)]*\b)?Case\b[,)]", source) and not rel.startswith(
            allowed_prefixes
        ):
            offenders.append(rel)
    assert offenders == []
