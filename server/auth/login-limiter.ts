import { RateLimiterMemory } from 'rate-limiter-flexible';

/**
 * Brute-force guard for `login`: per client IP and per email. Failed attempts
 * consume points; a success clears the email counter.
 */
export class LoginLimiter {
  private readonly byIp = new RateLimiterMemory({ keyPrefix: 'login-ip', points: 20, duration: 60 });
  private readonly byEmail = new RateLimiterMemory({ keyPrefix: 'login-email', points: 5, duration: 15 * 60 });

  /** Seconds to wait when blocked, else 0. Checks without consuming. */
  async blockedFor(ip: string, email: string): Promise<number> {
    const [a, b] = await Promise.all([this.byIp.get(ip), this.byEmail.get(email.toLowerCase())]);
    const waits = [a, b]
      .filter((r) => r !== null && r.remainingPoints <= 0)
      .map((r) => Math.ceil(r!.msBeforeNext / 1000));
    return waits.length ? Math.max(...waits) : 0;
  }

  async recordFailure(ip: string, email: string): Promise<void> {
    await Promise.all([
      this.byIp.penalty(ip, 1),
      this.byEmail.penalty(email.toLowerCase(), 1),
    ]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.byEmail.delete(email.toLowerCase());
  }
}
