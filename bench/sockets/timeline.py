"""bench/sockets.py --timeline: the fan-out handler, noting where each latency message's time goes.

For each message of the latency phase it appends one line to the file named by
``RBCONFIG_BENCH_TIMELINE``: milliseconds since the sender stamped the message
(``t``, the same clock in every process of one machine) when the handler
starts, when the broadcast returns, and when the frames have been written (a
loop callback queued after the broadcast's own write, which runs after it).
"""

import os
import time

import gevent

_FILE = os.environ.get('RBCONFIG_BENCH_TIMELINE')
_LOG = open(_FILE, 'a', buffering=1) if _FILE else None  # noqa: SIM115 (open for the process)


def fanout(ctx, payload):
    """Send ``payload`` to every other client as a ``fan`` event; time it."""
    if _LOG is None or payload.get('phase') != 'lat':
        ctx.broadcast('fan', payload)
        return
    start = time.time() * 1000
    ctx.broadcast('fan', payload)
    returned = time.time() * 1000

    def written():
        now = time.time() * 1000
        sent = payload['t']
        _LOG.write(f'{start - sent:.3f} {returned - sent:.3f} {now - sent:.3f}\n')

    gevent.get_hub().loop.run_callback(written)
