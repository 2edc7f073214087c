import { Command, CommanderError, Option } from 'commander';
import { DateTime } from 'luxon';
import { evaluateGate } from './gate';
import { loadConfig, type Config, type Env } from '../config';
import { isSeverity, SEVERITIES, type Severity } from '../domain/evaluation';
import { FACT_NAMES, type FactName, type FindingStatus } from '../domain/finding';
import { requireTarget } from '../domain/targetLookup';
import { ConfigError, errorMessage, HcxmonError, NotFoundError, ValidationError } from '../errors';
import { DISCOVERY_SCOPE_RULE, formatRuleList, ruleMetaById } from '../rules';
import { parseTargetId } from '../api/validate';
import type { Runtime } from '../runtime';
import { productVersion } from '../version';
import { scanReport, sortFindings } from './output';
import { colorEnabled, continued, MAX_WIDTH, MIN_WIDTH, outputWidth } from './layout';
import { renderRuleDetail, renderRuleTable } from './rules-view';
import { DEFAULT_ROW_LIMIT, renderFindingsTable, renderSummaryText, type TableOptions } from './table';
import { findingsToCsv, findingView, type ReferencesOf } from '../findings/view';
import { progressReporter } from './progress';
import { registerWatch } from './watch';
import { printable } from '../text';
import { parseFactValue } from '../findings/facts';
import { parseExpiry } from '../findings/suppressions';
import { nowOf } from '../scan';
import {
  findingSortOf,
  latestScanTotals,
  sortFindingsBy,
  summarize,
  summaryJson,
  unknownSortMessage,
  type FindingSort,
} from '../findings/urgency';

/** Exit codes of DESIGN §7. */
export const EXIT = { ok: 0, failure: 1, usage: 2, findings: 3 } as const;

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** A terminal's width (process.stdout.columns); unset for pipes and files. */
  columns?: number;
}

export interface CliIo {
  stdout: Stream;
  stderr: Stream;
  env: Env;
}

/**
 * How the CLI gets its runtime: dev/cli.ts supplies one that starts an embedded Azurite when no storage is
 * configured; tests supply one bound to their Azurite.
 */
export type OpenRuntime = (config: Config, io: CliIo) => Promise<Runtime>;

export interface CliOptions {
  io?: Partial<CliIo>;
  openRuntime: OpenRuntime;
  /** `hcxmon watch` waits with this between rounds (tests inject one that moves their clock). */
  sleep?: (ms: number) => Promise<void>;
  /** Extra commands (lab, serve, demo) registered by dev/. */
  extend?: (program: Command, ctx: CliContext) => void;
}

export interface CliContext {
  io: CliIo;
  config(): Config;
  withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T>;
  setExitCode(code: number): void;
}

type Format = 'table' | 'json' | 'csv';

function parseFormat(value: string): Format {
  if (value !== 'table' && value !== 'json' && value !== 'csv') {
    throw new ValidationError(`--format must be table, json or csv (got "${value}")`, 'format');
  }
  return value;
}

function parseSeverityOption(flag: string) {
  return (value: string): Severity => {
    if (!isSeverity(value))
      throw new ValidationError(`${flag} must be one of ${SEVERITIES.join(', ')} (got "${value}")`, flag);
    return value;
  };
}

function parseInstant(flag: string) {
  return (value: string): DateTime => {
    const dt = DateTime.fromISO(value, { zone: 'utc' });
    if (!dt.isValid)
      throw new ValidationError(`${flag} must be an ISO date or instant, e.g. 2027-01-01 (got "${value}")`, flag);
    return dt;
  };
}

function parseDate(flag: string) {
  return (value: string): string => {
    const dt = DateTime.fromISO(value, { zone: 'utc' });
    if (!dt.isValid || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
      throw new ValidationError(`${flag} must be a date like 2026-11-07 (got "${value}")`, flag);
    }
    return dt.toISODate()!;
  };
}

function parsePositiveInt(flag: string, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
      throw new ValidationError(`${flag} must be a whole number from 1 to ${max} (got "${value}")`, flag);
    }
    return Number(value);
  };
}

