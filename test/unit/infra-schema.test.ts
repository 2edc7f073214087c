import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  keyOf,
  literal,
  loadInfra,
  parseBicep,
  resourcesOf,
  variable,
  type BicepFile,
  type Infra,
  type Node,
  type Resource,
} from '../support/bicep';

/**
 * Every resource in infra/ against its api-version's REST API specification (Azure/azure-rest-api-specs): each
 * property path the template sets must exist, enum values must be valid, read-only properties must not be set.
 * What a real deployment's request validation would reject, checked offline from the excerpts in
 * test/data/arm-schemas.json (each names the spec file, commit and definitions it was read from).
 */

interface PropSpec {
  t?: 'string' | 'boolean' | 'number' | 'integer' | 'array' | 'object';
  enum?: (string | number)[];
  ro?: boolean;
  /** An object whose keys are free (tags, user-assigned identities, stream declarations): nothing below is checked. */
  map?: boolean;
  maxLength?: number;
  min?: number;
  max?: number;
}

interface TypeExcerpt {
  sources: { repo: string; path: string; commit: string; definitions: string[] }[];
  paths: Record<string, PropSpec>;
}

interface Excerpts {
  envelope: string[];
  types: Record<string, TypeExcerpt>;
}

const EXCERPTS = JSON.parse(readFileSync(join(ROOT, 'test', 'data', 'arm-schemas.json'), 'utf8')) as Excerpts;

/** The excerpt key of a resource: `type@api-version`, plus `:name` for Microsoft.Web/sites/config (its schema depends on the name). */
function excerptKey(r: Resource): string {
  const base = `${r.type}@${r.apiVersion}`;
  if (r.type.toLowerCase() !== 'microsoft.web/sites/config') return base;
  return `${base}:${literal(props(r.body).get('name')) ?? '?'}`;
}

function props(obj: Node | undefined): Map<string, Node> {
  const out = new Map<string, Node>();
  if (!obj || obj.type !== 'object') return out;
  for (const p of obj.namedChildren) {
    if (p.type === 'object_property') out.set(keyOf(p), p.namedChildren[p.namedChildren.length - 1]);
  }
  return out;
}

function segments(path: string): string[] {
  return path.split('.');
}

function matches(pattern: string[], path: string[]): boolean {
  return (
    pattern.length === path.length &&
    pattern.every((s, i) => s === '*' || s === path[i] || (s === '*[]' && path[i].endsWith('[]')))
  );
}

class SchemaCheck {
  readonly problems: string[] = [];
  private readonly patterns: [string[], PropSpec][];

  constructor(
    private readonly file: BicepFile,
    private readonly resource: Resource,
    excerpt: TypeExcerpt,
  ) {
    this.patterns = Object.entries(excerpt.paths).map(([k, v]) => [segments(k), v]);
  }

  private spec(path: string[]): PropSpec | undefined {
    return this.patterns.find(([p]) => matches(p, path))?.[1];
  }

  /** Some declared path lies below this one (an object or array on the way to a declared property). */
  private isPrefix(path: string[]): boolean {
    return this.patterns.some(([p]) => {
      if (p.length < path.length) return false;
      const head = p.slice(0, path.length);
      // `x[].y` passes through the array `x` itself.
      const last = head[head.length - 1].replace(/\[\]$/, '');
      return (p.length > path.length || last !== head[head.length - 1]) && matches([...head.slice(0, -1), last], path);
    });
  }

  /** A map declared above this path (everything below it is free). */
  private underMap(path: string[]): boolean {
    for (let i = 1; i < path.length; i++) if (this.spec(path.slice(0, i))?.map) return true;
    return false;
  }

  private report(node: Node, path: string[], what: string): void {
    const where = `${this.resource.file}:${node.startPosition.row + 1} ${this.resource.symbol} (${excerptKey(this.resource)})`;
    this.problems.push(`${where} ${path.join('.')}: ${what}`);
  }

  run(): string[] {
    for (const [key, value] of props(this.resource.body)) {
      if (EXCERPTS.envelope.includes(key)) continue;
      this.visit(value, [key], 0);
    }
    return this.problems;
  }

