// Import boundaries of server/ (`npm run check:deps`). The layers, bottom to top:
//
//   core        the canonical model; imports nothing
//   infra       configuration, crypto, secrets, database, Redis, HTTP helpers, logger, event bus
//   state       the in-memory snapshot, instance settings and the prompt-rule compiler the snapshot builds with
//   policies    routing, virtual keys, limits, retention
//   proxy parts wire formats, upstream HTTP, provider presets
//   pipeline    the proxy pipeline: contexts, the plugin contract, the upstream request value, the attempt loop
//   plugins     the request plugins (plugins/: relay, prompt rules, request defaults, …; response store, cache, guardrails),
//               which implement the pipeline's hooks; the pipeline never imports them
//   ingress     the /v1 handlers and their route table
//   adapters    GraphQL, observability, health, scale-out, admin auth, catalog, config as code, …
//   root        the composition root (app.ts, services.ts, main.ts, proxy-plugins.ts), imported by nothing
//
// A module may import its own layer and any layer below it. A folder added to server/
// must be given a layer here (`layer-unassigned`).

/** @param {string[]} parts path prefixes under server/ (folders end with `/`) */
const under = (parts) => `^server/(${parts.map((p) => p.replace(/[.]/g, '[.]')).join('|')})`;

const CORE = under(['core/']);
const INFRA = under(['config/', 'crypto/', 'secrets/', 'db/', 'http/', 'redis/', 'events/', 'logger.ts']);
const STATE = under(['snapshot/', 'settings/', 'prompts/']);
const POLICIES = under(['routing/', 'keys/', 'limits/', 'maintenance/']);
const PROXY_PARTS = under(['proxy/formats/', 'proxy/upstream/', 'proxy/providers/']);
const PIPELINE = under(['proxy/pipeline/']);
const PLUGINS = under(['plugins/', 'response-store/', 'cache/', 'guardrails/']);
const INGRESS = `${under(['proxy/ingress/', 'mcp/'])}|^server/proxy/[^/]+$`;
const ADAPTERS = under([
  'graphql/',
  'observability/',
  'health/',
  'scaleout/',
  'auth/',
  'catalog/',
  'config-as-code/',
  'config-service/',
  'models-import/',
  'telemetry/',
  'alerts/',
  'audit/',
  'sso/',
]);
const ROOT = under(['app.ts', 'services.ts', 'main.ts', 'proxy-plugins.ts']);

const any = (...layers) => layers.map((l) => `(${l})`).join('|');
const ABOVE_INFRA = any(STATE, POLICIES, PROXY_PARTS, PIPELINE, PLUGINS, INGRESS, ADAPTERS, ROOT);
const ABOVE_STATE = any(POLICIES, PROXY_PARTS, PIPELINE, PLUGINS, INGRESS, ADAPTERS, ROOT);
const ABOVE_POLICIES = any(PROXY_PARTS, PIPELINE, PLUGINS, INGRESS, ADAPTERS, ROOT);
const ABOVE_PROXY_PARTS = any(PIPELINE, PLUGINS, INGRESS, ADAPTERS, ROOT);
const ABOVE_PIPELINE = any(PLUGINS, INGRESS, ADAPTERS, ROOT);
const ABOVE_PLUGINS = any(INGRESS, ADAPTERS, ROOT);
const ABOVE_INGRESS = any(ADAPTERS, ROOT);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A module cycle (type-only imports included) makes load order matter and layers meaningless.',
      from: { path: '^server/' },
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment: 'Folders depend on each other one way: a folder cycle means two concepts that cannot be read apart.',
      scope: 'folder',
      from: { path: '^server/' },
      to: { circular: true },
    },
    {
      name: 'core-imports-nothing',
      severity: 'error',
      comment: 'server/core/ is the canonical model every format meets in: plain types and pure functions, no packages, no Node.js modules.',
      from: { path: CORE },
      to: { pathNot: CORE },
    },
    {
      name: 'infra-not-upward',
      severity: 'error',
      comment: 'Infrastructure (config, crypto, secrets, db, redis, http, logger, events) knows no snapshot, policy, proxy or adapter.',
      from: { path: INFRA },
      to: { path: ABOVE_INFRA },
    },
    {
      name: 'state-not-upward',
      severity: 'error',
      comment: 'The snapshot and settings hold data (prompt rules compiled as they load); the policies that interpret it sit above them.',
      from: { path: STATE },
      to: { path: ABOVE_STATE },
    },
    {
      name: 'policies-not-upward',
      severity: 'error',
      comment: 'Routing, keys, limits and retention decide on canonical values and stored data; they never reach into the proxy or an adapter.',
      from: { path: POLICIES },
      to: { path: ABOVE_POLICIES },
    },
    {
      name: 'proxy-parts-not-upward',
      severity: 'error',
      comment: 'Formats, upstream HTTP and provider presets are building blocks the pipeline composes; they never call it.',
      from: { path: PROXY_PARTS },
      to: { path: ABOVE_PROXY_PARTS },
    },
    {
      name: 'pipeline-not-upward',
      severity: 'error',
      comment: 'The pipeline runs one request through whatever plugins it is given; it knows the hooks, never a plugin, the /v1 handlers or an adapter.',
      from: { path: PIPELINE },
      to: { path: ABOVE_PIPELINE },
    },
    {
      name: 'plugins-not-upward',
      severity: 'error',
      comment:
        'A plugin implements pipeline hooks (the composition root lists them in proxy-plugins.ts); it never calls the /v1 handlers, an adapter or the root.',
      from: { path: PLUGINS },
      to: { path: ABOVE_PLUGINS },
    },
    {
      name: 'ingress-not-upward',
      severity: 'error',
      comment: 'The /v1 handlers know the pipeline, not the admin API, observability or the composition root.',
      from: { path: INGRESS },
      to: { path: ABOVE_INGRESS },
    },
    {
      name: 'nothing-imports-root',
      severity: 'error',
      comment: 'app.ts, services.ts, main.ts and proxy-plugins.ts wire everything together; a module that imports them depends on all of it.',
      from: { path: '^server/', pathNot: ROOT },
      to: { path: ROOT },
    },
    {
      name: 'layer-unassigned',
      severity: 'error',
      comment: 'Every server module belongs to a layer: add a new folder to one in .dependency-cruiser.cjs.',
      from: { path: '^server/', pathNot: any(CORE, INFRA, STATE, POLICIES, PROXY_PARTS, PIPELINE, PLUGINS, INGRESS, ADAPTERS, ROOT) },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      from: { path: '^server/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Generated Prisma clients and Pothos types: large, and nothing in them is ours to check.
    exclude: { path: '^server/db/generated/' },
    // Type-only imports count: a type cycle still ties two modules together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      // Subpath imports such as `graphql-ws/use/ws` resolve through the package's `exports`.
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      exportsFields: ['exports'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
