// The notes API (first attempt: forgets the slug).
import { createServer } from 'node:http';
import { createStore } from './store.mjs';

export function createApp() {
  const store = createStore();
  return createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/notes') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const { title, body: text } = JSON.parse(body);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify(store.add(title, text)));
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(store.list()));
  });
}

if (process.argv[1] === new URL(import.meta.url).pathname)
  createApp().listen(Number(process.env.PENGUIN_PORT ?? 8080), '127.0.0.1');
