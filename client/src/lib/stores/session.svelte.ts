import { goto } from '$app/navigation';
import type { Client } from '@urql/core';
import { createGatewayClient, type GatewayClient } from '$lib/graphql/client';
import type { Role } from '$lib/graphql/generated/graphql';

const TOKEN_KEY = 'gateway.token';

export interface CurrentUser {
  id: string;
  email: string;
  role: Role;
  /** The UI language kept on the user (null: the browser's). */
  language?: string | null;
}

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** The signed-in admin: JWT (kept in localStorage), profile, and the API client bound to that token. */
class Session {
  token = $state<string | null>(readToken());
  user = $state<CurrentUser | null>(null);
  /** Viewers see every page read-only; only admins get mutating controls. */
  readonly isAdmin = $derived(this.user?.role === 'admin');
  /** Admins manage every key; a team admin manages its own team's keys (the API keeps them in the team). */
  readonly canManageKeys = $derived(this.user?.role === 'admin' || this.user?.role === 'team_admin');

  #client: GatewayClient | null = null;
  #clientToken: string | null = null;

  get client(): Client {
    if (!this.#client || this.#clientToken !== this.token) {
      this.#client?.dispose();
      this.#clientToken = this.token;
      this.#client = createGatewayClient({ token: this.token, onUnauthenticated: () => this.expire() });
    }
    return this.#client.urql;
  }

  signIn(token: string) {
    localStorage.setItem(TOKEN_KEY, token);
    this.token = token;
    this.user = null;
  }

  signOut(next?: string) {
    localStorage.removeItem(TOKEN_KEY);
    this.token = null;
    this.user = null;
    this.#client?.dispose();
    this.#client = null;
    void goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  }

  /** The user logs out: the server revokes every token of theirs (all devices), then this one is dropped. */
  async logOut() {
    if (this.token) {
      // Best effort: a gateway that cannot be reached must not keep the user signed in here.
      await this.client
        .mutation('mutation Logout { logout }', {})
        .toPromise()
        .catch(() => undefined);
    }
    this.signOut();
  }

  /** The server rejected the token: start over at the login page, then come back here. */
  expire() {
    if (!this.token) return;
    this.signOut(location.pathname === '/login' ? undefined : location.pathname + location.search);
  }
}

export const session = new Session();
