"""Two settings for a process that serves an app, made once the app is built.

* gevent's greenlet-tree tracking is turned off (``gevent.config.track_greenlet_tree``):
  with it, every greenlet records who spawned it and the spawning stack, for
  debugging tools; a Socket.IO event starts a greenlet, and the record was
  about a fifth of the server's CPU per message. A ``GEVENT_TRACK_GREENLET_TREE``
  set in the environment is left to gevent (set it to 1 to keep the records).
* what start-up made (modules, the model, the app: hundreds of thousands of
  objects that live as long as the process) is moved out of the garbage
  collector's reach (:func:`gc.freeze`), after one collection of start-up's
  garbage. A full collection then looks at what serving made only: it
  took about 65 ms with start-up's objects in it, a pause every client in
  flight waited for.
"""

from __future__ import annotations

import gc
import os

import gevent

__all__ = ['tune_process']


def tune_process() -> None:
    """Turn off gevent's greenlet-tree records and freeze what start-up made (see above)."""
    if 'GEVENT_TRACK_GREENLET_TREE' not in os.environ:
        gevent.config.track_greenlet_tree = False
    gc.collect()
    gc.freeze()
