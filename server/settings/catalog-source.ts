/**
 * Where the catalog refreshes from, as the admin set it (the `catalogSource` setting; null = the
 * environment's LITELLM_CATALOG_URL, which defaults to LiteLLM's file on GitHub).
 * - builtin: only the copy shipped with the gateway; nothing is fetched.
 * - default: the environment's URL (the internet copy unless LITELLM_CATALOG_URL says otherwise).
 * - url: another http(s):// or file:// address.
 * - upload: a file the admin uploaded; it is the stored copy, nothing is fetched.
 */
export const CATALOG_SOURCE_KINDS = ['builtin', 'default', 'url', 'upload'] as const;
export type CatalogSourceKind = (typeof CATALOG_SOURCE_KINDS)[number];

export type CatalogSourceSetting =
  { kind: 'builtin' } | { kind: 'default' } | { kind: 'url'; url: string } | { kind: 'upload'; fileName: string; uploadedAt: string };
