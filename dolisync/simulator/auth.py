"""API key authentication as Dolibarr does it, with each version's 401 wording.

The key comes from the ``DOLAPIKEY`` header, the ``DOLAPIKEY`` or ``api_key`` query parameter,
or (22.0.4 only) ``Authorization: Bearer <key>``. A wrong key answers 401 after a deliberate
pause (Dolibarr sleeps 1 s to slow down guessing).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from dolisync.simulator.access import user_for_key
from dolisync.simulator.answers import ApiError
from dolisync.simulator.backend import Backend
from dolisync.simulator.rights import ApiUser

NO_KEY_22 = (
    "Failed to login to API. Neither parameter 'HTTP_DOLAPIKEY' nor 'Authentication: Bearer'"
    " found on HTTP header (and no parameter DOLAPIKEY in URL)."
)
NO_KEY_20 = (
    "Failed to login to API. No parameter 'HTTP_DOLAPIKEY' on HTTP header"
    " (and no parameter DOLAPIKEY in URL)."
)
BAD_KEY = (
    "Error user not valid (not found with api key or bad status or bad validity dates)"
    " (conf->entity=1)"
)


def presented_key(backend: Backend, headers: Mapping[str, str], query: Mapping[str, str]) -> str:
    key = headers.get("dolapikey") or query.get("DOLAPIKEY") or query.get("api_key") or ""
    if not key and not backend.options.is_v20:
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        if scheme.lower() == "bearer":
            key = token.strip()
    return key


def authenticate(backend: Backend, headers: Mapping[str, str], query: Mapping[str, str]) -> ApiUser:
    """The user owning the presented key; raises a 401 ``ApiError`` otherwise."""
    key = presented_key(backend, headers, query)
    if not key:
        wording = NO_KEY_20 if backend.options.is_v20 else NO_KEY_22
        raise ApiError(401, wording, debug_key="no_key")
    user = user_for_key(backend, key)
    if user is None:
        time.sleep(backend.options.auth_delay)
        raise ApiError(401, BAD_KEY, debug_key="bad_key")
    return user
