/**
 * A strict loopback upstream for the endpoints beyond text generation, speaking
 * OpenAI's images, audio and moderations wire and the rerank wire of Jina,
 * Cohere (v2) or Voyage. It refuses what the real services refuse (a wrong key,
 * a wrong content type, missing or misnamed fields) so a suite that passes
 * proves the exact wire, and records every request (JSON, or the parsed form).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from '../support/mock-upstreams/serve.js';

export type RerankWire = 'jina' | 'cohere' | 'voyage';

export interface MediaRequest {
  method: string;
  /** The path and query as received. */
  url: string;
  path: string;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  json?: any;
  form?: FormData;
}

export interface MediaMock {
  url: string;
  requests: MediaRequest[];
  /** Answers the caller left before they were finished (a stalled speech stream). */
  readonly closedEarly: number;
  /** The next request gets this answer instead. */
  failNext(status: number, body: unknown, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export interface MediaMockOptions {
  apiKey: string;
  /** The path the provider's base URL ends with (`/v1`, Cohere's `/v2`). */
  basePath?: string;
  rerank?: RerankWire;
  /** How the key arrives: `Authorization: Bearer` (default) or Azure's `api-key` header. */
  auth?: 'bearer' | 'api-key';
  /** Every request fails with this (a provider that is down). */
  alwaysFail?: { status: number; body: unknown };
}

/** 1×1 PNG, what image answers carry. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
/** The "audio" speech answers stream: 96 KiB of a known pattern, sent in 8 KiB chunks. */
export const SPEECH_AUDIO = Buffer.from(Array.from({ length: 96 * 1024 }, (_, i) => (i * 31 + 7) % 251));
/** Seconds the transcription mock reports (whisper's usage of type duration). */
export const TRANSCRIBED_SECONDS = 7;

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startMediaMock(options: MediaMockOptions): Promise<MediaMock> {
  const basePath = options.basePath ?? '/v1';
  const requests: MediaRequest[] = [];
  const failures: Array<{ status: number; body: unknown; headers?: Record<string, string> }> = [];
  let closedEarly = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        const status = error instanceof Refusal ? error.status : 500;
        sendJson(res, status, { error: { message: (error as Error).message, type: status === 401 ? 'authentication_error' : 'invalid_request_error' } });
      });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const record: MediaRequest = { method: req.method ?? '', url: req.url ?? '', path, headers: { ...req.headers }, raw };
    requests.push(record);
    if (options.alwaysFail) return sendJson(res, options.alwaysFail.status, options.alwaysFail.body);
    const failure = failures.shift();
    if (failure) return sendJson(res, failure.status, failure.body, failure.headers);
    if (req.method !== 'POST') throw new Refusal(405, `${req.method} is not allowed`);
    const presented = options.auth === 'api-key' ? req.headers['api-key'] : req.headers.authorization;
    if (presented !== (options.auth === 'api-key' ? options.apiKey : `Bearer ${options.apiKey}`)) throw new Refusal(401, 'Incorrect API key provided');
    if (!path.startsWith(`${basePath}/`)) throw new Refusal(404, `no route ${path}`);
    const route = path.slice(basePath.length + 1);
    const type = String(req.headers['content-type'] ?? '');
    switch (route) {
      case 'images/generations':
        return images(res, (record.json = json(type, raw)));
      case 'images/edits': {
        const form = (record.form = await multipart(type, raw));
        const files = [...form.getAll('image'), ...form.getAll('image[]')].filter((f) => typeof f !== 'string');
        if (!files.length) throw new Refusal(400, 'image is required');
        return images(res, Object.fromEntries([...form].filter(([, v]) => typeof v === 'string')));
      }
      case 'audio/speech': {
        const body = (record.json = json(type, raw));
        need(body, 'model', 'input', 'voice');
        res.writeHead(200, { 'content-type': body.response_format === 'wav' ? 'audio/wav' : 'audio/mpeg' });
        // Scripted failures: the connection cut after the first chunk, or a first chunk and then silence until the caller leaves.
        if (body.input === 'cut mid-stream') return void res.write(SPEECH_AUDIO.subarray(0, 8192), () => res.socket?.destroy());
        if (body.input === 'stall after one chunk') {
          res.write(SPEECH_AUDIO.subarray(0, 8192));
          return void res.once('close', () => (closedEarly += res.writableFinished ? 0 : 1));
        }
        for (let at = 0; at < SPEECH_AUDIO.length; at += 8192) {
          if (!res.write(SPEECH_AUDIO.subarray(at, at + 8192))) await new Promise((r) => res.once('drain', r));
        }
        return void res.end();
      }
      case 'audio/transcriptions': {
        const form = (record.form = await multipart(type, raw));
        const file = form.get('file');
        if (!form.get('model')) throw new Refusal(400, 'model is required');
        if (!file || typeof file === 'string') throw new Refusal(400, 'file is required');
        const text = `transcribed ${file.name} (${file.size} bytes)`;
        const format = form.get('response_format') ?? 'json';
        if (format === 'text') return void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
        if (format === 'verbose_json')
          return sendJson(res, 200, { task: 'transcribe', language: 'english', duration: TRANSCRIBED_SECONDS, text, segments: [] });
        return sendJson(res, 200, { text, usage: { type: 'duration', seconds: TRANSCRIBED_SECONDS } });
      }
      case 'moderations': {
        const body = (record.json = json(type, raw));
        need(body, 'model', 'input');
        const inputs = Array.isArray(body.input) ? body.input : [body.input];
        const results = inputs.map((i: unknown) => {
          const flagged = String(i).includes('kill');
          return { flagged, categories: { violence: flagged }, category_scores: { violence: flagged ? 0.98 : 0.01 } };
        });
        return sendJson(res, 200, { id: 'modr-1', model: body.model, results });
      }
      case 'rerank':
        return rerank(res, (record.json = json(type, raw)));
      default:
        throw new Refusal(404, `no route ${path}`);
    }
  }

  function images(res: ServerResponse, body: Record<string, any>): void {
    need(body, 'model', 'prompt');
    const n = Number(body.n ?? 1);
    sendJson(res, 200, {
      created: 1_700_000_000,
      data: Array.from({ length: n }, () => ({ b64_json: PNG_BASE64 })),
      usage: { input_tokens: 10, output_tokens: 100 * n, total_tokens: 10 + 100 * n },
    });
  }

  function rerank(res: ServerResponse, body: Record<string, any>): void {
    const wire = options.rerank ?? 'jina';
    need(body, 'model', 'query', 'documents');
    if (wire === 'voyage' && 'top_n' in body) throw new Refusal(400, 'top_n is not a parameter; use top_k');
    if (wire === 'cohere' && body.documents.some((d: unknown) => typeof d !== 'string')) throw new Refusal(400, 'documents must be strings');
    if (wire === 'cohere' && 'return_documents' in body) throw new Refusal(400, 'return_documents is not a v2 parameter');
    const texts: string[] = body.documents.map((d: any) => (typeof d === 'string' ? d : d.text));
    const word = String(body.query).split(' ')[0].toLowerCase();
    const scored = texts
      .map((text, index) => ({ index, relevance_score: text.toLowerCase().includes(word) ? 0.9 - index * 0.01 : 0.1 - index * 0.01, text }))
      .sort((a, b) => b.relevance_score - a.relevance_score)
      .slice(0, body.top_n ?? body.top_k ?? texts.length);
    const withDocs = (r: (typeof scored)[number]) => ({ index: r.index, relevance_score: r.relevance_score });
    if (wire === 'voyage') {
      const data = scored.map((r) => ({ ...withDocs(r), ...(body.return_documents && { document: r.text }) }));
      return sendJson(res, 200, { object: 'list', data, model: body.model, usage: { total_tokens: 42 } });
    }
    if (wire === 'cohere') return sendJson(res, 200, { id: 'rr-1', results: scored.map(withDocs), meta: { billed_units: { search_units: 1 } } });
    const results = scored.map((r) => ({ ...withDocs(r), ...(body.return_documents && { document: { text: r.text } }) }));
    sendJson(res, 200, { model: body.model, usage: { total_tokens: 37 }, results });
  }

  const local = await listenLocal(server);
  return {
    url: `${local.url}${basePath}`,
    requests,
    get closedEarly() {
      return closedEarly;
    },
    failNext: (status, body, headers) => void failures.push({ status, body, headers }),
    close: local.close,
  };
}

function json(type: string, raw: Buffer): any {
  if (!type.startsWith('application/json')) throw new Refusal(415, `expected application/json, got ${type}`);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Refusal(400, 'body is not JSON');
  }
}

async function multipart(type: string, raw: Buffer): Promise<FormData> {
  if (!type.startsWith('multipart/form-data')) throw new Refusal(415, `expected multipart/form-data, got ${type}`);
  return new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData();
}

function need(body: Record<string, unknown>, ...fields: string[]): void {
  for (const f of fields) if (body[f] === undefined || body[f] === '') throw new Refusal(400, `${f} is required`);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
