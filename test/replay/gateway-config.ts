/**
 * The gateway the replay e2e tests record traffic with: two providers on the fake OpenAI upstream (one target
 * always failing, so a fallback shows in the log), auth with an admin key for the dashboard, cost-log for the
 * recorded costs, and the request log on SQLite; and the candidate they replay it under.
 */
export const ADMIN_KEY = 'replay-admin-key-0001-secret';
export const TEAM_KEY = 'replay-team-key-0001-secret';
export const UPSTREAM_KEY = 'sk-replay-upstream-secret-0001';

const PRICES = `
pricing:
  gpt-4o: { input: 2.5, output: 10 }
  gpt-4o-mini: { input: 0.15, output: 0.6 }
  gpt-4o-broken: { input: 2.5, output: 10 }
`;

/** @example gatewayConfig(fake.url) */
export function gatewayConfig(upstream: string): string {
  return `
server:
  dashboard: { enabled: true, store: "sqlite://./requests.db" }
providers:
  up: { api: openai, base_url: "${upstream}", api_key: "${UPSTREAM_KEY}" }
  backup: { api: openai, base_url: "${upstream}", api_key: "${UPSTREAM_KEY}" }
${PRICES}
models:
  chat: { targets: [ { provider: up, model: gpt-4o } ] }
  fb: { strategy: ordered, targets: [ { provider: up, model: gpt-4o-broken }, { provider: backup, model: gpt-4o-mini } ] }
plugins:
  - use: auth
    admin_key: "${ADMIN_KEY}"
    keys:
      - { name: team-a, key: "${TEAM_KEY}" }
  - use: cost-log
`;
}

/** Moves `chat` to gpt-4o-mini and `fb` straight to the target that answered; names a key it never reads. */
export const CANDIDATE = `
providers:
  up: { api: openai, base_url: "http://127.0.0.1:9/v1", api_key: "\${OPENAI_API_KEY}" }
  backup: { api: openai, base_url: "http://127.0.0.1:9/v1" }
${PRICES}
models:
  chat: { targets: [ { provider: up, model: gpt-4o-mini } ] }
  fb: { targets: [ { provider: backup, model: gpt-4o-mini } ] }
`;
