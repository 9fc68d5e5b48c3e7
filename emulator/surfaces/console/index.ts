import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errors } from '../../domain/errors.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { named } from '../plugin-name.ts';
import { parseInput } from '../validate.ts';
import { consoleApi } from './api.ts';
import { AssetStore } from './assets.ts';

/** The pages and the file each one is. */
export const CONSOLE_PAGES = {
  '/console': 'agent.html',
  '/console/customer': 'customer.html',
  '/console/timeline': 'timeline.html',
} as const;

const AssetParams = z.object({ name: z.string().min(1).max(100) });

/**
 * The agent console, the customer test page and the timeline page: hand-written HTML, CSS and ES
 * modules served as they are (no bundler, nothing fetched from elsewhere). The pages talk to the
 * emulator through the public API like any other client; only /console/api/ (api.ts) is theirs.
 */
export const consoleSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, opts) => {
  const assets = new AssetStore();

  const send = async (request: FastifyRequest, reply: FastifyReply, name: string) => {
    const asset = await assets.get(name);
    if (!asset) throw errors.notFound(`console asset ${name}`, { entityName: name });
    // Revalidate every time (an edited file shows after a restart), but a match costs no body.
    reply.header('cache-control', 'no-cache').header('etag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
    return reply.type(asset.contentType).send(asset.body);
  };

  for (const [path, file] of Object.entries(CONSOLE_PAGES)) {
    app.get(path, (request, reply) => send(request, reply, file));
  }
  app.get('/console/assets/:name', (request, reply) =>
    send(request, reply, parseInput(AssetParams, request.params, 'params').name),
  );
  await app.register(named(consoleApi), opts);
};
