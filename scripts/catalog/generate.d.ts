// Types of generate.js, for the tests that drive it (the script itself is plain CommonJS, run by node).

export interface GeneratedCatalog {
  /** Provider id → model id → entry (see src/catalog/catalog.ts for the entry shape). */
  models: Record<string, Record<string, Record<string, unknown>>>;
  providers: { source: Record<string, unknown>; lookup_order: string[]; providers: Record<string, Record<string, unknown>> };
  /** Source files skipped or fields ignored, one line each. */
  warnings: string[];
}

/** Generates the catalog files' text from a models.dev snapshot; `outDir` is where corrections.json is read from. */
export function generate(sourceDir?: string, outDir?: string): { catalog: GeneratedCatalog; files: Record<string, string> };

/** The providers that ship, in the order a bare model name is priced. */
export const SHIPPED_PROVIDERS: string[];

/** ../shared/catalog/models.dev from the repo root. */
export const DEFAULT_SOURCE: string;
