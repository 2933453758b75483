import { invalidRequest } from '../../../core/error.js';

/**
 * Multipart forms (audio transcriptions, image edits) through the WHATWG
 * FormData of Node's own fetch (undici): parsed from the bytes read within the
 * upload cap, and encoded again for each attempt with the target's model name.
 */
export async function parseForm(bytes: Buffer, contentType: string): Promise<FormData> {
  if (!/^multipart\/form-data\s*;.*boundary=/i.test(contentType)) throw invalidRequest('Content-Type: must be multipart/form-data with a boundary');
  try {
    // A view over the same memory (no copy of the upload).
    const body = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) as Uint8Array<ArrayBuffer>;
    return await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw invalidRequest('The multipart/form-data body could not be parsed');
  }
}

/** The form's text fields (files left out), as the endpoint decoders and the request log read them. */
export function formFields(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of form) {
    if (typeof value !== 'string') continue;
    const n = Number(value);
    // Numbers and booleans arrive as text; the decoders check typed values.
    out[name] = value === 'true' ? true : value === 'false' ? false : value.trim() !== '' && Number.isFinite(n) && name !== 'prompt' ? n : value;
  }
  return out;
}

/** The files of a field (`image` or `image[]` for edits, `file` for audio). */
export function formFiles(form: FormData, ...names: string[]): File[] {
  return names.flatMap((name) => form.getAll(name).filter((v): v is File => typeof v !== 'string'));
}

/** The form again with `model` set to the target's name: its bytes, the content type with its boundary, and how the log describes it. */
export async function encodeForm(form: FormData, upstreamModel: string): Promise<{ bytes: Buffer; contentType: string; logged: string }> {
  const out = new FormData();
  out.append('model', upstreamModel);
  for (const [name, value] of form) {
    if (name === 'model') continue;
    if (typeof value === 'string') out.append(name, value);
    else out.append(name, value, value.name);
  }
  const encoded = new Response(out);
  return {
    bytes: Buffer.from(await encoded.arrayBuffer()),
    contentType: encoded.headers.get('content-type') ?? 'multipart/form-data',
    logged: describeForm(out),
  };
}

/** What the request log keeps of a form: its text fields and the files' names and sizes, never their bytes. */
function describeForm(form: FormData): string {
  const parts: string[] = [];
  for (const [name, value] of form)
    parts.push(typeof value === 'string' ? `${name}=${JSON.stringify(value)}` : `${name}=<file ${value.name} ${value.size} bytes>`);
  return `multipart/form-data: ${parts.join(', ')}`;
}
