"""What a spec tells the world about itself: OpenAPI, the documentation page.

Exporters read a :class:`~rbconfig.document.Document` and never import the
runtime stack (falcon, gevent, socketio), so ``rbconfig openapi`` stays light.
"""
