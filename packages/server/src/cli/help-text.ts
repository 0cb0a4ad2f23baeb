export const HELP_TEXT = `nim-proxy: an OpenAI-compatible proxy for NVIDIA NIM and other OpenAI-compatible backends

Usage: nim-proxy [options]

Options:
  -c, --config <path>           YAML configuration file (default: ./config.yaml when present; env PROXY_CONFIG)
      --host <address>          Address to listen on (default 127.0.0.1; env PROXY_HOST)
  -p, --port <number>           Port to listen on (default 8000; env PROXY_PORT)
      --default-backend <name>  Backend for model ids without a backend prefix (env DEFAULT_BACKEND)
      --force-model <model>     Use this model for every request, e.g. nvidia:meta/llama3-70b (env FORCE_MODEL)
      --keepalive-interval <s>  Seconds of upstream silence before a stream keep-alive; 0 disables
                                (default 8; env FAILURE_HANDLING_KEEPALIVE_INTERVAL)
      --keepalive-format <f>    openai (an empty chunk, default) or comment (env FAILURE_HANDLING_KEEPALIVE_FORMAT)
      --max-retries <n>         Retries of an upstream call that failed before the client got a byte; 0 disables
                                (default 2; env FAILURE_HANDLING_MAX_RETRIES)
      --disable-auth            Accept requests without a proxy key (trusted networks only; env PROXY_DISABLE_AUTH)
      --log-level <level>       fatal, error, warn, info, debug, trace or silent (default info; env LOG_LEVEL)
  -h, --help                    Show this help
  -v, --version                 Show the version

Precedence: command line > environment > YAML file > defaults.
Proxy keys: PROXY_API_KEYS=key1,key2 (or auth.api_keys). Upstream key for NVIDIA: NVIDIA_API_KEY.
Every key is described in docs/configuration.md.
`;
