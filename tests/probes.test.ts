// rehearse's HTTP probe against ports fetch refuses: a port offset can put a node or the load
// balancer on one (the prod preset's load balancer at --port-offset 3000 is on 10080).
import { createServer, type Server } from 'node:http';
import { http } from '../src/rehearse/probes.js';

/** Listens on the first of fetch's blocked ports that is free here. */
async function onBlockedPort(): Promise<{ server: Server; port: number }> {
  for (const port of [10080, 6665, 6666, 6667, 6668, 6669, 6000]) {
    const server = createServer((request, response) => {
      response.setHeader('content-type', 'text/plain');
      response.end(`${request.method} ${request.url}`);
    });
    const bound = await new Promise<boolean>((done) => {
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => done(true));
    });
    if (bound) return { server, port };
  }
  throw new Error('every blocked port is in use here');
}

test('http() reaches a port that fetch refuses as a "bad port"', async () => {
  const { server, port } = await onBlockedPort();
  try {
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow('fetch failed');
    expect(await http('GET', `http://127.0.0.1:${port}/health`)).toEqual({
      status: 200,
      text: 'GET /health',
      contentType: 'text/plain',
    });
    expect((await http('POST', `http://127.0.0.1:${port}/deployments`, { uri: 'x' })).text).toBe('POST /deployments');
  } finally {
    server.close();
  }
});
