import { describe, expect, it } from 'vitest';
import { packageOf, summarizeAllocations, type HeapProfileNode } from './allocation-profile.js';

const node = (id: number, functionName: string, url: string, children: HeapProfileNode[] = []): HeapProfileNode => ({
  id,
  callFrame: { functionName, url, lineNumber: 9 },
  children,
});

describe('summarizeAllocations', () => {
  it("adds each function's samples, per request, by package and by function, largest first", () => {
    const head = node(1, '(root)', '', [
      node(2, 'send', 'file:///repo/packages/core/dist/connector.js', [node(3, 'asJson', 'file:///repo/node_modules/.pnpm/pino@10.4.0/node_modules/pino/lib/tools.js')]),
      node(4, 'writeHead', 'node:_http_server'),
      node(5, 'send', 'file:///repo/packages/core/dist/connector.js'),
    ]);
    const samples = [
      { nodeId: 2, size: 400 },
      { nodeId: 3, size: 1000 },
      { nodeId: 3, size: 200 },
      { nodeId: 4, size: 100 },
      { nodeId: 5, size: 100 },
      { nodeId: 1, size: 200 },
    ];
    const summary = summarizeAllocations({ head, samples }, 10);
    expect(summary.perRequest).toBe(200);
    expect(summary.byPackage).toEqual([
      ['pino', 120],
      ['packages/core', 50],
      ['(native)', 20],
      ['node:_http_server', 10],
    ]);
    expect(summary.byFunction[0]).toEqual(['asJson pino/lib/tools.js:10', 120]);
    // The same function reached by two paths is one row.
    expect(summary.byFunction).toContainEqual(['send packages/core/dist/connector.js:10', 50]);
  });
});

describe('packageOf', () => {
  it('names npm packages (scoped too), workspace packages, Node modules and native code', () => {
    expect(packageOf('file:///w/node_modules/.pnpm/@fastify+ajv@1.0.0/node_modules/@fastify/ajv/index.js')).toBe('@fastify/ajv');
    expect(packageOf('file:///w/node_modules/undici/lib/dispatcher/client-h1.js')).toBe('undici');
    expect(packageOf('file:///w/apps/bench/dist/fastify-library-floor.js')).toBe('apps/bench');
    expect(packageOf('node:internal/streams/writable')).toBe('node:internal');
    expect(packageOf('')).toBe('(native)');
  });
});
