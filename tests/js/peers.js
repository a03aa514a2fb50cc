// Socket.IO peers driven over stdin/stdout, for pytest.
//
//   node tests/js/peers.js http://127.0.0.1:8000
//
// Reads one JSON command a line on stdin, writes one JSON event a line on stdout.
// Commands (each names a peer by "id"):
//   {"op": "connect", "id": "a", "transport": "websocket"|"polling"|"both",
//    "namespace": "/", "auth": {...}, "path": "/socket.io", "summarize": ["flood"],
//    "url": "http://127.0.0.1:8001", "localAddress": "127.0.0.7"}
//   ("reconnect": true: reconnect after a lost connection, each success a new
//   "connect" event; url: another server than the one given at start; localAddress: the source
//   address of the client's connections, e.g. to land on another node behind a
//   balancer that hashes it)
//   (events named in "summarize" are written as {"event", "size"}: the length of
//   their JSON arguments, instead of the arguments)
//   {"op": "emit", "id": "a", "event": "chat", "args": [...], "ack": "tag"}
//   {"op": "send", "id": "a", "args": [...]}          (socket.send: a 'message' event)
//   {"op": "disconnect", "id": "a"}
//   {"op": "exit"}
// Events written:
//   {"id": "a", "type": "connect", "sid": "...", "transport": "websocket"}
//   {"id": "a", "type": "connect_error", "message": "..."}
//   {"id": "a", "type": "event", "event": "chat", "args": [...]}
//   {"id": "a", "type": "ack", "tag": "tag", "args": [...]}
//   {"id": "a", "type": "disconnect", "reason": "..."}
//   {"type": "error", "message": "..."}  (a bad command)
'use strict';

const http = require('http');
const readline = require('readline');
const { io } = require('socket.io-client');

const base = process.argv[2];
const peers = new Map();

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function transports(name) {
  if (name === 'polling') return ['polling'];
  if (name === 'both') return ['polling', 'websocket'];
  return ['websocket'];
}

function connect(cmd) {
  const url = (cmd.url || base) + (cmd.namespace && cmd.namespace !== '/' ? cmd.namespace : '');
  const socket = io(url, {
    path: cmd.path || '/socket.io',
    transports: transports(cmd.transport),
    upgrade: cmd.transport === 'both',
    auth: cmd.auth,
    // "reconnect": true lets the client reconnect by itself (a new "connect" event each time)
    reconnection: cmd.reconnect === true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    forceNew: true,
    timeout: 10000,
    agent: cmd.localAddress ? new http.Agent({ localAddress: cmd.localAddress, keepAlive: true }) : undefined,
  });
  peers.set(cmd.id, socket);
  socket.on('connect', () => {
    out({ id: cmd.id, type: 'connect', sid: socket.id, transport: socket.io.engine.transport.name });
  });
  socket.on('connect_error', (err) => {
    out({ id: cmd.id, type: 'connect_error', message: err.message });
  });
  socket.on('disconnect', (reason) => {
    out({ id: cmd.id, type: 'disconnect', reason });
  });
  const summarize = new Set(cmd.summarize || []);
  socket.onAny((event, ...args) => {
    if (summarize.has(event)) {
      out({ id: cmd.id, type: 'event', event, size: JSON.stringify(args).length });
    } else {
      out({ id: cmd.id, type: 'event', event, args });
    }
  });
}

function handle(cmd) {
  if (cmd.op === 'connect') return connect(cmd);
  if (cmd.op === 'exit') {
    for (const socket of peers.values()) socket.disconnect();
    setTimeout(() => process.exit(0), 50);
    return;
  }
  const socket = peers.get(cmd.id);
  if (!socket) return out({ type: 'error', message: `no peer ${cmd.id}` });
  const args = cmd.args || [];
  if (cmd.op === 'emit' || cmd.op === 'send') {
    const event = cmd.op === 'send' ? 'message' : cmd.event;
    if (cmd.ack !== undefined) {
      socket.emit(event, ...args, (...reply) => out({ id: cmd.id, type: 'ack', tag: cmd.ack, args: reply }));
    } else {
      socket.emit(event, ...args);
    }
    return;
  }
  if (cmd.op === 'disconnect') return socket.disconnect();
  out({ type: 'error', message: `unknown op ${cmd.op}` });
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  try {
    handle(JSON.parse(line));
  } catch (err) {
    out({ type: 'error', message: String(err) });
  }
});
lines.on('close', () => {
  for (const socket of peers.values()) socket.disconnect();
  setTimeout(() => process.exit(0), 50);
});
