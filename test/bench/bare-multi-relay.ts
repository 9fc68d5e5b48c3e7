/**
 * The control for the growth bench's relays: a bare `ws` + `node:http` relay on 127.0.0.1 in its own
 * process, where the emulator sits, for many conversations at once (bare-ws-server.ts's relay holds one
 * guest). Run by growth-support.ts as `node --import tsx test/bench/bare-multi-relay.ts`.
 *
 * - WebSocket `/?role=agent`: an agent desktop. Agents are numbered in the order they connect.
 * - WebSocket `/?role=guest&id=K`: guest K. Its frames go to agent K mod (number of agents), unchanged:
 *   the guest -> agent notification hops.
 * - `POST /guest/K`: the body goes to guest K's socket, answered 204: an agent that replies over HTTP,
 *   as the platform API makes a real agent do.
 */
import http from 'node:http';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';

const guests = new Map<string, WebSocket>();
const agents: WebSocket[] = [];

const httpServer = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const id = req.url?.startsWith('/guest/') ? req.url.slice('/guest/'.length) : undefined;
    const guest = id === undefined ? undefined : guests.get(id);
    if (!guest) {
      res.writeHead(404);
      res.end();
      return;
    }
    guest.send(Buffer.concat(chunks), { binary: false });
    res.writeHead(204);
    res.end();
  });
});

const server = new WebSocketServer({ server: httpServer });
server.on('connection', (socket, request) => {
  const params = new URL(request.url ?? '/', 'http://x').searchParams;
  if (params.get('role') === 'agent') {
    agents.push(socket);
    return;
  }
  const id = params.get('id') ?? '';
  guests.set(id, socket);
  const agentIndex = Number(id) || 0;
  socket.on('message', (data, isBinary) => {
    agents[agentIndex % agents.length]?.send(data, { binary: isBinary });
  });
  socket.on('close', () => {
    if (guests.get(id) === socket) guests.delete(id);
  });
});

httpServer.listen(0, '127.0.0.1', () => {
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`bare-multi-relay ready ${port}\n`);
});

process.once('SIGTERM', () => {
  for (const client of server.clients) client.terminate();
  httpServer.closeAllConnections();
  httpServer.close(() => process.exit(0));
});
