// Installs the coding agents the agent suite drives (tests/agents/cli: pinned Codex CLI and
// Claude Code) into a cache folder outside the repository, keyed by the lock file's hash, so
// the main install stays small and a clean clone gets exactly the locked versions.
// `npm ci` runs only when that folder is missing; concurrent runs wait for one installer (a lock
// file next to the folder), which installs into a private folder and renames it into place.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifestDir = path.join(root, 'tests/agents/cli');

/** Where the agents of this lock file live: `<cache>/<hash of package.json + package-lock.json>`. */
export function testAgentsDir() {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) hash.update(readFileSync(path.join(manifestDir, file)));
  const cache = process.env.TEST_AGENTS_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'llm-gateway-test-agents');
  return path.join(cache, hash.digest('hex').slice(0, 16));
}

/** The agents' executables (native binaries; they do not need Node 22 despite the packages' engines field). */
export function testAgentBins(dir = testAgentsDir()) {
  return { codex: path.join(dir, 'node_modules/.bin/codex'), claude: path.join(dir, 'node_modules/.bin/claude') };
}

function installed(dir) {
  return Object.values(testAgentBins(dir)).every((bin) => existsSync(bin)) && existsSync(path.join(dir, '.complete'));
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** One installer at a time per lock file (test workers start together); a dead installer's lock is taken over. */
function withInstallLock(dir, run) {
  const lock = `${dir}.lock`;
  mkdirSync(path.dirname(dir), { recursive: true });
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const owner = Number(readFileSync(lock, 'utf8')) || 0;
      if (owner && !alive(owner)) rmSync(lock, { force: true });
      else sleep(500);
    }
  }
  try {
    return run();
  } finally {
    rmSync(lock, { force: true });
  }
}

export function ensureTestAgents({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const dir = testAgentsDir();
  if (installed(dir)) return testAgentBins(dir);
  return withInstallLock(dir, () => (installed(dir) ? testAgentBins(dir) : install(dir, log)));
}

function install(dir, log) {
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(path.join(manifestDir, file), path.join(staging, file));
  log(`Installing the coding agents for the agent tests into ${dir} (npm ci, about 800 MB, once per lock file)…`);
  try {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict=false'], {
      cwd: staging,
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 15 * 60_000,
    });
    for (const bin of Object.values(testAgentBins(staging))) {
      if (!existsSync(bin)) throw new Error(`npm ci finished but ${bin} is missing`);
    }
    writeFileSync(path.join(staging, '.complete'), '');
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another run installed the same lock file first: keep theirs.
      if (!installed(dir)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return testAgentBins(dir);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bins = ensureTestAgents();
  process.stdout.write(`Test agents ready: ${bins.codex}, ${bins.claude}\n`);
}
