/**
 * A stored Responses answer, kept so a later request can continue it with
 * `previous_response_id`.
 */
export interface StoredResponse {
  /** The response id the client was given. */
  id: string;
  /** The virtual key that created it: only that key may continue it (as OpenAI scopes stored responses to their owner). */
  keyId: string;
  /**
   * The whole conversation up to and including this response: the input items
   * it was answered from (earlier turns already expanded) followed by its output
   * items. A follow-up's input is appended to these.
   */
  items: unknown[];
  /**
   * Set when a Responses upstream answered with storing on and so keeps the
   * response under the same id itself: a follow-up routed to that provider
   * passes the id through instead of resending the conversation.
   */
  storedByProvider?: string;
}

/** Where stored responses live (memory, Redis): bounded and expiring. */
export interface ResponseStoreBackend {
  get(id: string): Promise<StoredResponse | undefined>;
  /** Keeps the entry (its serialized form, `json`, is what counts against the size bound). */
  put(entry: StoredResponse, json: string): Promise<void>;
  close(): Promise<void>;
}

export interface ResponseStoreLimits {
  /** How long an entry is kept after it was stored. */
  ttlMs: number;
  /** Most entries kept; the least recently used go first. */
  maxEntries: number;
  /** Most bytes kept in memory (serialized entries); an entry larger than this is not kept. */
  maxBytes: number;
}
