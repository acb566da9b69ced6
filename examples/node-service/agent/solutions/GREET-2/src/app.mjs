import { createServer } from 'node:http';

export function portFromEnv(env) {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  return port;
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function createApp() {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
    if (url.pathname === '/greet') {
      const name = url.searchParams.get('name');
      if (!name) return send(res, 400, { error: 'name is required' });
      return send(res, 200, { greeting: `Hello, ${name}!` });
    }
    return send(res, 404, { error: 'not found' });
  });
}
