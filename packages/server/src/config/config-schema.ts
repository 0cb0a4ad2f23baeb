import { backendSettingsSchema, MAX_TIMER_MESSAGE, MAX_TIMER_SECONDS } from '@proxy/core';
import { z } from 'zod';
import { modelSettingsEntrySchema } from '../models/model-settings.js';

/** 20 MiB: long multi-turn conversations with inline images fit; a runaway client does not. */
export const DEFAULT_BODY_LIMIT = 20 * 1024 * 1024;
/** 64 MiB: far above any completion or model list, far below what would hurt the process. */
export const DEFAULT_UPSTREAM_BODY_LIMIT = 64 * 1024 * 1024;
/** The largest upstream_body_limit taken: a JSON answer is one string, and V8's end at 512 MiB. */
export const MAX_UPSTREAM_BODY_LIMIT = 256 * 1024 * 1024;

/** A time in seconds, bounded by the longest timer Node keeps (see MAX_TIMER_SECONDS). */
const seconds = (what: string) =>
  z.number({ error: `expected ${what} in seconds` }).nonnegative(`expected ${what} in seconds (>= 0)`).max(MAX_TIMER_SECONDS, MAX_TIMER_MESSAGE);

/**
 * One backend, as far as the server reads it: a mapping whose `type` picks the backend's definition. Its other
 * keys are the type's to check, with the type's own schema (see BackendRegistry.resolve), so each connector
 * declares exactly the settings it reads, and the server needs no list of them.
 */
const backendSchema = z.looseObject({ type: backendSettingsSchema.shape.type }, { error: 'expected a mapping of backend settings' });

/** A name that is safe as a Prometheus label value and in a log line, and cannot be mistaken for a key's text. */
const namedKeySchema = z.strictObject({
  name: z
    .string({ error: 'expected a name' })
    .regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'expected a name of 1 to 64 letters, digits, _ . @ or -'),
  key: z.string({ error: 'expected the key (a string)' }).min(1, 'expected a non-empty key'),
});

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// Compiled once at module load; the hot path never touches zod for configuration.
export const proxyConfigSchema = z.strictObject({
  host: z.string().min(1, 'expected a host name or address').default('127.0.0.1'),
  port: z
    .number({ error: 'expected a number between 0 and 65535' })
    .int('expected a number between 0 and 65535')
    .min(0, 'expected a number between 0 and 65535')
    .max(65535, 'expected a number between 0 and 65535')
    .default(8000),
  auth: z
    .strictObject({
      // A bare key, or `{ name, key }`: the name (never the key) goes on the log line and the token metrics.
      api_keys: z
        .array(z.union([z.string().min(1, 'expected non-empty keys'), namedKeySchema], { error: 'expected a key, or { name, key }' }), {
          error: 'expected a list of keys',
        })
        .default([]),
      disabled: z.boolean({ error: 'expected true or false' }).default(false),
    })
    .prefault({}),
  default_backend: z.string().min(1, 'expected a backend name').optional(),
  force_model: z.string().min(1, 'expected a model id').optional(),
  // Model aliases and per-model settings (models/): applied by every front end's exchange.
  model_aliases: z
    .record(z.string().min(1, 'expected a model pattern'), z.string().min(1, 'expected a model id'), {
      error: 'expected a mapping of model patterns to model ids',
    })
    .default({}),
  model_settings: z
    .record(z.string().min(1, 'expected a model pattern'), modelSettingsEntrySchema, { error: 'expected a mapping of model patterns to settings' })
    .default({}),
  failure_handling: z
    .strictObject({
      keepalive_interval: seconds('an interval').default(8),
      keepalive_format: z.enum(['openai', 'comment'], { error: "expected 'openai' or 'comment'" }).default('openai'),
      max_retries: z
        .number({ error: 'expected a number of retries' })
        .int('expected a whole number of retries')
        .min(0, 'expected a number of retries (>= 0)')
        .max(10, 'expected at most 10 retries')
        .default(2),
      retry_base_delay: seconds('a delay').default(0.5),
      retry_max_delay: seconds('a delay').default(8),
    })
    .refine((value) => value.retry_max_delay >= value.retry_base_delay, {
      error: 'expected retry_max_delay >= retry_base_delay',
      path: ['retry_max_delay'],
    })
    .prefault({}),
  body_limit: z
    .number({ error: 'expected a size in bytes' })
    .int('expected a whole number of bytes')
    .positive('expected a size in bytes (> 0)')
    .default(DEFAULT_BODY_LIMIT),
  upstream_body_limit: z
    .number({ error: 'expected a size in bytes' })
    .int('expected a whole number of bytes')
    .positive('expected a size in bytes (> 0)')
    // A JSON answer is read into one string, and V8's strings end at 512 MiB: past that a read could not even fail cleanly.
    .max(MAX_UPSTREAM_BODY_LIMIT, `expected at most ${MAX_UPSTREAM_BODY_LIMIT} bytes (256 MiB)`)
    .default(DEFAULT_UPSTREAM_BODY_LIMIT),
  body_timeout: seconds('a time').positive('expected a time in seconds (> 0)').default(30),
  max_connections: z
    .number({ error: 'expected a number of connections' })
    .int('expected a whole number of connections')
    .positive('expected a number of connections (> 0)')
    .optional(),
  logging: z
    .strictObject({
      level: z.enum(logLevels, { error: `expected one of ${logLevels.join(', ')}` }).default('info'),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      enabled: z.boolean({ error: 'expected true or false' }).default(true),
      require_auth: z.boolean({ error: 'expected true or false' }).default(false),
    })
    .prefault({}),
  shutdown_grace_period: seconds('a grace period').default(30),
  // Browser clients on these origins may call the API; off (no CORS headers, no preflights) when empty.
  cors: z
    .strictObject({
      origins: z
        .array(
          z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, "expected an origin such as 'https://app.example.com' (scheme, host, port; no path), or '*'"),
          { error: 'expected a list of origins' },
        )
        .default([]),
    })
    .prefault({}),
  // Where replicas share their key pools' pacing (limits/); without it each process paces alone, in memory.
  redis_url: z.url({ error: 'expected a redis:// or rediss:// URL', protocol: /^rediss?$/ }).optional(),
  backends: z.record(z.string().min(1), backendSchema, { error: 'expected a mapping of backend names' }).default({}),
});

export type { BackendSettings } from '@proxy/core';

/** What a caller may pass: every key optional, defaults filled in by validation. */
export type ProxyConfigInput = z.input<typeof proxyConfigSchema>;
/** Validated configuration (before backend defaults are applied; see ResolvedProxyConfig). */
export type ProxyConfig = z.output<typeof proxyConfigSchema>;
export type LogLevel = (typeof logLevels)[number];
export type KeepaliveFormat = ProxyConfig['failure_handling']['keepalive_format'];
