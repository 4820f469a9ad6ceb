import type { AuthContext } from './identity.ts';
import type { Prefer, SimRequest, SimResponse } from './http-types.ts';
import type { RenderOptions } from './event-render.ts';

/** `mailbox`: mailbox settings, which need MailboxSettings.Read or .ReadWrite (Calendars.* is not enough). */
export type Access = 'read' | 'write' | 'user' | 'mailbox';

export interface GraphContext {
  request: SimRequest;
  auth: AuthContext;
  prefer: Prefer;
  render: RenderOptions;
  params: Record<string, string>;
}

export type GraphHandler = (context: GraphContext) => SimResponse | Promise<SimResponse>;

export interface GraphRoute {
  method: string;
  /** Path after `/v1.0`, `:name` for parameters, e.g. `/me/calendars/:calendarId/events`. */
  template: string;
  access: Access;
  handler: GraphHandler;
}

export type RouteMatch =
  | { kind: 'found'; route: GraphRoute; params: Record<string, string>; name: string }
  | { kind: 'methodNotAllowed'; name: string }
  | { kind: 'notFound'; name: string };

/** Routes by segment; literal segments compare case-insensitively, as Graph's do. */
export class GraphRouter {
  private readonly routes: { route: GraphRoute; segments: string[] }[];

  constructor(routes: GraphRoute[]) {
    this.routes = routes.map((route) => ({ route, segments: route.template.split('/').filter(Boolean) }));
  }

  match(method: string, path: string): RouteMatch {
    const segments = path.split('/').filter(Boolean);
    let template: string | null = null;
    for (const { route, segments: pattern } of this.routes) {
      if (pattern.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const fits = pattern.every((part, i) => {
        if (part.startsWith(':')) {
          params[part.slice(1)] = segments[i]!;
          return true;
        }
        return part.toLowerCase() === segments[i]!.toLowerCase();
      });
      if (!fits) continue;
      const name = `/v1.0${route.template.replace(/:(\w+)/g, '{$1}')}`;
      if (route.method === method) return { kind: 'found', route, params, name: `${method} ${name}` };
      template = name;
    }
    if (template) return { kind: 'methodNotAllowed', name: `${method} ${template}` };
    return { kind: 'notFound', name: `${method} (unknown)` };
  }
}

const READ_SCOPES = ['calendars.read', 'calendars.readwrite', 'calendars.read.shared', 'calendars.readwrite.shared'];
const WRITE_SCOPES = ['calendars.readwrite', 'calendars.readwrite.shared'];

export function allowed(access: Access, scopes: ReadonlySet<string>): boolean {
  if (access === 'user') return scopes.size > 0;
  if (access === 'mailbox') return scopes.has('mailboxsettings.read') || scopes.has('mailboxsettings.readwrite');
  return (access === 'read' ? READ_SCOPES : WRITE_SCOPES).some((scope) => scopes.has(scope));
}
