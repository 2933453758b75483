import { spliceBytes, topLevelStringMember, type ByteRange } from '../../http/json-member.js';
import type { ModelEntry } from '../../snapshot/types.js';
import type { UpstreamWire } from '../../core/wire.js';
import type { UpstreamOperation } from '../providers/endpoints.js';

/**
 * The request one attempt sends upstream, as one value that plugins transform
 * in order (plugin.ts#onPrepareUpstream). On a same-format passthrough the body
 * is the client's own JSON and its bytes go out untouched until a plugin calls
 * `edit()` — which copies the body once — so unknown and future fields survive
 * and an unchanged request costs no re-serialization. Renaming the model (the
 * usual change) is done in the bytes too.
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
  /** A model renamed in the client's bytes: where its value is and what it becomes. */
  private renamed: { range: ByteRange; model: string } | undefined;

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
      this.renamed = undefined; // already in the copied body
    }
    return this.json;
  }

  /** Sets the body's model; on the client's bytes by replacing just that string when it can be found exactly. */
  renameModel(model: string): void {
    const range = this.raw && typeof this.json.model === 'string' ? topLevelStringMember(this.raw, 'model') : undefined;
    if (!this.raw || !range || JSON.parse(this.raw.subarray(range.start, range.end).toString('utf8')) !== this.json.model) {
      this.edit().model = model;
      return;
    }
    this.json = { ...this.json, model };
    this.renamed = { range, model };
  }

  /** Replaces the whole body (e.g. a relay reshaping it). */
  replace(body: Record<string, unknown>): void {
    this.json = body;
    this.raw = undefined;
    this.renamed = undefined;
  }

  /** The bytes to send. */
  bytes(): string | Buffer {
    if (!this.raw) return JSON.stringify(this.json);
    return this.renamed ? spliceBytes(this.raw, this.renamed.range, JSON.stringify(this.renamed.model)) : this.raw;
  }
}
