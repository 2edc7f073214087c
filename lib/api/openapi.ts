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
      if (r.handler === 'listFindings' || r.handler === 'listTargets')
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
          description:
            'The one finding shape of GET /api/findings, GET /api/findings/{id} and hcxmon scan|findings --format json; ' +
            'CSV flattens the same fields (deadline_date, deadline_basis, deadline_days_left, deadline_band, …).',
          required: [
            'id',
            'ruleId',
            'severity',
            'status',
            'targetId',
            'targetName',
            'targetKind',
            'subjectId',
            'subjectName',
            'title',
            'message',
            'owner',
            'evidence',
            'firstSeenAt',
            'lastSeenAt',
            'references',
          ],
          properties: {
            id: { type: 'string' },
            ruleId: { type: 'string' },
            title: { type: 'string' },
            targetId: { type: 'string' },
            targetName: { type: 'string' },
            targetKind: {
              type: 'string',
              enum: ['avs-private-cloud', 'hcx-connector'],
              description: 'avs-private-cloud: its HCX Cloud Manager (Microsoft-managed); hcx-connector: on premises.',
            },
            subjectId: { type: 'string' },
            subjectName: { type: 'string' },
            subjectKind: { type: 'string' },
            status: {
              type: 'string',
              enum: ['open', 'resolved', 'unknown', 'suppressed'],
              description: 'Effective status; suppressed while an active suppression covers it.',
            },
            underlyingStatus: {
              type: 'string',
              enum: ['open', 'resolved', 'unknown'],
              description: 'Only when suppressed: what the rule says underneath.',
            },
            suppressionId: { type: 'string', description: 'Only when suppressed: the suppression that covers it.' },
            severity: { type: 'string', enum: ['critical', 'high', 'medium', 'low', 'info'] },
            owner: { type: 'string', enum: ['microsoft', 'customer'] },
            message: { type: 'string' },
            evidence: { type: 'object', description: 'Small JSON; `source` says where it comes from.' },
            deadline: {
              type: 'object',
              required: ['date', 'basis', 'daysLeft', 'band'],
              properties: {
                date: { type: 'string', format: 'date' },
                basis: {
                  type: 'string',
                  description:
                    'What the date is counted from: catalog (published end of support), appliance / hcx / operator / ' +
                    'observed (the 4.11.0 upgrade + 450 days, as the system, an operator fact or the scans saw it).',
                },
                daysLeft: { type: 'integer', description: 'Whole days from today (UTC); 0 or less: passed.' },
                band: { type: 'string', enum: ['passed', 'd30', 'd90', 'd180', 'later'] },
                latestDate: { type: 'string', format: 'date' },
                atTheLatest: { type: 'boolean' },
              },
            },
            firstSeenAt: { type: 'string', format: 'date-time' },
            lastSeenAt: { type: 'string', format: 'date-time' },
            lastEvaluatedAt: { type: 'string', format: 'date-time' },
            resolvedAt: { type: 'string', format: 'date-time' },
            openedAt: { type: 'string', format: 'date-time' },
            reopenCount: { type: 'integer' },
            scanId: { type: 'string' },
            references: {
              type: 'array',
              items: {
                type: 'object',
                properties: { source: { type: 'string' }, title: { type: 'string' } },
              },
            },
          },
        },
        FindingPage: {
          type: 'object',
          required: ['items', 'count'],
          properties: {
            items: { type: 'array', items: { $ref: '#/components/schemas/Finding' } },
            count: { type: 'integer', description: 'Items on this page.' },
            total: { type: 'integer', description: 'With sort=: every matching finding (over all pages).' },
            truncated: { type: 'boolean', description: 'With sort=: more than 50000 matched; only those were sorted.' },
            continuationToken: { type: 'string' },
          },
        },
        TargetList: {
          type: 'object',
          required: ['baseline', 'items', 'total'],
          properties: {
            baseline: { type: 'object' },
            items: { type: 'array', items: { type: 'object' } },
            total: { type: 'integer' },
          },
        },
        Scan: {
          type: 'object',
          properties: {
            scanId: { type: 'string' },
            trigger: { type: 'string', enum: ['timer', 'http', 'cli', 'demo', 'followup'], description: 'What started it; followup is a rescan after an observed upgrade.' },
            asOf: { type: 'string', format: 'date-time' },
            status: { type: 'string', enum: ['running', 'completed'] },
            completedAt: { type: 'string', format: 'date-time' },
            totals: { $ref: '#/components/schemas/ScanTotals' },
            outcomes: { type: 'array', items: { type: 'object' } },
          },
        },
        Summary: {
          type: 'object',
          properties: {
            asOf: { type: 'string', format: 'date-time' },
            openBySeverity: { type: 'object', additionalProperties: { type: 'integer' } },
            unknown: { type: 'integer' },
            suppressed: { type: 'integer' },
            overdue: { type: 'integer' },
            nextDeadline: { type: 'object' },
            worstTargets: { type: 'array', items: { type: 'object' } },
            targetCount: { type: 'integer' },
            headlines: { type: 'object' },
            latestScan: {
              type: 'object',
              properties: {
                scanId: { type: 'string' },
                asOf: { type: 'string', format: 'date-time' },
                completedAt: { type: 'string', format: 'date-time' },
                targetFilter: { type: 'string' },
                totals: { $ref: '#/components/schemas/ScanTotals' },
              },
            },
          },
        },
        ScanTotals: {
          type: 'object',
          description: 'Recorded by a scan when it finishes (scans written before they existed have none).',
          properties: {
            openBySeverity: { type: 'object', additionalProperties: { type: 'integer' } },
            open: { type: 'integer' },
            new: { type: 'integer', description: 'First seen by this scan, open or unknown.' },
            resolved: { type: 'integer', description: 'Resolved by this scan.' },
            escalated: { type: 'integer', description: 'Severity or deadline band worse than at the previous scan.' },
            unknown: { type: 'integer' },
            suppressed: { type: 'integer' },
          },
        },
      },
    },
  };
}
