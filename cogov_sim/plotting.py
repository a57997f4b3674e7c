"""The project's plotting setup: matplotlib's ``Figure`` with a font for Chinese text, configured once.

Every module that draws takes ``Figure`` from here. Importing this module registers the CJK font and sets
matplotlib's family list to DejaVu Sans (Latin text looks as it always did) followed by the CJK families found, so
each glyph DejaVu Sans lacks (汉字) falls back to the CJK font.

The font comes with the package's dependencies: ``noto-cjk-sans-otc`` (PyPI; Noto Sans CJK Regular, SIL Open Font
License 1.1, about 19 MB), so ``make run`` brings it to a fresh machine without root. A CJK font installed on the
system (Debian's ``fonts-noto-cjk``, WenQuanYi) is used as well when present.
"""

from __future__ import annotations

import importlib.util

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

LATIN_FAMILY = "DejaVu Sans"
"""matplotlib's own default family, first in the list so that Latin text does not change."""

CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)
"""CJK families tried in this order (simplified Chinese forms first); the first ones found are used."""

FONT_PACKAGE = "noto_cjk_sans_otc"
"""The dependency that ships the font file."""


def bundled_font() -> str | None:
    """Path of the CJK font file shipped by :data:`FONT_PACKAGE`, or None when the package is not installed."""
    if importlib.util.find_spec(FONT_PACKAGE) is None:
        return None
    from noto_cjk_sans_otc import FONT_PATH

    return str(FONT_PATH)


def configure() -> tuple[str, ...]:
    """Register the bundled CJK font and set the family fallback list; returns the list set (idempotent)."""
    path = bundled_font()
    known = {f.fname for f in font_manager.fontManager.ttflist}
    if path is not None and path not in known:
        font_manager.fontManager.addfont(path)
    names = {f.name for f in font_manager.fontManager.ttflist}
    families = (LATIN_FAMILY, *(f for f in CJK_FAMILIES if f in names))
    matplotlib.rcParams["font.family"] = list(families)
    return families


FAMILIES = configure()
"""The family list in use: DejaVu Sans, then the CJK families found."""

__all__ = ["CJK_FAMILIES", "FAMILIES", "Figure", "bundled_font", "configure"]
