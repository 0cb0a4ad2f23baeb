import type OpenAI from 'openai';
import { DEFAULT_API_KEY } from '../handlers/auth.js';
import { startMockNim, type MockNimServer, type StartMockNimOptions } from '../node/start-mock-nim.js';
import { loadProxyServer, type ProxyServerModule } from './load-proxy-server.js';

export interface ProxyHarnessOptions {
  /** Options for the mock NIM (scenario, catalog, auth…). */
  mock?: StartMockNimOptions;
  /**
   * Proxy configuration merged over the harness's: port 0 on 127.0.0.1, one proxy key, logging silent and the
   * `nvidia` backend pointed at the mock with the mock's key.
   */
  config?: Record<string, unknown>;
  /** The proxy key clients use. Default `sk-proxy-test-key`. */
  proxyKey?: string;
  /** The environment the proxy's connectors read (e.g. `NVIDIA_API_KEY`). Default: empty, so tests are hermetic. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Receives the proxy's JSON log lines (e.g. to assert on them); without it logging is silent. */
  logDestination?: { write(line: string): unknown };
  /** `@proxy/server`, when it cannot be loaded from the working directory. */
  server?: ProxyServerModule;
  /** Options for the `openai` client the harness returns. */
  clientOptions?: ConstructorParameters<typeof OpenAI>[0];
}

export interface ProxyHarness {
  /**
   * The official `openai` SDK, pointed at the proxy with the proxy key. `openai` is an optional peer: a project that
   * tests other clients (the Anthropic SDK on `proxyUrl`) need not install it, and reading `client` then throws
   * an error that says so.
   */
  readonly client: OpenAI;
  /** The proxy's origin, e.g. `http://127.0.0.1:43210`. */
  proxyUrl: string;
  /** `${proxyUrl}/v1`. */
  baseURL: string;
  proxyKey: string;
  /** The listening mock NIM, with its request recorder (`mock.requests`) and scenario controls. */
  mock: MockNimServer;
  /** Closes the proxy (gracefully) and the mock. */
  close(): Promise<void>;
}

/** Starts the mock NIM and the real proxy wired to it, both on ephemeral ports. */
export async function startProxyHarness(options: ProxyHarnessOptions = {}): Promise<ProxyHarness> {
  const server = options.server ?? (await loadProxyServer());
  const proxyKey = options.proxyKey ?? 'sk-proxy-test-key';
  const mock = await startMockNim(options.mock);
  const extra = options.config ?? {};
  const config = {
    host: '127.0.0.1',
    port: 0,
    auth: { api_keys: [proxyKey] },
    logging: { level: options.logDestination ? 'info' : 'silent' },
    default_backend: 'nvidia',
    ...extra,
    backends: (extra.backends as Record<string, unknown> | undefined) ?? {
      nvidia: { type: 'nvidia', api_url: mock.url, api_key: mockKey(options.mock) },
    },
  };
  let proxy: Awaited<ReturnType<ProxyServerModule['startServer']>>;
  try {
    proxy = await server.startServer(config, {
      env: options.env ?? {},
      ...(options.logDestination ? { logDestination: options.logDestination } : {}),
    });
  } catch (error) {
    await mock.close();
    throw error;
  }
  const baseURL = `${proxy.url}/v1`;
  const OpenAIClient = await loadOpenAI();
  const client = OpenAIClient ? new OpenAIClient({ baseURL, apiKey: proxyKey, maxRetries: 0, ...options.clientOptions }) : undefined;
  return {
    get client(): OpenAI {
      if (!client) throw new Error("The harness's client is the `openai` SDK, an optional peer of @proxy/testkit: install `openai` (^6 or ^7) to use it");
      return client;
    },
    proxyUrl: proxy.url,
    baseURL,
    proxyKey,
    mock,
    async close() {
      await proxy.close();
      await mock.close();
    },
  };
}

/** The `openai` SDK's client class when the project has it installed (the same ESM module the tests import). */
async function loadOpenAI(): Promise<typeof OpenAI | undefined> {
  try {
    return (await import('openai')).default;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

function mockKey(options: StartMockNimOptions | undefined): string {
  const key = options?.apiKey;
  if (typeof key === 'string') return key;
  if (Array.isArray(key) && typeof key[0] === 'string') return key[0];
  return DEFAULT_API_KEY;
}
