// Fan-out load for bench/sockets.py: the same Node clients against any Socket.IO server.
//
//   node tests/js/fanout.js clients '{"url": "http://127.0.0.1:8000", "connections": 250}'
//   node tests/js/fanout.js sender  '{"url": "http://127.0.0.1:8000"}'
//
// "clients" opens that many WebSocket connections and prints {"type": "ready"} once
// all are connected; with "urls": [...] instead of "url", connection i goes to
// urls[i % urls.length] (clients spread over the nodes of a cluster). Each "fan"
// event carries {i, t, phase}: t is the sender's clock (performance.timeOrigin +
// performance.now(), in ms: one clock for every process of the machine).
//   phase "lat":   once every connection has message i, prints
//                  {"type": "lat", "i": i, "lat": [ms for each connection]}
//   phase "burst": stdin {"op": "burst", "count": M} arms it; once every connection
//                  has all M, prints {"type": "burst_done", "last": time of the last}.
//   stdin {"op": "report"} prints {"type": "report", "counts": [burst messages each]}.
// "sender" opens one connection and prints {"type": "ready"}; on stdin
//   {"op": "one", "i": i}     emits one "fanout" event (phase "lat");
//   {"op": "burst", "count": M} emits M "fanout" events back to back (phase "burst")
//                             and prints {"type": "sent", "first": t, "last": t}.
'use strict';

const readline = require('readline');
const { io } = require('socket.io-client');

const role = process.argv[2];
const options = JSON.parse(process.argv[3]);
const now = () => performance.timeOrigin + performance.now();
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const PAD = 'x'.repeat(options.pad || 100);

function open(index = 0) {
  const urls = options.urls || [options.url];
  return io(urls[index % urls.length], {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 60000,
  });
}

function clients() {
  const total = options.connections;
  const sockets = [];
  const latSeen = new Map(); // i -> latencies
  const burstCounts = new Array(total).fill(0);
  let burstExpected = null;
  let burstDone = 0;
  let lastBurst = 0;
  let connected = 0;

  for (let index = 0; index < total; index += 1) {
    const socket = open(index);
    sockets.push(socket);
    socket.on('connect', () => {
      connected += 1;
      if (connected === total) out({ type: 'ready' });
    });
    socket.on('connect_error', (err) => out({ type: 'error', message: err.message }));
    socket.on('fan', (payload) => {
      const at = now();
      if (payload.phase === 'lat') {
        let lat = latSeen.get(payload.i);
        if (!lat) latSeen.set(payload.i, (lat = []));
        lat.push(at - payload.t);
        if (lat.length === total) {
          latSeen.delete(payload.i);
          out({ type: 'lat', i: payload.i, lat });
        }
      } else {
        burstCounts[index] += 1;
        lastBurst = at;
        if (burstExpected !== null && burstCounts[index] === burstExpected) {
          burstDone += 1;
          if (burstDone === total) out({ type: 'burst_done', last: lastBurst });
        }
      }
    });
  }

  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const cmd = JSON.parse(line);
    if (cmd.op === 'burst') {
      burstExpected = cmd.count;
      burstDone = burstCounts.filter((count) => count >= cmd.count).length;
      if (burstDone === total) out({ type: 'burst_done', last: lastBurst });
    } else if (cmd.op === 'report') {
      out({ type: 'report', counts: burstCounts });
    }
  });
  lines.on('close', () => {
    for (const socket of sockets) socket.disconnect();
    setTimeout(() => process.exit(0), 100);
  });
}

function sender() {
  const socket = open();
  socket.on('connect', () => out({ type: 'ready' }));
  socket.on('connect_error', (err) => out({ type: 'error', message: err.message }));
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const cmd = JSON.parse(line);
    if (cmd.op === 'one') {
      socket.emit('fanout', { i: cmd.i, t: now(), phase: 'lat', pad: PAD });
    } else if (cmd.op === 'burst') {
      const first = now();
      for (let i = 0; i < cmd.count; i += 1) {
        socket.emit('fanout', { i, t: now(), phase: 'burst', pad: PAD });
      }
      out({ type: 'sent', first, last: now() });
    }
  });
  lines.on('close', () => {
    socket.disconnect();
    setTimeout(() => process.exit(0), 100);
  });
}

if (role === 'clients') clients();
else if (role === 'sender') sender();
else {
  process.stderr.write('usage: fanout.js clients|sender JSON\n');
  process.exit(2);
}
