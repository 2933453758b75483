import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import type { ConfigChange } from './change.js';

/** What each entity module of the service is given: storage, the secret box, and the after-change step. */
export interface EntityDeps {
  db: Db;
  secretBox: SecretBox;
  /** The after-change step; every write calls it once it succeeded. */
  changed(changes: readonly ConfigChange[]): Promise<void>;
}
