import type { IncomingMessage, ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse, pathname: string) => void | Promise<void>;

/** Exact-path routes by method: one map lookup per request. */
export class Router {
  private readonly routes = new Map<string, Handler>();
  private readonly paths = new Set<string>();

  add(method: string, path: string, handler: Handler): this {
    this.routes.set(`${method} ${path}`, handler);
    this.paths.add(path);
    return this;
  }

  match(method: string, path: string): Handler | undefined {
    return this.routes.get(`${method} ${path}`);
  }

  /** True when the path exists under another method (→ 405 rather than 404). */
  hasPath(path: string): boolean {
    return this.paths.has(path);
  }
}
