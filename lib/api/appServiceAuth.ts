import { errorResponse, type ApiRequest, type ApiResponse } from './http';
import type { AuthLevel, RouteDef } from './routes';

/**
 * Sign-in with Microsoft Entra ID through App Service Authentication (infra: `authClientId`).
 *
 * A function key cannot travel in an alert's dashboard link, and the Functions host grants no key level to a
 * signed-in user, so with App Service Authentication in front the dashboard and the read routes are registered
 * `anonymous` and opened to the principal App Service Authentication vouches for (it requires sign-in and strips
 * client-supplied `X-MS-CLIENT-PRINCIPAL*` headers). Who may sign in at all is Entra's decision: the app
 * registration's service principal requires assignment, and only the on-call group and the automation assigned to
 * it get a token (README "Sign-in for on-call links"). Writes keep their admin key on top.
 * Without App Service Authentication nothing changes: every route keeps its key.
 */

/** App Service injects WEBSITE_AUTH_ENABLED=True when App Service Authentication is on; nothing else can. */
export function appServiceAuthEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.WEBSITE_AUTH_ENABLED ?? '').trim().toLowerCase() === 'true';
}

/** Reads a signed-in person may make: the dashboard and every GET behind a function key. */
export function signInRoute(route: Pick<RouteDef, 'method' | 'authLevel'>): boolean {
  return route.method === 'GET' && route.authLevel === 'function';
}

/** The level the Functions host enforces for a route. */
export function registeredAuthLevel(route: Pick<RouteDef, 'method' | 'authLevel'>, authEnabled: boolean): AuthLevel {
  return authEnabled && signInRoute(route) ? 'anonymous' : route.authLevel;
}

/**
 * For a sign-in route registered `anonymous`: a 401 unless App Service Authentication put a principal on the
 * request. Defence in depth: App Service Authentication configured to let anonymous requests through must not
 * open the routes.
 */
export function requireSignedIn(req: Pick<ApiRequest, 'header'>): ApiResponse | undefined {
  const id = req.header('x-ms-client-principal-id');
  if (id && id.trim()) return undefined;
  return errorResponse(401, 'unauthenticated', 'sign in with Microsoft Entra ID, or call with a function key');
}
