import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { appServiceAuthEnabled, registeredAuthLevel, requireSignedIn, signInRoute } from '../lib/api/appServiceAuth';
import { createHandlers } from '../lib/api/handlers';
import { errorResponse, runHandler, toErrorResponse, type ApiRequest, type ApiResponse } from '../lib/api/http';
import { ROUTES } from '../lib/api/routes';
import { getApiPorts, portsFromRuntime, setApiPortsProvider } from '../lib/api/runtimePorts';
import { getRuntime } from '../lib/runtime';

/**
 * Every HTTP route of lib/api/routes.ts, registered once. Thin: adapt HttpRequest to the API's request model,
 * run the handler (errors mapped in one place), adapt the response back.
 */

function toApiRequest(request: HttpRequest): ApiRequest {
  let text: Promise<string> | undefined;
  return {
    method: request.method,
    params: { ...request.params },
    query: request.query,
    header: (name) => request.headers.get(name) ?? undefined,
    text: () => (text ??= request.text()),
  };
}

function toInit(res: ApiResponse): HttpResponseInit {
  const init: HttpResponseInit = { status: res.status, headers: res.headers };
  if (res.jsonBody !== undefined) init.jsonBody = res.jsonBody;
  else if (res.body !== undefined) init.body = res.body;
  return init;
}

// The API reads and writes through the process runtime (built on the first request: a bad setting is a 503 naming it).
setApiPortsProvider(async () => portsFromRuntime(await getRuntime()));

// Read once at start: App Service Authentication is a platform setting, and changing it restarts the app.
const signIn = appServiceAuthEnabled();

for (const route of ROUTES) {
  const authLevel = registeredAuthLevel(route, signIn);
  const needsPrincipal = signIn && signInRoute(route);
  app.http(route.name, {
    methods: [route.method],
    route: route.route,
    authLevel,
    handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      const log = (m: string): void => context.error(m);
      if (route.handler === 'health') return toInit({ status: 200, jsonBody: { status: 'ok' } });
      const denied = needsPrincipal ? requireSignedIn(toApiRequest(request)) : undefined;
      if (denied) return toInit(denied);
      let handlers;
      try {
        handlers = createHandlers(await getApiPorts());
      } catch (err) {
        return toInit(toErrorResponse(err, log));
      }
      const fn = handlers[route.handler];
      if (!fn) return toInit(errorResponse(404, 'not_found', 'no such operation'));
      return toInit(await runHandler(fn, toApiRequest(request), log));
    },
  });
}
