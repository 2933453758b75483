/** The pure parts: catalog prices read as unit prices, the image price lookup, the rerank dialects. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { parseCatalog } from '../../server/catalog/validate.js';
import { readUnitPrices } from '../../server/core/unit-prices.js';
import { imagePrice } from '../../server/proxy/formats/media/images.js';
import { decodeRerankAnswer, decodeRerankRequest, encodeRerankRequest } from '../../server/proxy/formats/media/rerank.js';

const catalogFile = createRequire(import.meta.url).resolve('llm-cost/model_prices_and_context_window.json');

describe('catalog unit prices', () => {
  const entries = new Map(parseCatalog(readFileSync(catalogFile, 'utf8')).entries.map((e) => [e.key, e]));

  test('DALL·E per-pixel entries fold into per-image prices by quality and size, under the model (and its Azure twin)', () => {
    expect(entries.get('dall-e-3')?.unitPrices?.imageBySize).toMatchObject({ 'hd/1024x1792': 0.12, 'standard/1024x1024': 0.04 });
    expect(entries.get('dall-e-2')?.unitPrices?.imageBySize).toMatchObject({ '256x256': 0.016 });
    expect(entries.get('azure/dall-e-3')).toMatchObject({ provider: 'azure', mode: 'image_generation' });
  });

  test('per second (transcription), per character (speech) and per image (image generation) fields', () => {
    expect(entries.get('whisper-1')?.unitPrices).toEqual({ audioSecond: 0.0001 });
    expect(entries.get('tts-1')?.unitPrices).toEqual({ speech1kChars: 0.015 });
    expect(entries.get('vertex_ai/imagegeneration@006')?.unitPrices).toEqual({ image: 0.02 });
  });

  test("a chat model's price of images in the prompt is not an image-generation price", () => {
    expect(entries.get('gemini-1.5-pro')?.unitPrices).toBeUndefined();
  });
});

describe('image price lookup', () => {
  const prices = { image: 0.05, imageBySize: { 'hd/1024x1024': 0.08, '512x512': 0.02 } };
  test('quality/size, then size, then the flat price, then free', () => {
    expect(imagePrice(prices, { quality: 'hd', size: '1024x1024' })).toBe(0.08);
    expect(imagePrice(prices, { quality: 'hd', size: '512x512' })).toBe(0.02);
    expect(imagePrice(prices, { size: '1792x1024' })).toBe(0.05);
    expect(imagePrice(undefined, { size: '1024x1024' })).toBe(0);
  });

  test('stored prices are read leniently: negative and non-numeric values are dropped', () => {
    expect(readUnitPrices({ image: -1, search: 0.002, audioSecond: 'x', imageBySize: { '1024x1024': 0.04, bad: null } })).toEqual({
      search: 0.002,
      imageBySize: { '1024x1024': 0.04 },
    });
    expect(readUnitPrices(null)).toBeUndefined();
  });
});

describe('rerank dialects', () => {
  const body = { model: 'public', query: 'q', documents: [{ text: 'a' }, 'b'], top_n: 1, return_documents: true, extra: 1 };
  const request = decodeRerankRequest(body);

  test('jina keeps the client body (unknown fields too); cohere sends string documents without return_documents; voyage uses top_k', () => {
    expect(encodeRerankRequest('jina', body, request, 'up')).toEqual({ ...body, model: 'up' });
    expect(encodeRerankRequest('cohere', body, request, 'up')).toEqual({ model: 'up', query: 'q', documents: ['a', 'b'], top_n: 1, extra: 1 });
    expect(encodeRerankRequest('voyage', body, request, 'up')).toEqual({ model: 'up', query: 'q', documents: ['a', 'b'], top_k: 1, return_documents: true });
  });

  test('answers without results are the upstream fault; search units are what is billed', () => {
    expect(() => decodeRerankAnswer('jina', { data: [] }, request, 'p')).toThrow(/results/);
    expect(() => decodeRerankAnswer('cohere', { results: [{ index: 'x' }] }, request, 'p')).toThrow(/index/);
    expect(decodeRerankAnswer('cohere', { results: [], meta: { billed_units: { search_units: 3 } } }, request, 'p').searches).toBe(3);
  });
});
