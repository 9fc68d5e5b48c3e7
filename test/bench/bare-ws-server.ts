/**
 * The control for the socket benchmarks: a bare `ws` server on 127.0.0.1 in its own process, so it sits
 * where the emulator sits. Run by harness.ts as `node --import tsx test/bench/bare-ws-server.ts MODE`.
 *
 * - `echo`: every frame goes back to its sender unchanged. The same port also answers any HTTP request
 *   with its own body (a bare `node:http` floor for benches whose client speaks HTTP).
 * - `relay`: clients connect as `/?role=guest` or `/?role=agent`; a frame from the guest goes to the
 *   agent and one from the agent to the guest (two hops each way, the physical floor of a relay). An
 *   HTTP POST goes to the guest too, answered 204 (an agent that replies over HTTP, as the platform API).
 *   Shaped like the emulator's traffic (`role=shaped-guest` / `role=shaped-agent`, POSTs to `/shaped`,
 *   sizes set by `POST /shape {echo, notification, response}`): the same writes the emulator makes, of
 *   the same sizes, with nothing computed. A guest frame is echoed to the guest and goes to the agent
 *   inside a notification-sized frame; an agent's POST goes to the guest, a notification-sized frame goes
 *   to the agent, the answer has the emulator's answer size, and a third notification follows on the next
 *   turn (the emulator's delivery-success update). The floor of the protocol's shape.
 */
import http from 'node:http';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';

const mode = process.argv[2];
if (mode !== 'echo' && mode !== 'relay') throw new Error('usage: bare-ws-server.ts echo|relay');

const httpServer = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (mode === 'relay' && req.url === '/shape') {
      const sizes = JSON.parse(body.toString()) as { echo: number; notification: number; response: number };
      shape = {
        echo: Buffer.from(JSON.stringify({ echo: true, pad: ''.padEnd(Math.max(0, sizes.echo - 24), 'x') })),
        notificationPad: ''.padEnd(Math.max(0, sizes.notification - 20), 'x'),
        response: Buffer.from(JSON.stringify({ pad: ''.padEnd(Math.max(0, sizes.response - 10), 'x') })),
      };
      res.writeHead(204);
      res.end();
      return;
    }
    if (mode === 'relay' && req.url === '/shaped') {
      shapedGuest?.send(body, { binary: false });
      shapedAgent?.send(`{"pad":"${shape.notificationPad}"}`);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': shape.response.length });
      res.end(shape.response);
      setImmediate(() => shapedAgent?.send(`{"pad":"${shape.notificationPad}"}`));
      return;
    }
    if (mode === 'relay') {
      guest?.send(body, { binary: false });
      res.writeHead(204);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
const server = new WebSocketServer({ server: httpServer });
let guest: WebSocket | undefined;
let agent: WebSocket | undefined;
let shapedGuest: WebSocket | undefined;
let shapedAgent: WebSocket | undefined;
let shape = { echo: Buffer.from('{}'), notificationPad: '', response: Buffer.from('{}') };

server.on('connection', (socket, request) => {
  if (mode === 'echo') {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    return;
  }
  const role = new URL(request.url ?? '/', 'http://x').searchParams.get('role');
  if (role === 'shaped-agent') {
    shapedAgent = socket;
    return;
  }
  if (role === 'shaped-guest') {
    shapedGuest = socket;
    socket.on('message', (data) => {
      socket.send(shape.echo, { binary: false });
      shapedAgent?.send(`{"q":${data.toString()},"pad":"${shape.notificationPad}"}`);
    });
    return;
  }
  if (role === 'agent') agent = socket;
  else guest = socket;
  socket.on('message', (data, isBinary) => {
    const to = socket === guest ? agent : guest;
    to?.send(data, { binary: isBinary });
  });
});

httpServer.listen(0, '127.0.0.1', () => {
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`bare-ws ready ${port}\n`);
});

process.once('SIGTERM', () => {
  for (const client of server.clients) client.terminate();
  httpServer.closeAllConnections();
  httpServer.close(() => process.exit(0));
});
