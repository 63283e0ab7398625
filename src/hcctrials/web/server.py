"""The app for an ASGI server started by import string (``uvicorn hcctrials.web.server:app``, several
workers): the database is ``$HCCTRIALS_DB`` (or the user data folder)."""

from __future__ import annotations

from hcctrials.web import create_app
from hcctrials.web.services import keep_long_lived

app = create_app()
app.state.services.freeze_after_load = True  # a server process: its match catalog lives as long as it does
keep_long_lived()  # and its collector does not walk the catalog and the caches again and again
