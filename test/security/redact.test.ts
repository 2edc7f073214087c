import { runHandler, type ApiRequest } from '../../lib/api/http';

/**
 * An unexpected error can quote a response body or a config value in its message; the one place errors become
 * HTTP (runHandler → toErrorResponse) logs it redacted. JSON and YAML forms were missed before.
 */
const req: ApiRequest = { method: 'GET', params: {}, query: new URLSearchParams(), header: () => undefined, text: async () => '' };

async function logged(message: string): Promise<string> {
  const lines: string[] = [];
  const res = await runHandler(
    async () => {
      throw new Error(message);
    },
    req,
    (l) => void lines.push(l),
  );
  expect(res.status).toBe(500);
  expect(JSON.stringify(res.jsonBody)).not.toContain(message);
  return lines.join('\n');
}

describe('internal errors are logged without the credentials they quote', () => {
  it.each([
    ['JSON from listAdminCredentials', '{"vcenterUsername":"cloudadmin@vsphere.local","vcenterPassword":"Pa55 w\\"0rd!","nsxtPassword":"n$x-Secret"}', ['Pa55 w', 'n$x-Secret']],
    ['JSON with single quotes', "{'password': 'hunter two', 'client_secret': 'cs-123'}", ['hunter two', 'cs-123']],
    ['YAML', 'connector:\n  password: plain scalar with spaces\n  apiKey: k-987\nname: dc1', ['plain scalar with spaces', 'k-987']],
    ['a connection string', 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFy==;EndpointSuffix=core.windows.net', ['Zm9vYmFy']],
    ['headers and query strings', 'x-hm-authorization: sess-42 Authorization: Bearer eyJhbGciOi.x.y GET /api/findings?code=fk-55&sig=sas%2B1', ['sess-42', 'eyJhbGciOi', 'fk-55', 'sas%2B1']],
    ['JSON escaped inside a JSON string', 'ARM said: "{\\"vcenterUsername\\":\\"cloudadmin\\",\\"vcenterPassword\\":\\"s3cr#t\\",\\"nsxtPassword\\":\\"n\\\\\\"x\\"}"', ['s3cr#t', 'n\\\\', '\\"x']],
    ['unquoted values holding , ; & } ]', 'password=pa,ss;w&o}r]d end\npwd: a}b, c', ['ss;w', 'w&o', 'r]d', 'b, c', 'a}b']],
    ['URL user-info', 'GET https://admin:p4ss@hcx.example/api failed; retry sftp://backup:s3cr3t:x@10.0.0.9/', ['p4ss', 's3cr3t']],
    ['a PEM private key', 'bad key -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY----- and -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN', ['MIIEpAIBAAKCAQEA', 'MIIEvQIBADAN']],
    ['Cookie and Set-Cookie headers', 'Cookie: theme=dark; JSESSIONID=js-77\n{"set-cookie":"HCX_SESSION=hs-88; Path=/"}', ['js-77', 'hs-88']],
  ])('%s', async (_name, message, secrets) => {
    const line = await logged(message);
    for (const s of secrets) expect(line).not.toContain(s);
    expect(line).toContain('***');
  });

  it('keeps what is not a credential', async () => {
    const line = await logged('{"code":"ResourceNotFound","name":"dc1","vcenterUsername":"cloudadmin@vsphere.local"}');
    expect(line).toContain('ResourceNotFound');
    expect(line).toContain('cloudadmin@vsphere.local');
  });
});
