"""Documents the portal makes: tagged PDF/UA-1 through typst (``engine``), with the fonts'
coverage checked before anything is drawn (``fonts``)."""

from portal.rendering.engine import Document, RenderingFailed, Unprintable, render

__all__ = ["Document", "RenderingFailed", "Unprintable", "render"]
