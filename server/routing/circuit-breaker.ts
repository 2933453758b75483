import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface BreakerSettings {
  failureThreshold: number;
  failureWindowMs: number;
  cooldownMs: number;
}

interface Circuit {
  state: CircuitState;
  failures: number[];
  cooldownUntil: number;
  trialInFlight: boolean;
}

export interface CircuitChange {
  targetId: string;
  state: CircuitState;
  cooldownUntil: number | null;
}

/**
 * One circuit per upstream model: N failures within the window open it for the
 * cool-down; then it half-opens and lets exactly one trial request through;
 * the trial's outcome closes or re-opens it.
 */
export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly onChange: (change: CircuitChange) => void = () => {},
  ) {}

  state(targetId: string): { state: CircuitState; cooldownUntil: number | null } {
    const circuit = this.circuits.get(targetId);
    if (!circuit) return { state: 'closed', cooldownUntil: null };
    const state = circuit.state === 'open' && this.clock.now() >= circuit.cooldownUntil ? 'half_open' : circuit.state;
    return { state, cooldownUntil: state === 'open' ? circuit.cooldownUntil : null };
  }

  /** May a request go to this target now? Claims the half-open trial slot when it does. */
  tryAcquire(targetId: string): boolean {
    const circuit = this.circuits.get(targetId);
    if (!circuit || circuit.state === 'closed') return true;
    if (circuit.state === 'open') {
      if (this.clock.now() < circuit.cooldownUntil) return false;
      this.set(targetId, circuit, 'half_open');
    }
    if (circuit.trialInFlight) return false;
    circuit.trialInFlight = true;
    return true;
  }

  /** Whether the target would be tried, without claiming anything (for ordering). */
  isAvailable(targetId: string): boolean {
    const circuit = this.circuits.get(targetId);
    if (!circuit || circuit.state === 'closed') return true;
    if (circuit.state === 'open') return this.clock.now() >= circuit.cooldownUntil;
    return !circuit.trialInFlight;
  }

  success(targetId: string): void {
    const circuit = this.circuits.get(targetId);
    if (!circuit) return;
    circuit.failures = [];
    circuit.trialInFlight = false;
    if (circuit.state !== 'closed') this.set(targetId, circuit, 'closed');
  }

  failure(targetId: string, settings: BreakerSettings): void {
    const now = this.clock.now();
    let circuit = this.circuits.get(targetId);
    if (!circuit) {
      circuit = { state: 'closed', failures: [], cooldownUntil: 0, trialInFlight: false };
      this.circuits.set(targetId, circuit);
    }
    circuit.trialInFlight = false;
    if (circuit.state === 'half_open') return this.open(targetId, circuit, now, settings);
    circuit.failures = circuit.failures.filter((t) => now - t < settings.failureWindowMs);
    circuit.failures.push(now);
    if (circuit.state === 'closed' && circuit.failures.length >= settings.failureThreshold) this.open(targetId, circuit, now, settings);
  }

  /**
   * Opens the circuit until an exact instant decided elsewhere (another instance's
   * breaker), so every instance holds the same end. An instant already past, or a
   * circuit already open until then or later, changes nothing. The half-open trial
   * that follows runs on this instance's own clock.
   */
  forceOpen(targetId: string, until: number): void {
    if (until <= this.clock.now()) return;
    let circuit = this.circuits.get(targetId);
    if (!circuit) {
      circuit = { state: 'closed', failures: [], cooldownUntil: 0, trialInFlight: false };
      this.circuits.set(targetId, circuit);
    }
    if (circuit.state === 'open' && circuit.cooldownUntil >= until) return;
    circuit.trialInFlight = false;
    circuit.failures = [];
    circuit.cooldownUntil = until;
    this.set(targetId, circuit, 'open');
  }

  /** Releases a claimed trial slot without a verdict (e.g. the client went away). */
  release(targetId: string): void {
    const circuit = this.circuits.get(targetId);
    if (circuit) circuit.trialInFlight = false;
  }

  private open(targetId: string, circuit: Circuit, now: number, settings: BreakerSettings): void {
    circuit.cooldownUntil = now + settings.cooldownMs;
    circuit.failures = [];
    this.set(targetId, circuit, 'open');
  }

  private set(targetId: string, circuit: Circuit, state: CircuitState): void {
    circuit.state = state;
    this.onChange({ targetId, state, cooldownUntil: state === 'open' ? circuit.cooldownUntil : null });
  }
}
