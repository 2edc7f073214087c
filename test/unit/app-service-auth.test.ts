import { HttpRequest, InvocationContext } from '@azure/functions';
import type { Registration } from '../support/fakeFunctionsCore';
import { appServiceAuthEnabled, registeredAuthLevel, requireSignedIn } from '../../lib/api/appServiceAuth';
import { buildOpenApi } from '../../lib/api/openapi';
import { ROUTES } from '../../lib/api/routes';

/**
 * The on-call link: with App Service Authentication in front (WEBSITE_AUTH_ENABLED, set by the platform only),
 * the dashboard and read routes open to a signed-in person without a key; writes keep the admin key. Without it,
 * nothing changes. This file registers functions/http with the platform variable set.
 */

const saved = process.env.WEBSITE_AUTH_ENABLED;
let registrations: Registration[] = [];
beforeAll(() => {
  process.env.WEBSITE_AUTH_ENABLED = 'True';
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- registered after the variable is set
    require('../../functions/http');
    // The same module registry as functions/http's, so its registrations are these.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    registrations = (require('@azure/functions-core') as { registrations: Registration[] }).registrations;
  });
});
afterAll(() => {
  if (saved === undefined) delete process.env.WEBSITE_AUTH_ENABLED;
  else process.env.WEBSITE_AUTH_ENABLED = saved;
});

function httpBinding(name: string): Record<string, unknown> {
  const reg = registrations.find((r) => r.metadata.name === name);
  expect(reg).toBeDefined();
  return Object.values(reg!.metadata.bindings).find((b) => b.type === 'httpTrigger')!;
}

describe('App Service Authentication', () => {
  it('is on only when the platform says so', () => {
    expect(appServiceAuthEnabled({ WEBSITE_AUTH_ENABLED: 'True' })).toBe(true);
    expect(appServiceAuthEnabled({ WEBSITE_AUTH_ENABLED: 'False' })).toBe(false);
    expect(appServiceAuthEnabled({})).toBe(false);
    expect(appServiceAuthEnabled({ HCXMON_WEBSITE_AUTH_ENABLED: 'True' })).toBe(false);
  });

  it('without it every route keeps its key; with it reads open to sign-in and writes keep the admin key', () => {
    for (const r of ROUTES) expect(registeredAuthLevel(r, false)).toBe(r.authLevel);
    const levels = Object.fromEntries(ROUTES.map((r) => [`${r.method} ${r.route}`, registeredAuthLevel(r, true)]));
    expect(levels['GET dashboard']).toBe('anonymous');
    expect(levels['GET findings']).toBe('anonymous');
    expect(levels['POST alerts/test']).toBe('admin');
    expect(levels['POST scans']).toBe('admin');
    expect(levels['DELETE suppressions/{id}']).toBe('admin');
  });

  it('registers the dashboard anonymous and the test alert admin when the platform authenticates', () => {
    expect(httpBinding('httpDashboard').authLevel).toBe('anonymous');
    expect(httpBinding('httpListFindings').authLevel).toBe('anonymous');
    expect(httpBinding('httpAlertTest').authLevel).toBe('admin');
    expect(httpBinding('httpHealth').authLevel).toBe('anonymous');
  });

  it('answers 401 on a sign-in route that reaches the app without a principal', async () => {
    const reg = registrations.find((r) => r.metadata.name === 'httpDashboard')!;
    const request = new HttpRequest({ method: 'GET', url: 'https://func.example.net/api/dashboard?finding=f1' });
    const context = new InvocationContext({ functionName: 'httpDashboard' });
    const res = (await reg.callback(request, context)) as { status?: number; jsonBody?: { error: { code: string } } };
    expect(res.status).toBe(401);
    expect(res.jsonBody?.error.code).toBe('unauthenticated');
  });

  it('lets a request through only with the principal App Service Authentication sets', () => {
    const headers = (h: Record<string, string>) => ({ header: (n: string) => h[n.toLowerCase()] });
    expect(requireSignedIn(headers({}))?.status).toBe(401);
    expect(requireSignedIn(headers({ 'x-ms-client-principal-id': ' ' }))?.status).toBe(401);
    expect(requireSignedIn(headers({ 'x-ms-client-principal-id': '00000000-0000-0000-0000-000000000001' }))).toBe(
      undefined,
    );
  });

  it('is what openapi.json says: reads open to a signed-in principal without a key, writes keep the admin key', () => {
    type Op = { security: Record<string, string[]>[]; responses: Record<string, { description: string }> };
    const doc = buildOpenApi() as {
      paths: Record<string, Record<string, Op>>;
      components: { securitySchemes: Record<string, { type: string; description?: string }> };
    };
    expect(doc.components.securitySchemes.entraSignIn?.type).toBe('http');
    const read = doc.paths['/findings'].get;
    expect(read.security).toContainEqual({ entraSignIn: [] });
    expect(read.responses['401'].description).toMatch(/signed-in principal needs no key/);
    const write = doc.paths['/scans'].post;
    expect(write.security).not.toContainEqual({ entraSignIn: [] });
    expect(write.responses['401'].description).toMatch(/admin key.*on top of sign-in/);
  });
});
