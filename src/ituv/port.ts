// Free loopback ports: run mode gives each workflow its own (PENGUIN_PORT, `{{ port }}`), and a USE
// phase outside run mode picks one for its recipe, so services started side by side never collide.
import { createServer } from 'node:net';

/** A loopback port free now (the OS picks it), not one of `taken`. */
export async function freeLoopbackPort(taken: ReadonlySet<number> = new Set()): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const found = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolve(found));
      });
    });
    if (port > 0 && !taken.has(port)) return port;
  }
}
