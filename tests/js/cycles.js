// Connect/disconnect cycles with the official socket.io-client, for leak tests.
//
//   node tests/js/cycles.js '{"url": "http://127.0.0.1:8000", "cycles": 200,
//                             "parallel": 4, "transport": "mixed", "wait": "message"}'
//
// Each cycle connects one client, waits for its first "message" event
// ("wait": "message") or for the acknowledgement of one "whoami" event
// ("wait": "ack"), disconnects, and waits for the disconnect. "transport" is
// "websocket", "polling" or "mixed" (alternating). Prints one JSON line:
//   {"cycles": 200, "connected": 200, "completed": 200, "errors": []}
'use strict';

const { io } = require('socket.io-client');

const options = JSON.parse(process.argv[2]);
const total = options.cycles || 200;
const parallel = options.parallel || 1;
const summary = { cycles: total, connected: 0, completed: 0, errors: [] };

function transportFor(index) {
  if (options.transport === 'mixed') return index % 2 ? ['polling'] : ['websocket'];
  return [options.transport || 'websocket'];
}

function cycle(index) {
  return new Promise((resolve) => {
    const url = options.url + (options.namespace && options.namespace !== '/' ? options.namespace : '');
    const socket = io(url, {
      transports: transportFor(index),
      upgrade: false,
      reconnection: false,
      forceNew: true,
      timeout: 10000,
    });
    const timer = setTimeout(() => {
      summary.errors.push(`cycle ${index}: timed out`);
      socket.disconnect();
      resolve();
    }, 15000);
    const finish = () => {
      socket.once('disconnect', () => {
        summary.completed += 1;
        clearTimeout(timer);
        resolve();
      });
      socket.disconnect();
    };
    socket.on('connect_error', (err) => {
      summary.errors.push(`cycle ${index}: ${err.message}`);
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect', () => {
      summary.connected += 1;
      if (options.wait === 'ack') {
        socket.emit(options.event || 'whoami', () => finish());
      } else {
        socket.once('message', () => finish());
      }
    });
  });
}

async function worker(start) {
  for (let index = start; index < total; index += parallel) {
    await cycle(index);
  }
}

Promise.all(Array.from({ length: parallel }, (_, start) => worker(start))).then(() => {
  process.stdout.write(JSON.stringify(summary) + '\n');
  setTimeout(() => process.exit(0), 100);
});
