// A catalogue's items as the crate gives them (`Engine.loadCatalog`): `{id, title, fields,
// text}` per item, the shown columns in order. Looked up by id (a number or a string: an id
// is found by either form, as HTML attributes hold it), and searched by title and shown fields.

export class Catalog {
  /** `items`: `[{id, title, fields: {column: value}, text}]`; `columns`: the shown columns, in order. */
  constructor(items, columns = []) {
    this.items = items;
    this.columns = columns;
    this.byKey = new Map(items.map((item) => [String(item.id), item]));
    // Lower-cased "title | field | field" per item, for search.
    this.haystacks = items.map((item) => [item.title, ...columns.map((c) => item.fields?.[c] ?? '')].join(' | ').toLowerCase());
    this.titles = items.map((item) => item.title.toLowerCase());
  }

  /** The item with id `id` (a number, a string, or an attribute holding either), or undefined. */
  get(id) {
    return this.byKey.get(String(id));
  }

  /** The catalogue's own id for `key` (an attribute value), or undefined if it has none. */
  idOf(key) {
    return this.get(key)?.id;
  }

  /** The shown fields of `item`, in column order, empty ones left out. */
  fieldsOf(item) {
    return this.columns.map((column) => item.fields?.[column] ?? '').filter((value) => value !== '');
  }

  /**
   * Items whose title or shown fields contain every word of `query`, best first: the exact
   * title, then titles that start with the query, then titles that contain it, then titles
   * with every word, then the rest (matches in the other fields); catalogue order within each.
   * `{items, total}`: the first `limit` of them and how many match in all.
   */
  searchPage(query, limit = 30) {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return { items: [], total: 0 };
    const phrase = words.join(' ');
    const hits = [];
    for (let i = 0; i < this.items.length; i++) {
      if (words.every((word) => this.haystacks[i].includes(word))) hits.push(i);
    }
    const rank = (i) => {
      const title = this.titles[i];
      if (title === phrase) return 0;
      if (title.startsWith(phrase)) return 1;
      if (title.includes(phrase)) return 2;
      if (words.every((word) => title.includes(word))) return 3;
      return 4;
    };
    const ranks = new Map(hits.map((i) => [i, rank(i)]));
    hits.sort((a, b) => ranks.get(a) - ranks.get(b) || a - b);
    return { items: hits.slice(0, limit).map((i) => this.items[i]), total: hits.length };
  }

  /** The first `limit` items of `searchPage`. */
  search(query, limit = 30) {
    return this.searchPage(query, limit).items;
  }
}