  private visit(node: Node, path: string[], depth: number): void {
    if (depth > 20 || this.underMap(path)) return;
    const spec = this.spec(path);
    if (!spec && !this.isPrefix(path)) {
      this.report(node, path, 'not in the schema of this api-version');
      return;
    }
    if (spec?.ro) {
      this.report(node, path, 'read-only: the service rejects or ignores it');
      return;
    }
    if (spec?.map) return;
    this.visitValue(node, path, spec, depth);
  }

  private visitValue(node: Node, path: string[], spec: PropSpec | undefined, depth: number): void {
    switch (node.type) {
      case 'object':
        for (const [k, v] of props(node)) this.visit(v, [...path, k], depth + 1);
        return;
      case 'array':
        for (const item of node.namedChildren.filter((c) => c.type !== 'comment')) this.visitItem(item, path, depth);
        return;
      case 'for_statement': {
        const body = node.childForFieldName('body');
        if (body) this.visitItem(body, path, depth);
        return;
      }
      case 'ternary_expression':
      case 'parenthesized_expression':
        for (const branch of [node.childForFieldName('consequence'), node.childForFieldName('alternative')])
          if (branch) this.visitValue(branch, path, spec, depth + 1);
        if (node.type === 'parenthesized_expression')
          node.namedChildren.forEach((c) => this.visitValue(c, path, spec, depth + 1));
        return;
      case 'identifier': {
        // A `var` of the same file holding a literal object or array (e.g. the table columns) is checked in place.
        const v = variable(this.file, node.text);
        if (v && ['object', 'array', 'for_statement', 'ternary_expression'].includes(v.type))
          this.visitValue(v, path, spec, depth + 1);
        return;
      }
      default:
        this.checkLeaf(node, path, spec);
    }
  }

  private visitItem(item: Node, path: string[], depth: number): void {
    const itemPath = [...path.slice(0, -1), `${path[path.length - 1]}[]`];
    if (item.type === 'object') {
      for (const [k, v] of props(item)) this.visit(v, [...itemPath, k], depth + 1);
      return;
    }
    const spec = this.spec(itemPath);
    if (!spec && !this.isPrefix(itemPath)) {
      this.report(item, itemPath, 'not in the schema of this api-version');
      return;
    }
    this.visitValue(item, itemPath, spec, depth + 1);
  }

  private checkLeaf(node: Node, path: string[], spec: PropSpec | undefined): void {
    if (!spec) {
      if (['string', 'number', 'boolean'].includes(node.type))
        this.report(node, path, 'a value where the schema has an object');
      return;
    }
    const text =
      node.type === 'string' ? literal(node) : ['number', 'boolean'].includes(node.type) ? node.text : undefined;
    if (text === undefined) return; // an expression: its value is known only at deployment
    if (spec.t === 'boolean' && node.type !== 'boolean') this.report(node, path, `expects a boolean, not ${node.text}`);
    if ((spec.t === 'integer' || spec.t === 'number') && node.type !== 'number' && !spec.enum)
      this.report(node, path, `expects a number, not ${node.text}`);
    if (spec.t === 'string' && node.type !== 'string') this.report(node, path, `expects a string, not ${node.text}`);
    // ARM compares enum values without regard to case (Bicep only warns on a case difference).
    if (spec.enum && !spec.enum.some((e) => String(e).toLowerCase() === text.toLowerCase()))
      this.report(
        node,
        path,
        `${JSON.stringify(text)} is not one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')}`,
      );
    if (spec.maxLength !== undefined && text.length > spec.maxLength)
      this.report(node, path, `${JSON.stringify(text)} is longer than ${spec.maxLength}`);
    if (node.type === 'number' && spec.min !== undefined && Number(text) < spec.min)
      this.report(node, path, `${text} < ${spec.min}`);
    if (node.type === 'number' && spec.max !== undefined && Number(text) > spec.max)
      this.report(node, path, `${text} > ${spec.max}`);
  }
}

