import { request } from 'node:http';
import { devCommands } from '../../dev/cli';
import { runCli } from '../../lib/cli';
import { testStorage } from '../support/runtime';

/**
 * `hcxmon serve` printed its dashboard link with the admin key even when HCXMON_LOCAL_ADMIN_KEY was configured:
 * the configured key landed in the terminal's scrollback, and every link in browser history carried a key that
 * also writes (suppressions, facts, scans). Links now carry the read-only function key, and only one generated
 * for this run; a configured key is never echoed.
 */
const ADMIN = 'configured-admin-key-0123456789abcdef';
const FUNCTION = 'configured-function-key-0123456789ab';

function get(url: string, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

/** Runs `hcxmon serve --port 0` with these settings until it prints its link, then stops it like Ctrl+C does. */
async function serve(settings: Record<string, string>, check: (out: string, link: string) => Promise<void>): Promise<void> {
  const saved = Object.keys(settings).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, settings);
  const before = process.listeners('SIGINT');
  let out = '';
  let printed: () => void = () => {};
  const linkPrinted = new Promise<void>((r) => (printed = r));
  const write = (t: string): boolean => {
    out += t;
    if (/Dashboard:\n\S+\n/.test(out)) printed();
    return true;
  };
  const done = runCli(['serve', '--port', '0'], {
    io: { stdout: { write }, stderr: { write }, env: { ...process.env } },
    openRuntime: async () => {
      throw new Error('serve opens no CLI runtime');
    },
    extend: devCommands,
  });
  try {
    await Promise.race([linkPrinted, done]);
    // The link is printed alone on the line after its label.
    const link = /Dashboard:\n(\S+)\n/.exec(out)![1];
    await check(out, link);
  } finally {
    for (const l of process.listeners('SIGINT').filter((x) => !before.includes(x))) (l as (s: string) => void)('SIGINT');
    await done;
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('hcxmon serve: links carry a read-only key, and never a configured one', () => {
  it('with HCXMON_LOCAL_ADMIN_KEY configured, the admin key is not printed; the link opens reads, not writes', async () => {
    await serve({ HCXMON_STORAGE: testStorage(), HCXMON_LOCAL_ADMIN_KEY: ADMIN, HCXMON_LOCAL_FUNCTION_KEY: '' }, async (out, link) => {
      expect(out).not.toContain(ADMIN);
      const code = new URL(link).searchParams.get('code')!;
      expect(code).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(await get(link)).toBe(200);
      // The same key cannot write.
      expect(await get(`${new URL(link).origin}/api/scans?code=${code}`, 'POST')).toBe(401);
    });
  });

  it('with both keys configured, neither is printed and the link carries none', async () => {
    await serve({ HCXMON_STORAGE: testStorage(), HCXMON_LOCAL_ADMIN_KEY: ADMIN, HCXMON_LOCAL_FUNCTION_KEY: FUNCTION }, async (out, link) => {
      expect(out).not.toContain(ADMIN);
      expect(out).not.toContain(FUNCTION);
      expect(new URL(link).searchParams.has('code')).toBe(false);
      expect(await get(`${link}?code=${FUNCTION}`)).toBe(200);
    });
  });
});
