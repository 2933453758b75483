import { SignJWT, jwtVerify } from 'jose';

export type Role = 'admin' | 'team_admin' | 'viewer';

export function isRole(value: unknown): value is Role {
  return value === 'admin' || value === 'team_admin' || value === 'viewer';
}

export interface AdminClaims {
  userId: string;
  email: string;
  role: Role;
  /** The user's token version when the token was issued (see User.tokenVersion). */
  tokenVersion: number;
  /** The user's team, read from the database per operation (never from the token). */
  teamId?: string | null;
}

/**
 * HS256 admin tokens. Every token carries `exp`, `iat` and the user's token
 * version (`ver`); a token without them is refused, and bumping the version
 * (logout, password change, deletion) revokes every token issued before.
 * The secret is never logged or returned.
 */
export class TokenIssuer {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly expiresIn: string,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(claims: AdminClaims): Promise<string> {
    return new SignJWT({ email: claims.email, role: claims.role, ver: claims.tokenVersion })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setIssuedAt()
      .setIssuer('llm-gateway')
      .setExpirationTime(this.expiresIn)
      .sign(this.key);
  }

  /** Returns the claims, or null for any invalid, expired, foreign or incomplete token. */
  async verify(token: string): Promise<AdminClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: 'llm-gateway',
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      const { role, ver } = payload;
      if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || !isRole(role)) return null;
      if (typeof ver !== 'number' || !Number.isInteger(ver)) return null;
      return { userId: payload.sub, email: payload.email, role, tokenVersion: ver };
    } catch {
      return null;
    }
  }
}

/** Extracts the token from `Authorization: Bearer <token>`. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : null;
}
