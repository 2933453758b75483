import { readFileSync, writeFileSync } from 'node:fs';
import 'dotenv/config';
import { ConfigError, loadConfig } from '../config/env.js';
import { resolveInstanceSecrets } from '../config/instance-secrets.js';
import { SecretBox } from '../crypto/secret-box.js';
import { openDatabase } from '../db/client.js';
import { dbTarget } from '../db/target.js';
import { applyPendingMigrations } from '../db/migrate.js';
import { SettingsStore } from '../settings/store.js';
import { importConfig } from './importers/index.js';
import { applyConfig, ConfigFileError, exportConfig, formatPlan, planConfig, type ConfigAsCodeDeps, type Plan } from './index.js';

const USAGE = `Usage:
  llm-gateway config export [FILE]                 write the configuration (stdout without FILE)
  llm-gateway config diff [--prune] FILE           print what apply would create, change and delete
  llm-gateway config apply [--dry-run] [--prune] FILE
  llm-gateway config import --from litellm|new-api|one-api FILE   print a gateway file made from another gateway's configuration

Where it runs:
  --url URL --token TOKEN   a running gateway over GraphQL (or GATEWAY_URL / GATEWAY_TOKEN; an admin's token)
  otherwise                 the configured database directly (DB_PATH or DATABASE_URL, ENCRYPTION_KEY, as the gateway reads them)
`;

interface Args {
  command?: string;
  file?: string;
  prune: boolean;
  dryRun: boolean;
  from?: string;
  url?: string;
  token?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { prune: false, dryRun: false, url: process.env.GATEWAY_URL, token: process.env.GATEWAY_TOKEN };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--prune') args.prune = true;
    else if (a === '--dry-run') args.dryRun = true;
    else if (a === '--from') args.from = argv[++i];
    else if (a === '--url') args.url = argv[++i];
    else if (a === '--token') args.token = argv[++i];
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else rest.push(a);
  }
  if (rest[0] !== 'config') throw new UsageError(rest[0] ? `unknown command ${rest[0]}` : 'no command');
  args.command = rest[1];
  args.file = rest[2];
  return args;
}

class UsageError extends Error {}

/** What the commands need, wherever they run. */
interface Backend {
  export(): Promise<{ yaml: string; suggestedVariables: string[] }>;
  plan(yaml: string, prune: boolean): Promise<{ text: string; changes: number }>;
  apply(yaml: string, prune: boolean, dryRun: boolean): Promise<{ text: string; createdKeys: Array<{ name: string; key: string }> }>;
  close(): Promise<void>;
}

async function databaseBackend(): Promise<Backend> {
  const config = loadConfig(process.env);
  const target = dbTarget(config);
  await applyPendingMigrations(target);
  const db = await openDatabase(target);
  const settings = new SettingsStore(db);
  await settings.load();
  const deps: ConfigAsCodeDeps = {
    db,
    secretBox: new SecretBox(resolveInstanceSecrets(config).encryptionKey),
    env: process.env,
    monitoringEnabled: () => settings.read().monitoringEnabled,
    setMonitoringEnabled: async () => {
      throw new ConfigFileError(['settings.monitoringEnabled: switching monitoring needs a running gateway (use --url)']);
    },
    // Gateways running on this database pick the change up on restart, or at once when applied through --url.
    configChanged: async () => {},
  };
  const text = (plan: Plan, prune: boolean) => formatPlan(plan, prune);
  return {
    export: () => exportConfig(deps),
    plan: async (yaml, prune) => {
      const plan = await planConfig(deps, yaml, { prune });
      return { text: text(plan, prune), changes: plan.changes.length };
    },
    apply: async (yaml, prune, dryRun) => {
      const result = await applyConfig(deps, yaml, { prune, dryRun });
      return { text: text(result.plan, prune), createdKeys: result.createdKeys };
    },
    close: () => db.$disconnect(),
  };
}

