import { SignJWT, jwtVerify } from 'jose';

export type Role = 'admin' | 'viewer';

export interface AdminClaims {
  userId: string;
  email: string;
  role: Role;
}

/** HS256 admin tokens. The secret is never logged or returned. */
export class TokenIssuer {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly expiresIn: string,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(claims: AdminClaims): Promise<string> {
    return new SignJWT({ email: claims.email, role: claims.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.userId)
      .setIssuedAt()
      .setIssuer('llm-gateway')
      .setExpirationTime(this.expiresIn)
      .sign(this.key);
  }

  /** Returns the claims, or null for any invalid, expired or foreign token. */
  async verify(token: string): Promise<AdminClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: 'llm-gateway' });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || (role !== 'admin' && role !== 'viewer')) {
        return null;
      }
      return { userId: payload.sub, email: payload.email, role };
    } catch {
      return null;
    }
  }
}

/** Extracts the token from `Authorization: Bearer <token>`. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1]! : null;
}
