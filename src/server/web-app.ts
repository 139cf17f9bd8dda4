// Serves the built web app (web/dist) at "/", with index.html for client-side routes. Until the web
// app is built, "/" says so and points at the API.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './errors.ts';

export async function serveWebApp(app: FastifyInstance, distDir: string): Promise<boolean> {
  const built = existsSync(join(distDir, 'index.html'));
  if (!built) {
    app.get('/', async (_req, reply) => {
      reply.type('text/plain; charset=utf-8');
      return 'Parley is running. The web app is not built (web/dist is missing); the API is at /v1 and /api, health at /health.\n';
    });
    return false;
  }
  const fastifyStatic = (await import('@fastify/static')).default;
  await app.register(fastifyStatic, { root: distDir, wildcard: false });
  // Client-side routes (e.g. /c/123) load the app; unknown API paths still get an API error. A GET
  // catch-all route rather than setNotFoundHandler: buildApp has already installed the API's 404 handler.
  app.get('/*', (req, reply) => {
    const path = req.url.split('?')[0];
    if (!path.startsWith('/api/') && !path.startsWith('/v1/') && !/\.[a-z0-9]+$/i.test(path)) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    return reply.status(404).send(errorBody(404, `no route ${req.method} ${path}`, 'unknown_route', null));
  });
  return true;
}
