export const HELP_TEXT = `nim-proxy: an OpenAI-compatible proxy for NVIDIA NIM and other OpenAI-compatible backends

Usage: nim-proxy [options]

Options:
  -c, --config <path>           YAML configuration file (default: ./config.yaml when present; env PROXY_CONFIG)
      --host <address>          Address to listen on (default 127.0.0.1; env PROXY_HOST)
  -p, --port <number>           Port to listen on (default 8000; env PROXY_PORT)
      --default-backend <name>  Backend for model ids without a backend prefix (env DEFAULT_BACKEND)
      --force-model <model>     Use this model for every request, e.g. nvidia:meta/llama3-70b (env FORCE_MODEL)
      --model-aliases <table>   Model names clients send → models to route, as JSON or pattern=model pairs,
                                e.g. 'claude-*haiku*=nvidia:meta/llama-3.1-8b-instruct' (env MODEL_ALIASES)
      --model-settings <json>   Per-model max_tokens, reasoning_on/off fields, reasoning_effort, replay_reasoning,
                                tool_markup, keyed by patterns on backend:model or model (env MODEL_SETTINGS)
      --keepalive-interval <s>  Seconds of upstream silence before a stream keep-alive; 0 disables
                                (default 8; env FAILURE_HANDLING_KEEPALIVE_INTERVAL)
      --keepalive-format <f>    openai (an empty chunk, default) or comment (env FAILURE_HANDLING_KEEPALIVE_FORMAT)
      --max-retries <n>         Retries of an upstream call that failed before the client got a byte; 0 disables
                                (default 2; env FAILURE_HANDLING_MAX_RETRIES)
      --upstream-body-limit <b> Largest JSON answer read from an upstream, in bytes (default 64 MiB;
                                env PROXY_UPSTREAM_BODY_LIMIT)
      --body-timeout <s>        Seconds a client has to send its whole request (default 30; env PROXY_BODY_TIMEOUT)
      --max-connections <n>     Open client connections at most (default sized from the file-descriptor limit;
                                env PROXY_MAX_CONNECTIONS)
      --disable-auth            Accept requests without a proxy key (trusted networks only; env PROXY_DISABLE_AUTH)
      --log-level <level>       fatal, error, warn, info, debug, trace or silent (default info; env LOG_LEVEL)
      --cors-origins <list>     Browser origins allowed to call the API, comma-separated, or * (default none:
                                CORS off; env PROXY_CORS_ORIGINS)
      --redis-url <url>         Share the key pools' request pacing between replicas through Redis
                                (redis://host:6379; env PROXY_REDIS_URL; default: each process paces alone)
  -h, --help                    Show this help
  -v, --version                 Show the version

Precedence: command line > environment > YAML file > defaults.
Proxy keys: PROXY_API_KEYS=key1,key2 (or auth.api_keys). Upstream key for NVIDIA: NVIDIA_API_KEY (a pool: NVIDIA_API_KEYS=a,b).
Upstreams behind a forward proxy: HTTPS_PROXY / HTTP_PROXY, with NO_PROXY for hosts reached directly.
Every key is described in docs/configuration.md.
`;
