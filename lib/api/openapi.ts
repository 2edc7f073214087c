import { signInRoute } from './appServiceAuth';
import { ROUTES } from './routes';

/** OpenAPI 3.0 description of every route in ROUTES (the registrations are built from the same table). */
export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const path = `/${r.route}`;
    const params: Record<string, unknown>[] = [];
    for (const m of r.route.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
      params.push({
        name: m[1],
        in: 'path',
        required: true,
        description: r.route.startsWith('targets/') ? 'Target id, URL-encoded (ARM ids contain "/").' : `The ${m[1]}.`,
        schema: { type: 'string' },
      });
    }
    for (const q of r.query ?? [])
      params.push({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema });
    const responses: Record<string, unknown> = {};
    const ok: Record<string, unknown> = { description: 'Success' };
    if (r.success.contentType !== 'none') {
      const schema = r.success.schemaRef
        ? { $ref: `#/components/schemas/${r.success.schemaRef}` }
        : r.success.contentType === 'application/json'
          ? { type: 'object' }
          : { type: 'string' };
      ok.content = { [r.success.contentType]: { schema } };
      if (r.handler === 'listFindings')
        (ok.content as Record<string, unknown>)['text/csv'] = { schema: { type: 'string' } };
    }
    responses[String(r.success.status)] = ok;
    const err = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    if (r.authLevel !== 'anonymous') {
      responses['400'] = { description: 'Bad input (names the parameter)', ...err };
      responses['401'] = {
        description: signInRoute(r)
          ? 'Missing or wrong function key; with Microsoft Entra sign-in (App Service Authentication) on: not signed in (a signed-in principal needs no key)'
          : `Missing or wrong ${r.authLevel} key (with Microsoft Entra sign-in on, the key is needed on top of sign-in)`,
        ...err,
      };
    }
    if (r.route.includes('{')) responses['404'] = { description: 'Unknown id', ...err };
    const op: Record<string, unknown> = {
      operationId: r.name,
      summary: r.summary,
      tags: [r.route.split('/')[0]],
      parameters: params,
      responses,
      'x-auth-level': r.authLevel,
    };
    if (signInRoute(r)) op.security = [{ functionKey: [] }, { functionKeyQuery: [] }, { entraSignIn: [] }];
    else if (r.authLevel !== 'anonymous') op.security = [{ functionKey: [] }, { functionKeyQuery: [] }];
    else op.security = [];
    if (r.body)
      op.requestBody = { required: r.body.required !== undefined, content: { 'application/json': { schema: r.body } } };
    paths[path] = { ...(paths[path] ?? {}), [r.method.toLowerCase()]: op };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'hcx-compliance-monitor',
      version: '0.1.0',
      description:
        'Compliance of VMware HCX on Azure VMware Solution: findings, targets, upgrade readiness, scans, suppressions, facts.',
    },
    servers: [{ url: '/api' }],
    paths,
    components: {
      securitySchemes: {
        functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
        entraSignIn: {
          type: 'http',
          scheme: 'bearer',
          description:
            'With Microsoft Entra sign-in (App Service Authentication) in front: a browser session or a bearer token for api://<client id>, issued only to principals assigned to the app. Reads then need no key; writes still need the admin key.',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, parameter: { type: 'string' } },
            },
          },
        },
        Finding: {
          type: 'object',
          required: ['id', 'ruleId', 'targetId', 'subjectId', 'status', 'severity'],
          properties: {
            id: { type: 'string' },
            ruleId: { type: 'string' },
            title: { type: 'string' },
            targetId: { type: 'string' },
            targetName: { type: 'string' },
            subjectId: { type: 'string' },
            subjectName: { type: 'string' },
            status: { type: 'string', enum: ['open', 'resolved', 'unknown', 'suppressed'] },
            severity: { type: 'string', enum: ['critical', 'high', 'medium', 'low', 'info'] },
            owner: { type: 'string', enum: ['microsoft', 'customer'] },
            message: { type: 'string' },
            evidence: { type: 'object' },
            deadline: {
              type: 'object',
              properties: {
                date: { type: 'string', format: 'date' },
                basis: { type: 'string' },
                daysLeft: { type: 'integer' },
                band: { type: 'string' },
              },
            },
            firstSeenAt: { type: 'string', format: 'date-time' },
            lastSeenAt: { type: 'string', format: 'date-time' },
          },
        },
        FindingPage: {
          type: 'object',
          required: ['items', 'count'],
          properties: {
            items: { type: 'array', items: { $ref: '#/components/schemas/Finding' } },
            count: { type: 'integer' },
            continuationToken: { type: 'string' },
          },
        },
      },
    },
  };
}