/** Options of the human output shared by `scan` and `findings`. */
interface TableFlags {
  width?: number;
  limit?: number;
  all?: boolean;
}

function addTableOptions(cmd: Command): Command {
  return cmd
    .addOption(widthOption('table'))
    .addOption(
      new Option('--limit <rows>', `table rows printed, most urgent first (default ${DEFAULT_ROW_LIMIT})`).argParser(
        parsePositiveInt('--limit', 100000),
      ),
    )
    .option('--all', 'print every row of the table');
}

function widthOption(what: 'table' | 'text'): Option {
  return new Option('--width <columns>', `${what} width (default: COLUMNS, else the terminal, else 100)`).argParser(
    parseWidth,
  );
}

function parseWidth(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < MIN_WIDTH || Number(value) > MAX_WIDTH) {
    throw new ValidationError(
      `--width must be a whole number from ${MIN_WIDTH} to ${MAX_WIDTH} (got "${value}")`,
      '--width',
    );
  }
  return Number(value);
}

/** Width and colour of human output, from the options, the environment and whether stdout is a terminal. */
function tableOptions(io: CliIo, flags: TableFlags, asOf: DateTime): TableOptions {
  return {
    width: outputWidth(io.stdout, io.env, flags.width),
    color: colorEnabled(io.stdout, io.env),
    asOf,
    limit: flags.all ? undefined : (flags.limit ?? DEFAULT_ROW_LIMIT),
  };
}

const referencesOf: ReferencesOf = (id) => ruleMetaById(id)?.references;

const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'unknown', 'suppressed', 'resolved'];

