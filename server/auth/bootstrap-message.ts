import type { Logger } from 'pino';

/** Prints the first admin's login once; a generated password is shown here and nowhere else. */
export function bootstrapAdminLogLine(logger: Logger, admin: { email?: string; generatedPassword?: string }): void {
  if (admin.generatedPassword) {
    const banner = [
      '',
      '  Admin account created.',
      `    email:    ${admin.email}`,
      `    password: ${admin.generatedPassword}`,
      '  This password is shown only once. Change it after logging in, or set ADMIN_EMAIL / ADMIN_PASSWORD.',
      '',
    ].join('\n');
    process.stdout.write(banner + '\n');
    logger.info({ email: admin.email }, 'admin account created with a generated password (printed above)');
  } else {
    logger.info({ email: admin.email }, 'admin account created from ADMIN_EMAIL / ADMIN_PASSWORD');
  }
}
