import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, getNamedType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';

/**
 * Ids of the gateway's own rows are typed ID wherever they appear: a row's `id`,
 * a reference to another row (`providerId`, `teamId`, …) and the arguments that
 * filter by one. Identifiers issued elsewhere stay strings: OAuth client ids (the
 * identity provider's) and a provider's own model ids in its model list.
 */
const EXTERNAL = new Set(['clientId', 'oauthClientId']);
const EXTERNAL_PLACES = new Set(['UpstreamModel.id']);
const schema = buildSchema(readFileSync(path.resolve(import.meta.dirname, '../../schema.graphql'), 'utf8'));

function idPlaces(): Array<{ place: string; type: string }> {
  const places: Array<{ place: string; type: string }> = [];
  const isIdName = (name: string) => (name === 'id' || /Ids?$/.test(name)) && !EXTERNAL.has(name);
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (!isObjectType(type) && !isInputObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (isIdName(field.name) && !EXTERNAL_PLACES.has(`${type.name}.${field.name}`))
        places.push({ place: `${type.name}.${field.name}`, type: String(getNamedType(field.type)) });
      for (const arg of 'args' in field ? field.args : []) {
        if (isIdName(arg.name)) places.push({ place: `${type.name}.${field.name}(${arg.name})`, type: String(getNamedType(arg.type)) });
      }
    }
  }
  return places;
}

describe('the admin API types ids as ID', () => {
  it('every id, reference and id filter of a gateway row is an ID', () => {
    const places = idPlaces();
    // The schema has plenty of them: an empty scan cannot pass.
    expect(places.length).toBeGreaterThan(50);
    expect(places.filter((p) => p.type !== 'ID')).toEqual([]);
  });
});
