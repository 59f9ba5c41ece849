"""Synthetic demo data: realistic-looking cases and people, none of them real."""

from portal.demo.seed import DemoSummary, DemoUsersMissing, seed_demo

__all__ = ["DemoSummary", "DemoUsersMissing", "seed_demo"]
