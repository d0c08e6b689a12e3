/**
 * The plugins' part of a request context: typed variables (`ctx.get`/`ctx.set`, keys declared by merging into
 * RequestVariables) and the fields plugins add to the request's log line. A base class, so the gateway's context
 * and the test harness's share one implementation; both stores are made on first use, as most requests of a
 * gateway without plugins never touch them.
 */
import type { LogFieldValue, RequestContext, RequestVariables } from './types';

type StateOfContext = Pick<RequestContext, 'get' | 'set' | 'logField' | 'logFields'>;

/**
 * @example
 * class GatewayContext extends PluginRequestState implements RequestContext { … }
 * ctx.set('tenant', 'acme'); ctx.get('tenant') // 'acme'
 */
export class PluginRequestState implements StateOfContext {
  private variables: Map<string, unknown> | undefined = undefined;
  private fields: Record<string, LogFieldValue> | undefined = undefined;

  get<K extends keyof RequestVariables>(key: K): RequestVariables[K] | undefined {
    return this.variables?.get(key as string) as RequestVariables[K] | undefined;
  }

  set<K extends keyof RequestVariables>(key: K, value: RequestVariables[K]): void {
    (this.variables ??= new Map()).set(key as string, value);
  }

  logField(name: string, value: LogFieldValue | undefined): void {
    if (value === undefined) {
      if (this.fields) delete this.fields[name];
      return;
    }
    (this.fields ??= {})[name] = value;
  }

  get logFields(): Readonly<Record<string, LogFieldValue>> | undefined {
    return this.fields;
  }
}
