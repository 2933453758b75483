/**
 * Prices of the endpoints that are not billed per token, in USD. A model holds
 * only the ones that apply to it (Model.unitPrices); absent means free.
 */
// A type, not an interface: it must be assignable to a JSON column's value.
export type UnitPrices = {
  /** Per generated or edited image, when no entry of `imageBySize` matches. */
  image?: number;
  /** Per image by `quality/size` ("hd/1024x1792") or by size alone ("1024x1024"); the first match wins in that order. */
  imageBySize?: Record<string, number>;
  /** Per second of transcribed audio. */
  audioSecond?: number;
  /** Per 1000 characters of speech input. */
  speech1kChars?: number;
  /** Per rerank search (a Cohere search unit where the upstream reports them). */
  search?: number;
};

export const UNIT_PRICE_FIELDS = ['image', 'audioSecond', 'speech1kChars', 'search'] as const;

/** A stored value read leniently: only non-negative finite numbers are kept. */
export function readUnitPrices(value: unknown): UnitPrices | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const source = value as Record<string, unknown>;
  const out: UnitPrices = {};
  for (const field of UNIT_PRICE_FIELDS) {
    const v = source[field];
    if (isPrice(v)) out[field] = v;
  }
  const bySize = source.imageBySize;
  if (bySize && typeof bySize === 'object' && !Array.isArray(bySize)) {
    const entries = Object.entries(bySize as Record<string, unknown>).filter((e): e is [string, number] => isPrice(e[1]));
    if (entries.length) out.imageBySize = Object.fromEntries(entries);
  }
  return Object.keys(out).length ? out : undefined;
}

const isPrice = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
