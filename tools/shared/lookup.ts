/**
 * Lookups keyed by text from users, the model or a cluster. A plain object's `record[key]` answers
 * `constructor`, `toString`, `hasOwnProperty` and `__proto__` with Object.prototype's members, which
 * then crash whatever expected a service or an environment ("Something went wrong inside Shipmate").
 * Parsed configuration (zod output) stays plain objects; every lookup into it by such a key goes
 * through `own`, and fixed tables keyed by words are Maps.
 */

/** `record[key]` when `key` is the record's own property, else undefined. */
export function own<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
