"""The review view of issue 6: reference | candidate | difference side by side, metric tables, decisions.

``ReviewMode(window)`` installs it in a main window (Ctrl+Tab switches); ``view.ReviewView`` is the widget.
"""

from pixelproof.ui.review.mode import ReviewMode

__all__ = ["ReviewMode"]
