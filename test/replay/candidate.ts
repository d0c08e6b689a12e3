/**
 * The candidate the replay e2e tests replay the dashboard tests' traffic under (test/dashboard/config.ts): it
 * moves `chat` to gpt-4o-mini, sends `fb` straight to the target that answered, and names a key it never reads.
 */
export const CANDIDATE = `
providers:
  up: { api: openai, base_url: "http://127.0.0.1:9/v1", api_key: "\${OPENAI_API_KEY}" }
  backup: { api: openai, base_url: "http://127.0.0.1:9/v1" }
pricing:
  gpt-4o: { input: 2.5, output: 10 }
  gpt-4o-mini: { input: 0.15, output: 0.6 }
models:
  chat: { targets: [ { provider: up, model: gpt-4o-mini } ] }
  fb: { targets: [ { provider: backup, model: gpt-4o-mini } ] }
`;
