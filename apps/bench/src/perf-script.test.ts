import { describe, expect, it } from 'vitest';
import { attribute, packageOfFrame, parsePerfScript } from './perf-script.js';

// Three samples as `perf script` prints them for a Node process run with --perf-basic-prof.
const SCRIPT = [
  'node  4875 20802.672440:     500000 cpu-clock: ',
  '\tffffffff8226e861 _raw_spin_unlock_irq+0x11 ([kernel.kallsyms])',
  '\t          109c1a writev+0xa (/usr/lib/x86_64-linux-gnu/libc.so.6)',
  '\t          db81b7 node::StreamBase::Writev+0x967 (/usr/bin/node)',
  '\t    7fefa84cbff4 JS:*clearBuffer node:internal/streams/writable:744:21+0x534 (/tmp/perf-4875.map)',
  '\t    7fefa83953ff JS:^relayChatStream file:///w/packages/server/dist/streaming/relay-chat-stream.js:10:38+0x33f (/tmp/perf-4875.map)',
  '',
  'node  4875 20802.674146:     500000 cpu-clock: ',
  '\t          dc5b64 v8::internal::JsonParser<unsigned char>::ParseJson+0x364 (/usr/bin/node)',
  '\t    7fefa84cbff4 JS:~readUsage file:///w/packages/core/dist/openai-compatible/read-chat-event.js:5:1+0x10 (/tmp/perf-4875.map)',
  '',
  'node  4875 20802.674635:     500000 cpu-clock: ',
  '\t         14b4281 uv__run_check+0x1 (/usr/bin/node)',
  '\t          7bbbe6 node::SpinEventLoopInternal+0x156 (/usr/bin/node)',
  '',
].join('\n');

describe('parsePerfScript', () => {
  it('reads one stack per sample, innermost first, without addresses, offsets or objects', () => {
    const samples = parsePerfScript(SCRIPT);
    expect(samples).toHaveLength(3);
    expect(samples[0]).toEqual([
      '[kernel] _raw_spin_unlock_irq',
      'writev',
      'node::StreamBase::Writev',
      'JS:*clearBuffer node:internal/streams/writable:744:21',
      'JS:^relayChatStream file:///w/packages/server/dist/streaming/relay-chat-stream.js:10:38',
    ]);
    expect(samples[2]).toEqual(['uv__run_check', 'node::SpinEventLoopInternal']);
  });
});

describe('attribute', () => {
  it('charges each sample, natives and kernel included, to its first JS frame, per request', () => {
    const { byFunction, byPackage, total } = attribute(parsePerfScript(SCRIPT), 500, 10);
    expect(total).toBe(150);
    expect(byFunction.get('clearBuffer node:internal/streams/writable:744:21')).toBe(50);
    expect(byFunction.get('readUsage file:///w/packages/core/dist/openai-compatible/read-chat-event.js:5:1')).toBe(50);
    expect(byFunction.get('(no JS)')).toBe(50);
    expect(Object.fromEntries(byPackage)).toEqual({ 'node:internal': 50, 'packages/core': 50, '(no JS)': 50 });
  });
});

describe('packageOfFrame', () => {
  it.each([
    ['JS:*onEnd file:///w/node_modules/.pnpm/fastify@5.12.8/node_modules/fastify/lib/content-type-parser.js:295:18', 'fastify'],
    ['JS:*redact /w/node_modules/.pnpm/@pinojs+redact@0.4.0/node_modules/@pinojs/redact/index.js:1:1', '@pinojs/redact'],
    ['JS:*_storeHeader node:_http_outgoing:410:22', 'node:_http_outgoing'],
    ['JS:*scan file:///w/packages/core/dist/sse/parse-sse.js:3:1', 'packages/core'],
    ['JS:*start file:///w/apps/bench/dist/baseline-proxy.js:9:1', 'apps/bench'],
    ['JS:wasm-function[20]-20-turbofan', 'wasm'],
  ])('%s → %s', (frame, expected) => {
    expect(packageOfFrame(frame)).toBe(expected);
  });
});
