"""Routers of the web app: ``pages`` (HTML) and ``api`` (JSON under ``/api``); one module per area."""
