import { isRecord } from '../../../core/guards.js';

/**
 * Gemini's `Schema` is an OpenAPI 3.0 subset and rejects unknown keywords
 * (`additionalProperties`, `$schema`, `$ref`, `const`, `examples`, …). Schemas are
 * rebuilt from the keywords it knows; `const` becomes a one-value enum and a
 * `type: [T, "null"]` union becomes `type: T, nullable: true`; enums on non-string
 * types are dropped (Gemini enums are strings only). `$ref`s are not
 * resolved: the referenced part is lost.
 */
const KEEP = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'propertyOrdering',
  'default',
  'minimum',
  'maximum',
]);

export function cleanSchema(schema: unknown): Record<string, unknown> {
  if (!isRecord(schema)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (KEEP.has(key)) out[key] = value;
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== 'null');
    out.type = types[0] ?? 'string';
    if (types.length < schema.type.length) out.nullable = true;
  }
  if (schema.const !== undefined && out.enum === undefined) out.enum = [schema.const];
  if (Array.isArray(out.enum)) {
    // Gemini enums are string-only.
    if (out.type === undefined) out.type = 'string';
    if (out.type === 'string') out.enum = out.enum.map(String);
    else delete out.enum;
  }
  if (isRecord(schema.properties)) {
    const properties: Record<string, unknown> = {};
    for (const [name, sub] of Object.entries(schema.properties)) properties[name] = cleanSchema(sub);
    out.properties = properties;
    if (Array.isArray(out.required)) out.required = out.required.filter((r) => typeof r === 'string' && r in properties);
  }
  if (schema.items !== undefined) out.items = cleanSchema(Array.isArray(schema.items) ? schema.items[0] : schema.items);
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) {
    const variants = union.filter((v) => !(isRecord(v) && v.type === 'null'));
    if (variants.length < union.length) out.nullable = true;
    if (variants.length === 1) Object.assign(out, cleanSchema(variants[0]));
    else if (variants.length > 1) out.anyOf = variants.map(cleanSchema);
  }
  return out;
}

/** Gemini rejects an OBJECT schema with empty `properties`; a tool without parameters omits them. */
export function hasParameters(schema: Record<string, unknown>): boolean {
  return !(schema.type === 'object' && (!isRecord(schema.properties) || Object.keys(schema.properties).length === 0));
}
