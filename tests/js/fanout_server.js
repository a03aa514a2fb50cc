// A minimal Socket.IO v4 server for bench/sockets.py: the Node reference.
//
//   node tests/js/fanout_server.js PORT
//
// "fanout" events are broadcast to every other client as "fan" (socket.broadcast.emit),
// exactly what bench/sockets/fanout.py does in rbconfig. Prints {"type": "listening"}.
'use strict';

const { Server } = require('socket.io');

const port = Number(process.argv[2]);
const io = new Server(port, { serveClient: false });
io.on('connection', (socket) => {
  socket.on('fanout', (payload) => socket.broadcast.emit('fan', payload));
});
process.stdout.write(JSON.stringify({ type: 'listening', port }) + '\n');
process.on('SIGTERM', () => io.close(() => process.exit(0)));
