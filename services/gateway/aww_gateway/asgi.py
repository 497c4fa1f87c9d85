"""The ASGI application object for uvicorn (each worker process imports it once)."""

import os

from aww_gateway.app import create_app
from servicekit import logs
from servicekit.heap import freeze_startup_objects

logs.configure("gateway", os.environ.get("LOG_LEVEL", "INFO"))
app = create_app()
freeze_startup_objects()  # what the app was built from lives as long as the worker
