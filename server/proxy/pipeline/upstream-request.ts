import type { ModelEntry } from '../../snapshot/types.js';
import type { UpstreamWire } from '../../core/wire.js';
import type { UpstreamOperation } from '../providers/endpoints.js';

/**
 * The request one attempt sends upstream, as one value that plugins transform
 * in order (plugin.ts#onPrepareUpstream). On a same-format passthrough the body
 * is the client's own JSON and its bytes go out untouched until a plugin calls
 * `edit()` — which copies the body once — so unknown and future fields survive
 * and an unchanged request costs no re-serialization.
 */
export class UpstreamRequest {
  /** Headers added to the call (protocol headers, request defaults); the provider's auth is added when sending. */
  readonly headers: Record<string, string> = {};
  /** What the translation could not carry (tools, fields, items dropped); empty for a passthrough. */
  readonly warnings: string[];
  /** Text the gateway injected (e.g. relay instructions), for the injected-tokens count. */
  injected = '';
  /** The upstream answers as a stream (the client asked for one, or a plugin needs one). */
  expectStream: boolean;
  /** A plugin changes the answer's content: encode it from canonical events even on a passthrough. */
  translateAnswer = false;
  private json: Record<string, unknown>;
  private raw: Buffer | undefined;

  constructor(
    readonly model: ModelEntry,
    readonly wire: UpstreamWire,
    public op: UpstreamOperation,
    /** True when the client's own body (same wire format) goes upstream. */
    readonly passthrough: boolean,
    body: Record<string, unknown>,
    /** The client's bytes for `body`, sent as they are while nobody edits it; absent for an encoded body. */
    raw: Buffer | undefined,
    expectStream: boolean,
    warnings: string[] = [],
  ) {
    this.json = body;
    this.raw = raw;
    this.expectStream = expectStream;
    this.warnings = warnings;
  }

  /** The body as it stands (read only; call edit() to change it). */
  get body(): Readonly<Record<string, unknown>> {
    return this.json;
  }

  /** The body to change: the client's body is copied on the first edit, so the client's own object stays as sent. */
  edit(): Record<string, unknown> {
    if (this.raw) {
      this.json = { ...this.json };
      this.raw = undefined;
    }
    return this.json;
  }

  /** Replaces the whole body (e.g. a relay reshaping it). */
  replace(body: Record<string, unknown>): void {
    this.json = body;
    this.raw = undefined;
  }

  /** The bytes to send. */
  bytes(): string | Buffer {
    return this.raw ?? JSON.stringify(this.json);
  }
}
