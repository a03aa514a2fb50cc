"""The reference server's handlers (socket.io-protocol's test suite)."""


def connect(ctx, auth):
    """Echo the handshake's auth payload ({} when the client sent none)."""
    ctx.emit('auth', auth)


def message(ctx, *args):
    """Every argument back, as 'message-back'."""
    ctx.emit('message-back', args)


def message_with_ack(ctx, *args):
    """Every argument back, as the acknowledgement."""
    return args
