import { createHttpHeaders, createPipelineRequest, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { TableRequestCounter } from '../../bench/support';

/** The Table round-trip figure in `npm run bench` rests on this attribution: per target vs once per scan. */
describe('bench TableRequestCounter', () => {
  const base = 'http://127.0.0.1:10002/devstoreaccount1';
  const ok = async (request: PipelineRequest): Promise<PipelineResponse> => ({ request, status: 200, headers: createHttpHeaders() });
  const send = (counter: TableRequestCounter, url: string, method: 'GET' | 'POST' = 'GET', body?: string): Promise<PipelineResponse> =>
    counter.policy.sendRequest(createPipelineRequest({ url, method, body }), ok);

  it('counts a transaction for the table its operations name, and as confined to one partition', async () => {
    const c = new TableRequestCounter();
    const body = `--batch\r\nPUT ${base}/b1000findings(PartitionKey='abc',RowKey='latest') HTTP/1.1\r\n`;
    await send(c, `${base}/$batch`, 'POST', body);
    expect(c.snapshot()).toMatchObject({ total: 1, batches: 1, byTable: { b1000findings: 1 }, onePartitionByTable: { b1000findings: 1 } });
  });

  it('tells one-partition requests (query on a PartitionKey, point read) from a cross-partition query', async () => {
    const c = new TableRequestCounter();
    await send(c, `${base}/b1000findings()?$filter=PartitionKey%20eq%20'abc'`);
    await send(c, `${base}/b1000findings()?$filter=RowKey%20eq%20'latest'`);
    await send(c, `${base}/b1000scans(PartitionKey='s',RowKey='r')`);
    const snap = c.snapshot();
    expect(snap.byTable).toEqual({ b1000findings: 2, b1000scans: 1 });
    expect(snap.onePartitionByTable).toEqual({ b1000findings: 1, b1000scans: 1 });
    c.reset();
    expect(c.snapshot()).toMatchObject({ total: 0, byTable: {}, onePartitionByTable: {} });
  });
});
