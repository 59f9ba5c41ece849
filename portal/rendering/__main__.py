"""``python -m portal.rendering``: remake ``coverage.txt`` from the installed typst wheel (after
upgrading typst; a test says when it is needed)."""

from pathlib import Path

from portal.rendering.fonts import coverage_text, typst_module, wheel_coverage

target = Path(__file__).with_name("coverage.txt")
target.write_text(coverage_text(wheel_coverage(typst_module())), encoding="ascii")
