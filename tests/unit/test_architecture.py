"""House rules that a reviewer should not have to remember (architecture.md 2.2)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
PORTAL = ROOT / "portal"
TEMPLATES = PORTAL / "templates"


def test_layer_contracts_hold() -> None:
    """The layers, HTTP-free domains, no cycles and no private names (pyproject.toml
    ``[tool.importlinter]``), also run by .ci/run. Replaces a check of six file names."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_the_contracts_keep_http_out_of_every_domain() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = {c["id"]: c for c in config["contracts"]}
    http = contracts["http-free-domains"]
    assert {"starlette", "jinja2", "portal.web"} <= set(http["forbidden_modules"])
    packages = {
        f"portal.{p.name}"
        for p in PORTAL.iterdir()
        if (p / "__init__.py").exists() and p.name not in {"web", "demo"}
    }
    assert packages <= set(http["source_modules"]), packages - set(http["source_modules"])
    # Only the edge's own modules are let through, never a whole package.
    for expression in http["ignore_imports"]:
        importer = expression.split("->")[0].strip()
        assert importer.rsplit(".", 1)[-1] in {
            "routes",
            "import_routes",
            "admin_routes",
            "account_routes",
            "factor_routes",
            "bulk_routes",
            "forms",
        }, expression


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
        "portal/cases/enhanced_status.py": "child status from the date of birth (case list)",
        "portal/special_measures/service/reading.py": "age on the hearing date from the birth date",
        # Compares free text with a sealed person's true values to refuse or mask them; returns
        # yes/no or masked text, never the values (and its repr shows only the reference).
        "portal/anonymity/identity.py": "finds a sealed identity in free text",
        # Checks that a restored database decrypts (and that erased people do not); reports
        # references only, never a value.
        "portal/ops/backup.py": "restore verification",
        # A TOTP secret is opened only to compute codes to compare with the one typed (and for
        # `portal totp`, which prints the current code); it is never shown after enrolment.
        "portal/accounts/factors.py": "computes TOTP codes",
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


def test_sessions_are_opened_through_the_wiring() -> None:
    """Every session publishes domain events to the application's bus (portal.kit.events), so
    sessions come from ``portal.wiring.session_factory``, not from the bare factory."""
    allowed = {
        "portal/db/session.py",
        "portal/wiring.py",
    }
    users = {
        str(p.relative_to(ROOT))
        for p in [*PORTAL.rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
        if "make_session_factory(" in p.read_text()
    }
    assert users <= allowed, users - allowed


def test_no_module_is_over_500_lines_in_the_kit_and_the_edge_helpers() -> None:
    kit = [*(PORTAL / "kit").glob("*.py"), *(PORTAL / "web").glob("*.py")]
    kit.append(PORTAL / "accounts" / "permissions.py")
    long = {
        str(p.relative_to(ROOT)): n for p in kit if (n := len(p.read_text().splitlines())) > 500
    }
    assert long == {}
