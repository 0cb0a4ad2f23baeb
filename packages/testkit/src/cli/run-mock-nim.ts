import { parseArgs } from 'node:util';
import { DEFAULT_API_KEY } from '../handlers/auth.js';
import { startMockNim, type MockNimServer, type StartMockNimOptions } from '../node/start-mock-nim.js';

export const MOCK_NIM_USAGE = `Usage: mock-nim [options]

A mock NVIDIA NIM (OpenAI-compatible /v1/models, /v1/chat/completions and /v1/embeddings) on a real HTTP port.

Options:
  --port N                  port to listen on (default 8001; 0 picks a free one)
  --host HOST               address to bind (default 127.0.0.1)
  --api-key KEY             accepted Bearer key (default ${DEFAULT_API_KEY})
  --no-auth                 accept requests without a key
  --first-byte-delay-ms N   silence before status and headers, every request
  --chunk-delay-ms N        silence between stream chunks
  -h, --help                show this help

Per request, put <mock-nim>{"fault":{"type":"reset"}}</mock-nim> (a JSON scenario) in a message.`;

export type ParsedMockNimArgs = { help: true } | { help: false; options: StartMockNimOptions };

function nonNegativeInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`--${name} expects a non-negative integer, got "${value}"`);
  return number;
}

export function parseMockNimArgs(argv: readonly string[]): ParsedMockNimArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      port: { type: 'string', default: '8001' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
      'no-auth': { type: 'boolean', default: false },
      'first-byte-delay-ms': { type: 'string' },
      'chunk-delay-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true };
  const firstByteDelayMs = nonNegativeInteger('first-byte-delay-ms', values['first-byte-delay-ms']);
  const chunkDelayMs = nonNegativeInteger('chunk-delay-ms', values['chunk-delay-ms']);
  return {
    help: false,
    options: {
      port: nonNegativeInteger('port', values.port),
      host: values.host,
      apiKey: values['no-auth'] ? false : (values['api-key'] ?? DEFAULT_API_KEY),
      scenario: {
        timing: {
          ...(firstByteDelayMs === undefined ? {} : { firstByteDelayMs }),
          ...(chunkDelayMs === undefined ? {} : { chunkDelayMs }),
        },
      },
    },
  };
}

export interface RunMockNimIo {
  log(line: string): void;
}

/** Parses `argv`, starts the server and prints its URL; resolves `undefined` after `--help`. */
export async function runMockNim(argv: readonly string[], io: RunMockNimIo): Promise<MockNimServer | undefined> {
  const parsed = parseMockNimArgs(argv);
  if (parsed.help) {
    io.log(MOCK_NIM_USAGE);
    return undefined;
  }
  const server = await startMockNim(parsed.options);
  const key = parsed.options.apiKey === false ? 'no key needed' : `key: ${String(parsed.options.apiKey)}`;
  io.log(`mock-nim listening on ${server.url} (${key})`);
  return server;
}
