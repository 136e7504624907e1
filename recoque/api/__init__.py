"""HTTP API: one router per capability, its dependencies, security and problem bodies (the
application that serves it with the pages is ``recoque.server.create_app``)."""
