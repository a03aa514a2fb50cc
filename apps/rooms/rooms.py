"""Socket handlers of the rooms example.

Each handler gets ``ctx`` (the client's connection: ``sid``, ``session``,
``emit``, ``broadcast``, ``join``, ``leave``, ``rooms``) and the data the
client sent. The return value is the acknowledgement.

Events the clients receive:

* ``joined`` / ``left``: ``{'room': ..., 'name': ...}``, to the others in the room;
* ``said``: ``{'room': ..., 'name': ..., 'text': ...}``, to everyone in the room.
"""

from __future__ import annotations

from typing import Any

#: Who is in each room: room name → {sid: name}.
MEMBERS: dict[str, dict[str, str]] = {}

MAX_NAME = 40


def _clean(text: Any, limit: int) -> str | None:
    if not isinstance(text, str):
        return None
    text = text.strip()
    return text[:limit] if text else None


def connect(ctx, auth):
    """A client arrives; ``io({auth: {name: 'ann'}})`` names it."""
    name = _clean((auth or {}).get('name') if isinstance(auth, dict) else None, MAX_NAME)
    ctx.session['name'] = name or f'guest-{ctx.sid[:4]}'


def disconnect(ctx, reason):
    """A client leaves: the rooms it was in are told."""
    for room in list(MEMBERS):
        _leave(ctx, room)


def join(ctx, room):
    """Join ``room``; the ack lists who is there."""
    room = _clean(room, MAX_NAME)
    if room is None:
        return {'error': 'a room needs a name'}
    ctx.join(room)
    members = MEMBERS.setdefault(room, {})
    if ctx.sid not in members:
        members[ctx.sid] = ctx.session['name']
        ctx.broadcast('joined', {'room': room, 'name': ctx.session['name']}, room=room)
    return {'room': room, 'members': sorted(members.values())}


def leave(ctx, room):
    """Leave ``room``; the ack lists the rooms the client is still in."""
    _leave(ctx, room)
    return {'rooms': sorted(ctx.rooms)}


def _leave(ctx, room):
    members = MEMBERS.get(room)
    if not members or ctx.sid not in members:
        return
    del members[ctx.sid]
    if not members:
        del MEMBERS[room]
    ctx.leave(room)
    ctx.broadcast('left', {'room': room, 'name': ctx.session['name']}, room=room)


def say(ctx, room, text):
    """Say ``text`` in ``room`` (one must be in it); everyone there gets ``said``."""
    text = _clean(text, 2000)
    if room not in ctx.rooms:
        return {'error': f'join {room!r} first'}
    if text is None:
        return {'error': 'nothing to say'}
    ctx.broadcast(
        'said',
        {'room': room, 'name': ctx.session['name'], 'text': text},
        room=room,
        include_self=True,
    )
    return {'ok': True}


def list_rooms(ctx):
    """The rooms and how many are in each."""
    return {room: len(members) for room, members in sorted(MEMBERS.items())}