function checkFile(f: BicepFile, resources: Resource[]): string[] {
  return resources.flatMap((r) => {
    const excerpt = EXCERPTS.types[excerptKey(r)];
    if (!excerpt)
      return [`${r.file}:${r.line} ${r.symbol}: no schema excerpt for ${excerptKey(r)} in test/data/arm-schemas.json`];
    return new SchemaCheck(f, r, excerpt).run();
  });
}

let infra: Infra;

beforeAll(async () => {
  infra = await loadInfra();
});

describe('infra/ against the REST API specifications of its api-versions', () => {
  it('has an excerpt, with its source file and commit, for every resource type and api-version used', () => {
    const used = [...new Set(infra.resources.map(excerptKey))].sort();
    expect(used.length).toBeGreaterThanOrEqual(20);
    expect(used.filter((k) => !EXCERPTS.types[k])).toEqual([]);
    for (const k of used) {
      for (const s of EXCERPTS.types[k].sources) {
        expect([k, s.path]).toEqual([k, expect.stringMatching(/^specification\/.+\.json$/)]);
        expect([k, s.commit]).toEqual([k, expect.stringMatching(/^[0-9a-f]{40}$/)]);
        expect([k, s.repo]).toEqual([k, expect.stringMatching(/\/azure-rest-api-specs$/)]);
      }
    }
  });

  it('sets only properties the schema has, with valid enum values, and no read-only property', () => {
    const problems = infra.files.flatMap((f) =>
      checkFile(
        f,
        infra.resources.filter((r) => r.file === f.rel),
      ),
    );
    expect(problems).toEqual([]);
  });

  it('catches a misspelled property, a bad enum value, a read-only property and a wrong type (the check can fail)', () => {
    const text = [
      "resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {",
      "  name: 'st'",
      '  location: location',
      "  kind: 'StorageV2'",
      "  sku: { name: 'Standard_LRS' }",
      '  properties: {',
      '    allowSharedKeyAcess: false',
      "    minimumTlsVersion: 'TLS1_3'",
      "    primaryEndpoints: { blob: 'https://x' }",
      "    supportsHttpsTrafficOnly: 'yes'",
      '    networkAcls: {',
      "      defaultAction: 'Deny'",
      "      virtualNetworkRules: [ { id: subnetId, action: 'Deny' } ]",
      '    }',
      '  }',
      '}',
      "resource rule 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = {",
      "  name: 'r'",
      '  properties: {',
      '    severity: 7',
      '    isWorkspaceAlertsStorageConfigured: true',
      '  }',
      '}',
    ].join('\n');
    const f = parseBicep(infra.parser, 'broken.bicep', text);
    const problems = checkFile(f, resourcesOf(f)).join('\n');
    expect(problems).toMatch(/properties\.allowSharedKeyAcess: not in the schema/);
    expect(problems).toMatch(/properties\.minimumTlsVersion: "TLS1_3" is not one of/);
    expect(problems).toMatch(/properties\.primaryEndpoints: not in the schema/);
    expect(problems).toMatch(/properties\.supportsHttpsTrafficOnly: expects a boolean/);
    expect(problems).toMatch(/virtualNetworkRules\[\]\.action: "Deny" is not one of "Allow"/);
    expect(problems).toMatch(/properties\.severity: "7" is not one of/);
    expect(problems).toMatch(/properties\.isWorkspaceAlertsStorageConfigured: read-only/);
    expect(problems.split('\n')).toHaveLength(7);
  });

  it('knows the api-version: a property the 2021-08-01 alert rule schema lacks is reported', () => {
    const text = [
      "resource rule 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = {",
      "  name: 'r'",
      '  properties: { resolveConfiguration: { autoResolved: true } }',
      '}',
      "resource other 'Microsoft.Insights/scheduledQueryRules@2099-01-01' = {",
      "  name: 'o'",
      '}',
    ].join('\n');
    const f = parseBicep(infra.parser, 'versions.bicep', text);
    const problems = checkFile(f, resourcesOf(f));
    expect(problems).toEqual([
      expect.stringMatching(/properties\.resolveConfiguration: not in the schema/),
      expect.stringMatching(/no schema excerpt for Microsoft\.Insights\/scheduledQueryRules@2099-01-01/),
    ]);
  });
});
