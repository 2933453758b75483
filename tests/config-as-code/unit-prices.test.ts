/**
 * Model.unitPrices in configuration as code: exported from a model set through the
 * admin API, applied to another instance, read back equal; a change is planned as a
 * field change, a removal clears the column, a malformed price is refused by the file check.
 */
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyConfig, exportConfig, planConfig, ConfigFileError } from '../../server/config-as-code/index.js';
import { instanceDeps } from '../../server/config-as-code/instance.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createModel, createProvider } from '../support/admin.js';

const PRICES = { image: 0.04, imageBySize: { 'hd/1024x1792': 0.12, '1024x1024': 0.04 }, audioSecond: 0.0001, speech1kChars: 0.015, search: 0.002 };

let source: TestGateway;
let target: TestGateway;

const unitPricesOf = async (gw: TestGateway, name: string): Promise<unknown> => {
  const data = await gw.admin<{ models: { nodes: Array<{ name: string; unitPrices: unknown }> } }>('{ models(first: 100) { nodes { name unitPrices } } }');
  return data.models.nodes.find((m) => m.name === name)?.unitPrices;
};

beforeAll(async () => {
  [source, target] = await Promise.all([startTestGateway(), startTestGateway()]);
  const provider = await createProvider(source, { name: 'media', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: undefined });
  await createModel(source, provider, 'dall-e', 'dall-e-3', { unitPrices: PRICES });
  await createModel(source, provider, 'plain', 'gpt-4o-mini');
});

afterAll(async () => {
  await Promise.all([source?.stop(), target?.stop()]);
});

describe('unitPrices round trip', () => {
  test('exported with the model, applied to another instance, read back the same', async () => {
    const exported = parse((await exportConfig(instanceDeps(source.services, {}))).yaml);
    const models = exported.models as Array<Record<string, unknown>>;
    expect(models.find((m) => m.name === 'dall-e')?.unitPrices).toEqual(PRICES);
    expect(models.find((m) => m.name === 'plain')).not.toHaveProperty('unitPrices');
    await applyConfig(instanceDeps(target.services, {}), stringify(exported));
    expect(await unitPricesOf(target, 'dall-e')).toEqual(PRICES);
    expect(await unitPricesOf(target, 'plain')).toBeNull();
    const again = parse((await exportConfig(instanceDeps(target.services, {}))).yaml);
    expect(again.models).toEqual(exported.models);
    expect((await applyConfig(instanceDeps(target.services, {}), stringify(exported))).plan.changes).toEqual([]);
  });

  test('a changed price is a planned field change; a removed block clears the column', async () => {
    const file = parse((await exportConfig(instanceDeps(target.services, {}))).yaml);
    const model = (file.models as Array<Record<string, any>>).find((m) => m.name === 'dall-e')!;
    model.unitPrices = { ...PRICES, image: 0.08 };
    const plan = await planConfig(instanceDeps(target.services, {}), stringify(file));
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ kind: 'model', name: 'dall-e', action: 'update' });
    expect(JSON.stringify(plan.changes[0].fields)).toContain('unitPrices');
    await applyConfig(instanceDeps(target.services, {}), stringify(file));
    expect(await unitPricesOf(target, 'dall-e')).toEqual({ ...PRICES, image: 0.08 });
    delete model.unitPrices;
    await applyConfig(instanceDeps(target.services, {}), stringify(file));
    expect(await unitPricesOf(target, 'dall-e')).toBeNull();
  });

  test('a negative price or a malformed size key is refused, naming the field', async () => {
    const file = parse((await exportConfig(instanceDeps(source.services, {}))).yaml);
    const model = (file.models as Array<Record<string, any>>).find((m) => m.name === 'dall-e')!;
    model.unitPrices = { image: -1 };
    await expect(planConfig(instanceDeps(target.services, {}), stringify(file))).rejects.toThrow(ConfigFileError);
    await expect(planConfig(instanceDeps(target.services, {}), stringify(file))).rejects.toThrow(/unitPrices\.image/);
    model.unitPrices = { imageBySize: { large: 0.1 } };
    await expect(planConfig(instanceDeps(target.services, {}), stringify(file))).rejects.toThrow(/unitPrices\.imageBySize/);
  });
});