function print(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Plain text that quotes stored or remote strings (names, reasons, messages): no control character reaches a terminal. */
function printText(io: CliIo, text: string): void {
  print(io, printable(text));
}

export function buildProgram(opts: CliOptions): {
  program: Command;
  exitCode: () => number;
  close: () => Promise<void>;
} {
  const io: CliIo = {
    stdout: opts.io?.stdout ?? process.stdout,
    stderr: opts.io?.stderr ?? process.stderr,
    env: opts.io?.env ?? process.env,
  };
  let exitCode: number = EXIT.ok;
  let config: Config | undefined;
  let runtime: Runtime | undefined;
  const ctx: CliContext = {
    io,
    config: () => (config ??= loadConfig(io.env)),
    async withRuntime(fn) {
      runtime ??= await opts.openRuntime(ctx.config(), io);
      return fn(runtime);
    },
    setExitCode(code) {
      exitCode = code;
    },
  };

  /** A target by id or name, as `scan --target` takes it; one no scan has stored is refused (as the API does). */
  const knownTarget = async (rt: Runtime, raw: string, option: string): Promise<string> =>
    requireTarget(
      raw,
      await rt.stores.inventory.listTargets(),
      option,
      'hcxmon scan stores targets; hcxmon findings lists them',
    );

  const knownRule = (id: string, option: string): void => {
    if (!ruleMetaById(id)) throw new ValidationError(`${option}: no rule "${id}" (see hcxmon rules)`, option);
  };

  const program = new Command('hcxmon')
    .description('Compliance monitor for VMware HCX on Azure VMware Solution')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError(false)
    .version(`hcxmon ${productVersion()}`, '-V, --version', 'print the version');

  addTableOptions(
    program.command('scan').description('discover, collect, evaluate, persist and dispatch alerts for every target'),
  )
    .addOption(
      new Option('--as-of <instant>', 'evaluate as of this date (planning: nothing is stored or paged)').argParser(
        parseInstant('--as-of'),
      ),
    )
    .option('--target <id|name>', 'scan one target only')
    .addOption(new Option('--format <format>', 'table, json or csv').default('table').argParser(parseFormat))
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 3 when an open or unknown finding at or above this severity exists',
      ).argParser(parseSeverityOption('--fail-on')),
    )
    .option('--allow-unknown', 'with --fail-on: unknown findings (targets that could not be read) do not fail the gate')
    .addOption(
      new Option('--concurrency <n>', 'targets scanned at once (HCXMON_CONCURRENCY)').argParser(
        parsePositiveInt('--concurrency', 256),
      ),
    )
    .action(
      async (
        o: {
          asOf?: DateTime;
          target?: string;
          format: Format;
          failOn?: Severity;
          allowUnknown?: boolean;
          concurrency?: number;
        } & TableFlags,
      ) => {
        const cfg = ctx.config();
        if (cfg.discoveryScope?.kind === 'none' && cfg.connectors.length === 0) {
          throw new ConfigError(
            'HCXMON_DISCOVERY_SCOPE',
            'nothing to scan: "none" discovers no AVS private clouds and HCXMON_CONNECTORS is empty; choose a scope (tenant, managementGroup:<id>, subscriptions:<ids>) and/or set HCXMON_CONNECTORS; `npm run demo` shows the product on a simulated estate',
          );
        }
        await ctx.withRuntime(async (rt) => {
          const planning = o.asOf !== undefined;
          if (planning)
            io.stderr.write(
              `Planning run as of ${o.asOf!.toISODate()}: findings are evaluated against stored state; nothing is stored or paged.\n`,
            );
          if (planning && o.asOf! < DateTime.utc().startOf('day'))
            io.stderr.write(
              'note: --as-of is in the past: ages of things first seen after it (extensions, collections) are counted as 0, never negative.\n',
            );
          const progress = progressReporter(io.stderr, o.format === 'table');
          const result = await rt.scan({
            trigger: 'cli',
            asOf: o.asOf,
            targetFilter: o.target,
            persist: !planning,
            concurrency: o.concurrency,
            onStart: (targets) => progress.start(targets.length),
            onTargetDone: (outcome) => progress.tick(printable(outcome.targetName)),
          });
          progress.stop();
          if (o.target && result.scan.targets.length === 0) {
            throw new NotFoundError(`no target matches "${o.target}" (use the id or name shown by hcxmon scan)`);
          }
          const { json, findings } = scanReport(result, referencesOf);
          const gate = evaluateGate(findings, o.failOn, o.allowUnknown === true);
          if (o.format === 'json') print(io, JSON.stringify({ ...json, summary: gate.summary, gate }, null, 2));
          else if (o.format === 'csv') io.stdout.write(findingsToCsv(json.findings));
          else print(io, renderFindingsTable(json.targets, findings, tableOptions(io, o, DateTime.fromISO(json.asOf))));
          for (const e of result.scan.discoveryErrors) io.stderr.write(`warning: ${printable(e.message)}\n`);
          if (o.format === 'table' && result.alerts) io.stderr.write(`${result.alerts}\n`);
          if (gate.failed) {
            if (o.format !== 'json') {
              const unknown = gate.causes.filter((c) => c.status === 'unknown').length;
              io.stderr.write(
                `--fail-on ${o.failOn}: ${gate.causes.length} finding(s) at or above ${o.failOn}` +
                  (unknown
                    ? ` (${unknown} unknown: targets or facts that could not be read; --allow-unknown to accept them)`
                    : '') +
                  '\n',
              );
            }
            ctx.setExitCode(EXIT.findings);
          }
        });
      },
    );

  addTableOptions(program.command('findings').description('list stored findings (same filters as GET /api/findings)'))
    .option('--status <status>', `one of ${FINDING_STATUSES.join(', ')} (default: open, unknown and suppressed)`)
    .addOption(
      new Option('--severity <severity>', 'at or above this severity').argParser(parseSeverityOption('--severity')),
    )
    .option('--rule <ruleId>', 'one rule')
    .option('--target <id|name>', 'one target (its id or name)')
    .addOption(new Option('--owner <owner>', 'microsoft or customer').choices(['microsoft', 'customer']))
    .addOption(new Option('--due-before <date>', 'deadline before this date').argParser(parseDate('--due-before')))
    .addOption(
      new Option(
        '--sort <order>',
        'urgency, deadline, severity, target, rule, first-seen or last-seen (as GET /api/findings?sort=)',
      ).argParser((v: string) => {
        const sort = findingSortOf(v);
        if (!sort) throw new ValidationError(`--sort: ${unknownSortMessage(v)}`, '--sort');
        return sort;
      }),
    )
    .addOption(new Option('--format <format>', 'table, json or csv').default('table').argParser(parseFormat))
    .action(
      async (
        o: {
          sort?: FindingSort;
          status?: string;
          severity?: Severity;
          rule?: string;
          target?: string;
          owner?: 'microsoft' | 'customer';
          dueBefore?: string;
          format: Format;
        } & TableFlags,
      ) => {
        if (o.status !== undefined && !(FINDING_STATUSES as readonly string[]).includes(o.status)) {
          throw new ValidationError(
            `--status must be one of ${FINDING_STATUSES.join(', ')} (got "${o.status}")`,
            '--status',
          );
        }
        // A filter on a rule that does not exist would answer an empty list, read as "all clear".
        if (o.rule !== undefined) knownRule(o.rule, '--rule');
        await ctx.withRuntime(async (rt) => {
          const list = await rt.stores.findings.queryAll({
            status: (o.status as FindingStatus | undefined) ?? ['open', 'unknown', 'suppressed'],
            minSeverity: o.severity,
            ruleId: o.rule,
            targetId: o.target === undefined ? undefined : await knownTarget(rt, o.target, '--target'),
            owner: o.owner,
            dueBefore: o.dueBefore,
          });
          const asOf = nowOf(rt.deps);
          // Table output groups by target (worst first) whatever the order; JSON and CSV keep it.
          const sorted = o.sort ? sortFindingsBy(list, o.sort, asOf) : sortFindings(list);
          const json = sorted.map((f) => findingView(f, asOf, referencesOf));
          if (o.format === 'json') print(io, JSON.stringify({ findings: json }, null, 2));
          else if (o.format === 'csv') io.stdout.write(findingsToCsv(json));
          else {
            const targets = [
              ...new Map(
                sorted.map((f) => [
                  f.targetId,
                  { id: f.targetId, name: f.targetName, kind: f.targetKind, status: 'stored' },
                ]),
              ).values(),
            ];
            print(io, renderFindingsTable(targets, sorted, tableOptions(io, o, asOf)));
          }
        });
      },
    );

  program
    .command('summary')
    .description('what needs doing first: counts, the next deadline, the worst targets (same as GET /api/summary)')
    .option('--format <format>', 'table or json', 'table')
    .addOption(widthOption('text'))
    .action(async (o: { format: string; width?: number }) => {
      await ctx.withRuntime(async (rt) => {
        const [list, scans] = await Promise.all([
          rt.stores.findings.queryAll({ status: ['open', 'unknown', 'suppressed'] }),
          rt.stores.scans.list({ pageSize: 10 }),
        ]);
        const out = summaryJson(summarize(list, nowOf(rt.deps)), 10, latestScanTotals(scans.items));
        if (o.format === 'json') {
          print(io, JSON.stringify(out, null, 2));
          return;
        }
        print(io, renderSummaryText(out, outputWidth(io.stdout, io.env, o.width)));
      });
    });

  const suppress = program
    .command('suppress')
    .description('waive or mark mitigated a finding for a while (expires by itself)');
  suppress
    .command('add')
    .description('add a suppression')
    .requiredOption('--rule <ruleId>', 'the rule it covers')
    .option('--target <id|name>', 'only this target (its id or name)')
    .option('--subject <id>', 'only this subject of the target')
    .requiredOption('--reason <text>', 'why')
    .addOption(
      new Option('--category <category>', 'waiver or mitigated').choices(['waiver', 'mitigated']).default('waiver'),
    )
    .addOption(
      new Option(
        '--expires <date|instant>',
        'YYYY-MM-DD: through the end of that day, UTC; or an ISO instant (at most a year away)',
      )
        // Checked here to name the flag; the same function reads it again where the suppression is made (as the API).
        .argParser((v: string) => (parseExpiry(v, '--expires'), v))
        .makeOptionMandatory(),
    )
    .option('--by <name>', 'who adds it', process.env.USER ?? 'cli')
    .option('--format <format>', 'table or json', 'table')
    .action(
      async (o: {
        rule: string;
        target?: string;
        subject?: string;
        reason: string;
        category: string;
        expires: string;
        by: string;
        format: string;
      }) => {
        // A suppression of a rule that does not exist could never match anything.
        knownRule(o.rule, '--rule');
        await ctx.withRuntime(async (rt) => {
          const s = await rt.addSuppression({
            ruleId: o.rule,
            // A discovery-scope finding's target is the scope itself (a subscription, scope:…), never a scanned target.
            targetId:
              o.target === undefined
                ? undefined
                : o.rule === DISCOVERY_SCOPE_RULE.id
                  ? parseTargetId(o.target, '--target')
                  : await knownTarget(rt, o.target, '--target'),
            subjectId: o.subject,
            reason: o.reason,
            category: o.category as 'waiver' | 'mitigated',
            expiresAt: o.expires,
            createdBy: o.by,
          });
          (o.format === 'json' ? print : printText)(
            io,
            o.format === 'json'
              ? JSON.stringify(s, null, 2)
              : `suppression ${s.id} added: ${s.ruleId}${s.targetId ? ` on ${s.targetId}` : ''} until ${s.expiresAt}`,
          );
        });
      },
    );
  suppress
    .command('list')
    .description('list suppressions (active, expired and stale)')
    .option('--format <format>', 'table or json', 'table')
    .addOption(widthOption('text'))
    .action(async (o: { format: string; width?: number }) => {
      await ctx.withRuntime(async (rt) => {
        const list = await rt.listSuppressions();
        if (o.format === 'json') return print(io, JSON.stringify({ suppressions: list }, null, 2));
        if (list.length === 0) return print(io, 'no suppressions');
        const width = outputWidth(io.stdout, io.env, o.width);
        for (const s of list) {
          // Wrapped at spaces, so the id (what `suppress expire` takes) and a target id stay whole on their line.
          const text = `${s.id}  ${s.state.padEnd(7)}  ${s.ruleId}  ${s.targetId ?? '*'}  ${s.subjectId ?? '*'}  until ${s.expiresAt}  ${s.category}: ${s.reason} (by ${s.createdBy})`;
          print(io, continued(printable(text), width).join('\n'));
        }
      });
    });
  suppress
    .command('expire <id>')
    .description('end a suppression now (it stays listed as expired)')
    .action(async (id: string) => {
      await ctx.withRuntime(async (rt) => {
        const s = await rt.expireSuppression(id);
        printText(io, `suppression ${s.id} expired at ${s.expiresAt}; the next scan reports the real status`);
      });
    });
  suppress
    .command('remove <id>')
    .description('delete a suppression')
    .action(async (id: string) => {
      await ctx.withRuntime(async (rt) => {
        await rt.removeSuppression(id);
        printText(io, `suppression ${id} removed`);
      });
    });

  const fact = program
    .command('fact')
    .description('operator-entered facts the APIs cannot give (e.g. the 4.11.0 upgrade date)');
  fact
    .command('set <target> <name> <value>')
    .description(`set a fact (names: ${FACT_NAMES.join(', ')})`)
    .option('--subject <id>', 'about one subject of the target (e.g. an HCX enterprise site)')
    .option('--by <name>', 'who says so', process.env.USER ?? 'cli')
    .option('--source <text>', 'where it comes from (change ticket, upgrade log)')
    .action(
      async (target: string, name: string, value: string, o: { subject?: string; by: string; source?: string }) => {
        if (!(FACT_NAMES as readonly string[]).includes(name)) {
          throw new ValidationError(`fact name must be one of ${FACT_NAMES.join(', ')} (got "${name}")`, 'name');
        }
        await ctx.withRuntime(async (rt) => {
          const date = parseFactValue(value, nowOf(rt.deps).toISODate()!);
          const f = await rt.setFact({
            targetId: await knownTarget(rt, target, 'target'),
            subjectId: o.subject,
            name: name as FactName,
            value: date,
            setBy: o.by,
            source: o.source,
          });
          printText(
            io,
            `fact ${f.name}=${f.value} set on ${f.targetId}${f.subjectId ? ` (${f.subjectId})` : ''}; the next scan uses it`,
          );
        });
      },
    );
  fact
    .command('list <target>')
    .description('list the facts of a target')
    .action(async (target: string) => {
      await ctx.withRuntime(async (rt) => {
        const facts = await rt.stores.facts.list(await knownTarget(rt, target, 'target'));
        if (facts.length === 0) return print(io, 'no facts');
        for (const f of facts)
          printText(
            io,
            `${f.name}${f.subjectId ? ` [${f.subjectId}]` : ''} = ${f.value}  (set by ${f.setBy} at ${f.setAt}${f.source ? `; ${f.source}` : ''})`,
          );
      });
    });

  const target = program.command('target').description('targets known to the store');
  target
    .command('forget <id>')
    .description('delete everything stored about a decommissioned target (findings, inventory, facts)')
    .option('--yes', 'confirm: this cannot be undone')
    .action(async (id: string, o: { yes?: boolean }) => {
      if (!o.yes)
        throw new ValidationError('target forget deletes the history of that target: add --yes to confirm', '--yes');
      await ctx.withRuntime(async (rt) => {
        const n = await rt.forgetTarget(id.toLowerCase());
        printText(
          io,
          `forgot ${id}: ${n.findings} finding row(s), ${n.inventory} inventory row(s), ${n.facts} fact(s) deleted`,
        );
      });
    });

  program
    .command('rules [ruleId]')
    .description(
      'every rule (or one, in full): severity, what it checks, what to do, references; and what is not checked',
    )
    .addOption(
      new Option('--format <format>', 'table or json').default('table').argParser((v: string) => {
        if (v !== 'table' && v !== 'json')
          throw new ValidationError(`--format must be table or json (got "${v}")`, 'format');
        return v;
      }),
    )
    .addOption(widthOption('text'))
    .action((ruleId: string | undefined, o: { format: 'table' | 'json'; width?: number }) => {
      const list = formatRuleList();
      const text = { width: outputWidth(io.stdout, io.env, o.width), color: colorEnabled(io.stdout, io.env) };
      if (ruleId === undefined) {
        print(io, o.format === 'json' ? JSON.stringify(list, null, 2) : renderRuleTable(list, text));
        return;
      }
      const rule = list.rules.find((r) => r.id === ruleId);
      if (!rule) throw new NotFoundError(`no rule "${ruleId}" (hcxmon rules lists every rule id)`);
      print(io, o.format === 'json' ? JSON.stringify(rule, null, 2) : renderRuleDetail(rule, text));
    });

  registerWatch(program, ctx, { sleep: opts.sleep });
  opts.extend?.(program, ctx);

  return {
    program,
    exitCode: () => exitCode,
    close: async () => {
      await runtime?.close();
    },
  };
}

/** Runs the CLI; returns the exit code instead of exiting so tests and dev/ can wrap it. */
export async function runCli(argv: string[], opts: CliOptions): Promise<number> {
  const { program, exitCode, close } = buildProgram(opts);
  const stderr = opts.io?.stderr ?? process.stderr;
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode();
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
        return EXIT.ok;
      return EXIT.usage;
    }
    if (err instanceof ValidationError) {
      stderr.write(`error: ${printable(err.message)}\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      stderr.write(`configuration error: ${printable(err.message)}\n`);
      return EXIT.usage;
    }
    if (err instanceof NotFoundError) {
      stderr.write(`error: ${printable(err.message)}\n`);
      return EXIT.usage;
    }
    stderr.write(`error: ${printable(err instanceof HcxmonError ? err.message : errorMessage(err))}\n`);
    return EXIT.failure;
  } finally {
    await close();
  }
}
