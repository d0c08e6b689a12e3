/**
 * The gateway config the dashboard tests run against: two providers on the fake upstream (one failing, so the
 * Requests page has a fallback with two attempts), auth with an admin key and a budgeted key, cost-log on SQLite.
 */
export const ADMIN_KEY = 'dash-admin-key-0001-secret';
export const TEAM_KEY = 'team-a-key-0001-secret';
export const UPSTREAM_KEY = 'sk-upstream-dashboard-secret';

/** @example dashboardConfig(fake.url, { logContent: false }) */
export function dashboardConfig(
  upstream: string,
  /** providersPage: a health check on `up` and feedback on, for what the Providers page shows beyond routing. */
  opts: { logContent?: boolean; enabled?: boolean; providersPage?: boolean } = {},
): string {
  return `
server:
  dashboard: { enabled: ${opts.enabled ?? true}, log_content: ${opts.logContent ?? false} }
providers:
  up: { api: openai, base_url: "${upstream}", api_key: "${UPSTREAM_KEY}"${opts.providersPage ? ', health_check: { interval_s: 3600 }' : ''} }
  backup: { api: openai, base_url: "${upstream}", api_key: "${UPSTREAM_KEY}" }
${opts.providersPage ? 'feedback: { store: memory }' : ''}
pricing:
  gpt-4o-broken: { input: 2.5, output: 10 }   # a budgeted key may only use priced models
models:
  chat: { targets: [ { provider: up, model: gpt-4o } ] }
  fb: { strategy: ordered, targets: [ { provider: up, model: gpt-4o-broken }, { provider: backup, model: gpt-4o-mini } ] }
plugins:
  - use: auth
    admin_key: "${ADMIN_KEY}"
    keys:
      - { name: team-a, key: "${TEAM_KEY}", budget_usd: 5, budget_period: daily }
  - use: cost-log
    sink: sqlite://./spend.db
`;
}
