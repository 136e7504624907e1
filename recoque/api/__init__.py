"""HTTP surface: the FastAPI app (``create_app``), one router per capability."""
