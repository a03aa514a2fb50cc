"""The one handler of the fan-out benchmark."""


def fanout(ctx, payload):
    """Send ``payload`` to every other client as a ``fan`` event."""
    ctx.broadcast('fan', payload)
