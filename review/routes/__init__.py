"""The review app's blueprints: ``pages`` (HTML), ``api`` (decisions, JSON), ``media``
(recordings, waveform peaks, clips, reels) and ``exports`` (downloads via the registry).

They hold no security code: :mod:`journeytape.review.security` gates every request first.
"""

from . import api, exports, media, pages

BLUEPRINTS = (pages.bp, api.bp, media.bp, exports.bp)
