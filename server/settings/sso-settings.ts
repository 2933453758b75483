/** A group of the identity provider and the role (or team) its members get. */
export interface GroupRole {
  group: string;
  role: string;
}
export interface GroupTeam {
  group: string;
  teamId: string;
}

/** Single sign-on through OpenID Connect, as stored in the `sso` setting (server/sso reads it). */
export interface StoredSsoSettings {
  enabled: boolean;
  issuerUrl: string;
  clientId: string;
  /** The client secret sealed with the instance SecretBox, like provider keys; null for a public client. */
  clientSecretSealed: string | null;
  clientSecretHint: string | null;
  /** Where the provider sends the browser back: <public URL>/auth/sso/callback. */
  redirectUrl: string;
  scopes: string[];
  /** The ID token (or userinfo) claim that lists the user's groups. */
  groupClaim: string;
  groupRoles: GroupRole[];
  groupTeams: GroupTeam[];
  /** The role of a user none of whose groups is mapped. */
  defaultRole: string;
  /** Refuse email + password sign-in (SSO only). */
  passwordLoginDisabled: boolean;
}
