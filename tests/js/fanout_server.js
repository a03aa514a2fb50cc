// A minimal Socket.IO v4 server for bench/sockets.py and bench/cluster.py: the Node reference.
//
//   node tests/js/fanout_server.js PORT
//   node tests/js/fanout_server.js PORT REDIS_URL KEY     (one node of a cluster)
//
// "fanout" events are broadcast to every other client as "fan" (socket.broadcast.emit),
// exactly what bench/sockets/fanout.py does in rbconfig. With REDIS_URL, the node joins the
// others started with the same Redis and KEY through @socket.io/redis-adapter (the Node
// ecosystem's standard way to run several Socket.IO servers), on the official `redis` client;
// it listens once both Redis connections are up. Prints {"type": "listening"}. With
// RBCONFIG_BENCH_TIMELINE set, notes where each latency message's time goes (see below).
'use strict';

const { Server } = require('socket.io');

const [port, redisUrl, key] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
// bench/sockets.py --timeline: for each latency message, ms since the sender stamped it when
// the handler starts, when the broadcast returns and when the frames are written, one line
// each, as bench/sockets/timeline.py writes for rbconfig.
// Written at once (one write per line, as Python's line-buffered file), so nothing waits
// in a buffer when the process is stopped.
const timeline = process.env.RBCONFIG_BENCH_TIMELINE
  ? require('fs').openSync(process.env.RBCONFIG_BENCH_TIMELINE, 'a')
  : null;
const now = () => performance.timeOrigin + performance.now();

async function adapter() {
  if (!redisUrl) return undefined;
  const { createClient } = require('redis');
  const { createAdapter } = require('@socket.io/redis-adapter');
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) client.on('error', (err) => process.stderr.write(`redis: ${err}\n`));
  await Promise.all([pub.connect(), sub.connect()]);
  return createAdapter(pub, sub, { key });
}

adapter().then((found) => {
  const io = new Server({ serveClient: false, adapter: found });
  io.on('connection', (socket) => {
    socket.on('fanout', (payload) => {
      if (timeline === null || payload.phase !== 'lat') {
        socket.broadcast.emit('fan', payload);
        return;
      }
      const start = now();
      socket.broadcast.emit('fan', payload);
      const returned = now();
      // The frames are written inside the broadcast (each socket.write reaches the kernel).
      require('fs').writeSync(timeline, `${start - payload.t} ${returned - payload.t} ${returned - payload.t}\n`);
    });
  });
  io.listen(port);
  process.stdout.write(JSON.stringify({ type: 'listening', port }) + '\n');
  process.on('SIGTERM', () => io.close(() => process.exit(0)));
}, (err) => {
  process.stderr.write(`cannot start: ${err}\n`);
  process.exit(1);
});