function graphqlBackend(url: string, token: string): Backend {
  const call = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const res = await fetch(`${url.replace(/\/+$/, '')}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: Array<{ message: string }> };
    if (body.errors?.length) throw new ConfigFileError(body.errors.map((e) => e.message));
    if (!body.data) throw new Error(`${url}/graphql answered ${res.status}`);
    return body.data;
  };
  return {
    export: async () => (await call<{ exportConfig: Awaited<ReturnType<Backend['export']>> }>('{ exportConfig { yaml suggestedVariables } }', {})).exportConfig,
    plan: async (yaml, prune) => {
      const plan = (
        await call<{ planConfig: { text: string; changes: unknown[] } }>(
          'query($y: String!, $p: Boolean){ planConfig(yaml: $y, prune: $p){ text changes { name } } }',
          { y: yaml, p: prune },
        )
      ).planConfig;
      return { text: plan.text, changes: plan.changes.length };
    },
    apply: async (yaml, prune, dryRun) => {
      const result = (
        await call<{ applyConfig: { plan: { text: string }; createdKeys: Array<{ name: string; key: string }> } }>(
          'mutation($y: String!, $p: Boolean, $d: Boolean){ applyConfig(yaml: $y, prune: $p, dryRun: $d){ plan { text } createdKeys { name key } } }',
          {
            y: yaml,
            p: prune,
            d: dryRun,
          },
        )
      ).applyConfig;
      return { text: result.plan.text, createdKeys: result.createdKeys };
    },
    close: async () => {},
  };
}

const readInput = (file: string | undefined) => {
  if (!file) throw new UsageError('FILE is required');
  return readFileSync(file === '-' ? 0 : file, 'utf8');
};

/** Runs one command; returns the exit code (0 ok, 1 refused or failed, 2 usage). */
export async function main(argv: string[], out = process.stdout, err = process.stderr): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
    if (args.command === 'import') {
      if (args.from !== 'litellm' && args.from !== 'new-api' && args.from !== 'one-api') throw new UsageError('--from must be litellm, new-api or one-api');
      const result = importConfig(args.from, readInput(args.file));
      out.write(result.yaml);
      if (result.unmapped.length) err.write(`Not mapped (${result.unmapped.length}):\n${result.unmapped.map((u) => `  - ${u}`).join('\n')}\n`);
      return 0;
    }
    if (!['export', 'diff', 'apply'].includes(args.command ?? ''))
      throw new UsageError(args.command ? `unknown config command ${args.command}` : 'config needs a command');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  let backend: Backend | undefined;
  try {
    if (args.url && !args.token) throw new UsageError('--url needs --token (or GATEWAY_TOKEN)');
    backend = args.url ? graphqlBackend(args.url, args.token!) : await databaseBackend();
    switch (args.command) {
      case 'export': {
        const exported = await backend.export();
        if (args.file && args.file !== '-') writeFileSync(args.file, exported.yaml);
        else out.write(exported.yaml);
        if (exported.suggestedVariables.length) {
          err.write(`Set these environment variables before applying the file elsewhere: ${exported.suggestedVariables.join(', ')}\n`);
        }
        return 0;
      }
      case 'diff': {
        const plan = await backend.plan(readInput(args.file), args.prune);
        out.write(plan.text);
        return 0;
      }
      case 'apply': {
        const result = await backend.apply(readInput(args.file), args.prune, args.dryRun);
        out.write(args.dryRun ? `Dry run, nothing written:\n${result.text}` : result.text);
        for (const k of result.createdKeys) err.write(`New virtual key "${k.name}" (shown once): ${k.key}\n`);
        return 0;
      }
      case undefined:
      default:
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigFileError) {
      err.write(`The configuration was not applied:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 1;
    }
    if (error instanceof ConfigError) {
      err.write(`${error.message}\n`);
      return 1;
    }
    err.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await backend?.close();
  }
}
