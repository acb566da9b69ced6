// 405 for a method a known path does not take (with the Allow header), instead of a 404 that would
// say the path does not exist. Fastify's router only knows exact method+path pairs, so the server
// keeps each route's path as a pattern and asks it when no route matched.
export class RouteMethods {
  private readonly routes: { pattern: RegExp; methods: string[] }[] = [];

  add(url: string, method: string | string[]): void {
    const source = url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    this.routes.push({ pattern: new RegExp(`^${source}/?$`), methods: [method].flat() });
  }

  /** The methods `path` is served with (empty when no route has that path). */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes)
      if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
    return [...methods].sort();
  }
}
