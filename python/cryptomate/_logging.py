"""The `cryptomate` logger. Retries are logged at INFO; each attempt at DEBUG (method, path, status, elapsed
time, attempt, trace id; never the API key or request and response bodies).

Setting CRYPTOMATE_LOG=info or CRYPTOMATE_LOG=debug installs a stderr handler at that level, for when the
application does not configure logging itself.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("cryptomate")

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def setup_from_env() -> None:
    level = _LEVELS.get(os.environ.get("CRYPTOMATE_LOG", "").strip().lower())
    if level is None or any(getattr(h, "_cryptomate", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler._cryptomate = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
