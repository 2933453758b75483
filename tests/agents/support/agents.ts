/**
 * Runs the real coding agents headless: Codex CLI (`codex exec`) with a `wire_api = "responses"`
 * provider, Claude Code (`claude -p … --output-format json`) with ANTHROPIC_BASE_URL, as the
 * README's "Coding agents" section configures them. Each agent gets a
 * clean environment: a fresh HOME (and CODEX_HOME) and working folder, no inherited variables
 * but PATH, no telemetry, no update checks, few retries and a hard timeout.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
// @ts-expect-error plain ESM script without type declarations
import { ensureTestAgents } from '../../../scripts/ensure-test-agents.mjs';

export type AgentName = 'codex' | 'claude';

export interface AgentResult {
  exitCode: number | null;
  /** Killed by the timeout. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The agent's final answer: Codex's `-o` file, Claude Code's JSON `result`. */
  answer: string;
  /** Claude Code's JSON output (`session_id`, `is_error`, …). */
  json?: Record<string, any>;
}

let bins: { codex: string; claude: string } | undefined;
/** Installs the pinned agents on first use (a no-op once the cache folder exists). */
export function agentBins(): { codex: string; claude: string } {
  bins ??= ensureTestAgents() as { codex: string; claude: string };
  return bins;
}

/**
 * A home for one agent session. Codex refuses to place helper binaries under /tmp, so
 * homes live in the user's cache folder; removed by `dispose`.
 */
export class AgentHome {
  readonly dir: string;
  readonly workdir: string;

  constructor() {
    const root = path.join(homedir(), '.cache', 'llm-gateway-test-agents', 'homes');
    mkdirSync(root, { recursive: true });
    this.dir = mkdtempSync(path.join(root, 'home-'));
    this.workdir = path.join(this.dir, 'work');
    mkdirSync(this.workdir);
  }

  get codexHome(): string {
    return path.join(this.dir, 'codex');
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function run(bin: string, args: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<Omit<AgentResult, 'answer'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    // The agents start helper processes: on timeout end the whole group this run started.
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, timedOut, stdout, stderr });
    });
  });
}

const baseEnv = (home: AgentHome): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home.dir,
  TERM: 'dumb',
  LANG: 'C.UTF-8',
  NO_COLOR: '1',
});

export interface CodexRun {
  /** `{gateway}/v1`. */
  baseUrl: string;
  apiKey: string;
  model: string;
  prompt: string;
  /** Continue the last session of this home (`codex exec resume --last`); sessions are then kept. */
  resume?: boolean;
  /** Keep the session on disk so a later `resume` finds it (default: `--ephemeral`). */
  persist?: boolean;
  /** More `codex exec` options, e.g. `--output-schema <file>`. */
  extraArgs?: string[];
  timeoutMs?: number;
}

function writeCodexConfig(home: AgentHome, run: CodexRun): void {
  mkdirSync(home.codexHome, { recursive: true });
  writeFileSync(
    path.join(home.codexHome, 'config.toml'),
    [
      `model = "${run.model}"`,
      'model_provider = "gw"',
      'check_for_update_on_startup = false',
      '[analytics]',
      'enabled = false',
      '[features]',
      'plugins = false',
      'unbounded_connection_retries = false',
      '[model_providers.gw]',
      'name = "gateway"',
      `base_url = "${run.baseUrl}"`,
      'env_key = "GW_KEY"',
      'wire_api = "responses"',
      'request_max_retries = 1',
      'stream_max_retries = 1',
      '',
    ].join('\n'),
  );
}

/** `codex exec` (or `codex exec resume --last`) through a provider with `wire_api = "responses"`. */
export async function runCodex(home: AgentHome, options: CodexRun): Promise<AgentResult> {
  writeCodexConfig(home, options);
  const last = path.join(home.dir, `last-message-${Date.now()}.txt`);
  const common = ['--skip-git-repo-check', '--strict-config', '-m', options.model, '-o', last, ...(options.extraArgs ?? [])];
  // The shell tool must really run: no sandbox (the namespace sandbox needs privileges a container may lack).
  const sandbox = ['--dangerously-bypass-approvals-and-sandbox'];
  const ephemeral = options.persist || options.resume ? [] : ['--ephemeral'];
  const args = options.resume
    ? ['exec', 'resume', '--last', ...common, ...sandbox, options.prompt]
    : ['exec', ...ephemeral, '--color', 'never', ...common, ...sandbox, options.prompt];
  const env = { ...baseEnv(home), CODEX_HOME: home.codexHome, GW_KEY: options.apiKey };
  const result = await run(agentBins().codex, args, env, home.workdir, options.timeoutMs ?? 60_000);
  const answer = existsSync(last) ? readFileSync(last, 'utf8').trim() : '';
  return { ...result, answer };
}

export interface ClaudeRun {
  /** The gateway's URL, without /v1. */
  baseUrl: string;
  apiKey: string;
  model: string;
  prompt: string;
  /** Resume this session (`--resume <id>`); sessions are then kept. */
  resume?: string;
  /** Keep the session on disk so a later `resume` finds it (default: `--no-session-persistence`). */
  persist?: boolean;
  /** `--allowedTools`, e.g. `Bash(echo:*)`. */
  allowedTools?: string;
  /** More `claude` options, e.g. `--json-schema <schema>`. */
  extraArgs?: string[];
  timeoutMs?: number;
}

/** `claude -p … --output-format json` with the gateway as ANTHROPIC_BASE_URL. */
export async function runClaude(home: AgentHome, options: ClaudeRun): Promise<AgentResult> {
  const env = {
    ...baseEnv(home),
    ANTHROPIC_BASE_URL: options.baseUrl,
    ANTHROPIC_API_KEY: options.apiKey,
    ANTHROPIC_MODEL: options.model,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: options.model,
    ANTHROPIC_SMALL_FAST_MODEL: options.model,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK: '1',
    CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP: '1',
    CLAUDE_CODE_MAX_RETRIES: '1',
    API_TIMEOUT_MS: '30000',
  };
  const args = ['-p', options.prompt, '--output-format', 'json', '--model', options.model];
  if (options.resume) args.push('--resume', options.resume);
  else if (!options.persist) args.push('--no-session-persistence');
  if (options.allowedTools) args.push('--allowedTools', options.allowedTools);
  if (options.extraArgs) args.push(...options.extraArgs);
  const result = await run(agentBins().claude, args, env, home.workdir, options.timeoutMs ?? 60_000);
  let json: Record<string, any> | undefined;
  try {
    json = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '');
  } catch {
    json = undefined;
  }
  return { ...result, json, answer: typeof json?.result === 'string' ? json.result : '' };
}

/** A short description of a run for assertion messages. */
export function describeRun(result: AgentResult): string {
  return JSON.stringify(
    { exitCode: result.exitCode, timedOut: result.timedOut, answer: result.answer, stdout: result.stdout.slice(-1500), stderr: result.stderr.slice(-1500) },
    null,
    1,
  );
}
