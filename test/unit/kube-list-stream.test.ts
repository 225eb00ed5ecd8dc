import { describe, expect, it } from '@jest/globals';
import { ListFormatError, ListSplitter } from '../../src/clients/kube-list-stream.ts';

/** Feeds `text` to a splitter in chunks of `size` bytes; returns the items and the object outside them. */
function split(text: string, size: number, splitter = new ListSplitter()) {
  const bytes = Buffer.from(text);
  const items: unknown[] = [];
  const heads: (Record<string, unknown> | undefined)[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    items.push(...splitter.push(bytes.subarray(i, i + size)));
    heads.push(splitter.head());
  }
  return { items, rest: splitter.rest(), firstHead: heads.find((h) => h !== undefined), splitter };
}

/** Items made to trip a naive splitter: brackets, braces, quotes and escapes inside strings, multi-byte UTF-8. */
const TRICKY = [
  { metadata: { name: 'a', annotations: { note: 'braces } { ] [ and "quotes" and a \\ backslash' } } },
  { metadata: { name: 'b', labels: { 'ü-ñ': 'Grüße 🚀 日本' } }, data: { items: [1, { items: [] }] } },
  { metadata: { name: 'c' }, spec: { args: ['\\"', '\\\\', '\\', 'x\\'], empty: {}, list: [[], [[]]] } },
  { metadata: { name: 'd' }, status: { n: -1.5e3, ok: true, none: null } },
];

const POD_LIST = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '42', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==', remainingItemCount: 7 },
  items: TRICKY,
};

describe('ListSplitter', () => {
  it('returns every item of the list, whatever the chunk boundaries', () => {
    const text = JSON.stringify(POD_LIST);
    for (let size = 1; size <= 40; size++) {
      const r = split(text, size);
      expect(r.items).toEqual(TRICKY);
      expect(r.rest).toEqual({ ...POD_LIST, items: [] });
    }
    expect(split(text, text.length).items).toEqual(TRICKY);
  });

  it('reads pretty-printed lists (whitespace between items and keys)', () => {
    const text = JSON.stringify(POD_LIST, null, 2);
    for (const size of [1, 3, 16, 1000]) expect(split(text, size).items).toEqual(TRICKY);
  });

  it('hands over each item once its last byte has arrived, before the list ends', () => {
    const text = JSON.stringify(POD_LIST);
    const s = new ListSplitter();
    const endOfFirst = text.indexOf('"name":"b"') - '{"metadata":{'.length - 1;
    expect(s.push(Buffer.from(text.slice(0, endOfFirst)))).toEqual([TRICKY[0]]);
    expect(s.push(Buffer.from(text.slice(endOfFirst)))).toEqual(TRICKY.slice(1));
  });

  it('knows the metadata (continue) as soon as the items array opens', () => {
    const text = JSON.stringify(POD_LIST);
    const s = new ListSplitter();
    s.push(Buffer.from(text.slice(0, text.indexOf('"items":[') + '"items":['.length + 3)));
    expect(s.head()).toEqual({ ...POD_LIST, items: [] });
  });

  it('finds metadata written after the items, at the end', () => {
    const text = `{"kind":"PodList","items":${JSON.stringify(TRICKY)},"metadata":{"continue":"abc"}}`;
    const r = split(text, 5);
    expect(r.items).toEqual(TRICKY);
    expect(r.firstHead).toEqual({ kind: 'PodList', items: [] });
    expect(r.rest).toEqual({ kind: 'PodList', items: [], metadata: { continue: 'abc' } });
  });

  it('reads empty and null item lists', () => {
    expect(split('{"kind":"PodList","metadata":{},"items":[]}', 2)).toMatchObject({
      items: [],
      rest: { kind: 'PodList', items: [] },
    });
    expect(split('{"kind":"PodList","metadata":{},"items":null}', 2)).toMatchObject({
      items: [],
      rest: { kind: 'PodList', items: null },
    });
  });

  it('only splits the top-level items array, not an "items" key inside metadata', () => {
    const text = '{"metadata":{"items":[{"x":1}]},"items":[{"y":2}]}';
    const r = split(text, 3);
    expect(r.items).toEqual([{ y: 2 }]);
    expect(r.rest).toEqual({ metadata: { items: [{ x: 1 }] }, items: [] });
  });

  it('refuses a cut-off body, a non-object item, trailing garbage and an oversized item', () => {
    const text = JSON.stringify(POD_LIST);
    const cut = new ListSplitter();
    cut.push(Buffer.from(text.slice(0, text.length - 10)));
    expect(() => cut.rest()).toThrow(ListFormatError);
    expect(() => split('{"items":[{"a":1},"oops"]}', 4)).toThrow('a list item is not a JSON object');
    expect(() => split('{"items":[{"a":1},{"b":tru}]}', 4)).toThrow('a list item is not valid JSON');
    expect(() => split('{"items":[]} {"items":[]}', 4)).toThrow('more than one JSON value');
    expect(() => split('{"items":[{"a":"', 100).rest).toThrow(ListFormatError);
    const big = `{"items":[{"a":"${'x'.repeat(5000)}"}]}`;
    expect(() => split(big, 100, new ListSplitter(1000))).toThrow('a list item is larger than 1000 bytes');
    expect(split(big, 100, new ListSplitter(10_000)).items).toHaveLength(1);
  });
});
