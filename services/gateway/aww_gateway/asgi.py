"""The ASGI application object for uvicorn."""

import os

from aww_gateway.app import create_app
from servicekit import logs

logs.configure("gateway", os.environ.get("LOG_LEVEL", "INFO"))
app = create_app()
