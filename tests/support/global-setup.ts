// Runs once before all suites. Kept small: suites start their own servers.
export default function setup(): void {
  process.env.LOG_LEVEL ??= 'silent';
}
