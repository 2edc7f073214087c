import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Parser from 'web-tree-sitter';

/**
 * Reading infra/ without a Bicep compiler: tree-sitter-bicep parses every file and these helpers walk the syntax
 * tree. Shared by the infra policy checks and the api-version schema check.
 */

export type Node = Parser.SyntaxNode;

export const ROOT = join(__dirname, '..', '..');
export const INFRA = join(ROOT, 'infra');

export interface BicepFile {
  rel: string;
  text: string;
  root: Node;
}

export interface Resource {
  file: string;
  symbol: string;
  type: string;
  apiVersion: string;
  typeText: string;
  /** The resource body (for loops: the loop body; for conditions: the guarded body). */
  body: Node;
  /** The condition of a conditional resource (`= if (…) {…}`), as written; undefined when it is always deployed. */
  condition?: string;
  line: number;
}

export interface Infra {
  parser: Parser;
  files: BicepFile[];
  resources: Resource[];
  parseMs: number;
}

export function walkFiles(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : walkFiles(p, ext);
    return d.name.endsWith(ext) ? [p] : [];
  });
}

export function at(node: Node): string {
  return `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

export function syntaxErrors(root: Node): string[] {
  const out: string[] = [];
  const visit = (n: Node) => {
    if (n.type === 'ERROR') out.push(`${at(n)} syntax error near "${n.text.slice(0, 40).replace(/\s+/g, ' ')}"`);
    else if (n.isMissing) out.push(`${at(n)} missing ${n.type}`);
    if (n.hasError || n.type === 'ERROR') n.children.forEach(visit);
  };
  visit(root);
  return out;
}

/** Text of a plain string literal; undefined for interpolated strings and non-strings. */
export function literal(node: Node | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  if (node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
  return node.namedChildren.map((c) => c.text).join('');
}

export function keyOf(prop: Node): string {
  const key = prop.namedChildren[0];
  return key.type === 'string' ? (literal(key) ?? key.text) : key.text;
}

export function props(obj: Node | undefined): Map<string, Node> {
  const out = new Map<string, Node>();
  if (!obj || obj.type !== 'object') return out;
  for (const p of obj.namedChildren) {
    if (p.type !== 'object_property') continue;
    out.set(keyOf(p), p.namedChildren[p.namedChildren.length - 1]);
  }
  return out;
}

export function get(obj: Node | undefined, path: string): Node | undefined {
  let cur: Node | undefined = obj;
  for (const part of path.split('.')) cur = props(cur).get(part);
  return cur;
}

/** The condition of a conditional declaration (`= if (…) {…}`), as written. */
export function conditionOf(decl: Node): string | undefined {
  const value = decl.namedChildren[decl.namedChildren.length - 1];
  if (value.type !== 'if_statement') return undefined;
  return value.namedChildren[0]?.text;
}

export function bodyOf(decl: Node): Node {
  const value = decl.namedChildren[decl.namedChildren.length - 1];
  if (value.type === 'for_statement') return value.childForFieldName('body') ?? value;
  if (value.type === 'if_statement') return value.namedChildren[value.namedChildren.length - 1];
  return value;
}

export function arrayItems(node: Node | undefined): Node[] {
  if (!node) return [];
  if (node.type === 'array') return node.namedChildren.filter((c) => c.type !== 'comment');
  if (node.type === 'ternary_expression') {
    return [
      ...arrayItems(node.childForFieldName('consequence') ?? undefined),
      ...arrayItems(node.childForFieldName('alternative') ?? undefined),
    ];
  }
  return [];
}

/** The value of a top-level `var` in a file. */
export function variable(f: BicepFile, name: string): Node | undefined {
  const decl = f.root.namedChildren.find((n) => n.type === 'variable_declaration' && n.namedChildren[0].text === name);
  return decl?.namedChildren[decl.namedChildren.length - 1];
}

/** The default value of a `param`, if it has one. */
export function paramDefault(f: BicepFile, name: string): Node | undefined {
  const decl = f.root.namedChildren.find((n) => n.type === 'parameter_declaration' && n.namedChildren[0].text === name);
  if (!decl || decl.namedChildren.length < 3) return undefined;
  const last = decl.namedChildren[decl.namedChildren.length - 1];
  return last.type === 'type' || last.type === 'primitive_type' ? undefined : last;
}

export function paramNames(f: BicepFile): string[] {
  return f.root.namedChildren.filter((n) => n.type === 'parameter_declaration').map((n) => n.namedChildren[0].text);
}

/** Every call of `fn` below a node. */
export function calls(node: Node, fn: string): Node[] {
  return node.descendantsOfType('call_expression').filter((c) => c.childForFieldName('function')?.text === fn);
}

/** The argument nodes of a call expression. */
export function callArgs(call: Node): Node[] {
  const args = call.namedChildren.find((c) => c.type === 'arguments');
  return args ? args.namedChildren.filter((c) => c.type !== 'comment') : [];
}

export function resourcesOf(f: BicepFile): Resource[] {
  return f.root.descendantsOfType('resource_declaration').map((decl) => {
    const typeText = literal(decl.namedChildren[1]) ?? decl.namedChildren[1].text;
    const [type, apiVersion = ''] = typeText.split('@');
    return {
      file: f.rel,
      symbol: decl.namedChildren[0].text,
      type,
      apiVersion,
      typeText,
      body: bodyOf(decl),
      condition: conditionOf(decl),
      line: decl.startPosition.row + 1,
    };
  });
}

/** The type of a `param`, as written (`string`, `array`, `bool`…). */
export function paramType(f: BicepFile, name: string): string | undefined {
  const decl = f.root.namedChildren.find((n) => n.type === 'parameter_declaration' && n.namedChildren[0].text === name);
  return decl?.namedChildren[1]?.text;
}

/** Every `module` of a file: its symbol and body (for loops: the loop body). */
export function modulesOf(f: BicepFile): { symbol: string; body: Node; line: number }[] {
  return f.root
    .descendantsOfType('module_declaration')
    .map((decl) => ({ symbol: decl.namedChildren[0].text, body: bodyOf(decl), line: decl.startPosition.row + 1 }));
}

export async function createParser(): Promise<Parser> {
  await Parser.init();
  const bicep = await Parser.Language.load(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
  const parser = new Parser();
  parser.setLanguage(bicep);
  return parser;
}

export function parseBicep(parser: Parser, rel: string, text: string): BicepFile {
  return { rel, text, root: parser.parse(text).rootNode };
}

/** Parses every .bicep file under infra/. */
export async function loadInfra(): Promise<Infra> {
  const started = process.hrtime.bigint();
  const parser = await createParser();
  const files = walkFiles(INFRA, '.bicep').map((p) =>
    parseBicep(parser, relative(INFRA, p).split('\\').join('/'), readFileSync(p, 'utf8')),
  );
  const resources = files.flatMap(resourcesOf);
  return { parser, files, resources, parseMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

export function fileOf(infra: Infra, rel: string): BicepFile {
  const f = infra.files.find((x) => x.rel === rel);
  if (!f) throw new Error(`${rel} not found under infra/`);
  return f;
}

export function ofType(infra: Infra, type: string): Resource[] {
  return infra.resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
}
