// A catalogue's items as the crate gives them (`Engine.loadCatalog`): `{id, title, fields,
// text}` per item, the shown columns in order. Looked up by id (a number or a string: an id
// is found by either form, as HTML attributes hold it), and searched by title and shown fields,
// without regard to case or accents ("pho" finds "Phở bò", "creme brulee" "Crème brûlée").

// Letters that carry their difference in the letter itself, not in a combining mark.
const BASE_LETTERS = { ø: 'o', đ: 'd', ł: 'l', ħ: 'h', ı: 'i', æ: 'ae', œ: 'oe', ß: 'ss', þ: 'th' };

/** `text` as search compares it: lower case, accents and other combining marks removed. */
export function searchForm(text) {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[øđłħıæœßþ]/g, (c) => BASE_LETTERS[c]);
}

export class Catalog {
  #index = null; // see #searchIndex

  /**
   * `items`: `[{id, title, fields: {column: value}, text}]`; `columns`: the shown columns, in
   * order; `labels`: how a column's value reads, `{}` standing for it (`{minutes: '{} min'}`).
   */
  constructor(items, columns = [], labels = {}) {
    this.items = items;
    this.columns = columns;
    this.labels = labels;
    this.byKey = new Map(items.map((item) => [String(item.id), item]));
  }

  /**
   * What search compares, made at the first search, not before the first list (at 100,000
   * items it takes most of a second): per item, "title | field | field" and the title in search
   * form, and the whole words of each field's first entry (a book's first author: "christie"
   * is Agatha Christie, not a translator named in a companion book) and of the fields in all.
   */
  #searchIndex() {
    if (this.#index) return this.#index;
    const { items, columns } = this;
    const wordsOf = (text) => searchForm(text).match(/[\p{L}\p{N}]+/gu) ?? [];
    this.#index = {
      haystacks: items.map((item) => searchForm([item.title, ...columns.map((c) => item.fields?.[c] ?? '')].join(' | '))),
      titles: items.map((item) => searchForm(item.title)),
      leads: items.map((item) => new Set(columns.flatMap((c) => wordsOf((item.fields?.[c] ?? '').split(', ')[0])))),
      fieldWords: items.map((item) => new Set(columns.flatMap((c) => wordsOf(item.fields?.[c] ?? '')))),
    };
    return this.#index;
  }

  /** The item with id `id` (a number, a string, or an attribute holding either), or undefined. */
  get(id) {
    return this.byKey.get(String(id));
  }

  /** The catalogue's own id for `key` (an attribute value), or undefined if it has none. */
  idOf(key) {
    return this.get(key)?.id;
  }

  /** The shown fields of `item`, in column order, each as its label says, empty ones left out. */
  fieldsOf(item) {
    return this.columns
      .map((column) => [column, item.fields?.[column] ?? ''])
      .filter(([, value]) => value !== '')
      .map(([column, value]) => this.labels[column]?.replace('{}', () => value) ?? value);
  }

  /**
   * Items whose title or shown fields contain every word of `query`, best first: the exact
   * title, then titles that start with the query, then items whose fields' first entries have
   * every word as a whole word (an author's name: "sayers" finds Dorothy L. Sayers before
   * books she did not write), then titles that contain the query, then titles with every word,
   * then whole words in the fields, then the rest; catalogue order within each.
   * `{items, total}`: the first `limit` of them and how many match in all.
   */
  searchPage(query, limit = 30) {
    const words = searchForm(query).split(/\s+/).filter(Boolean);
    if (words.length === 0) return { items: [], total: 0 };
    const phrase = words.join(' ');
    const { haystacks, titles, leads, fieldWords } = this.#searchIndex();
    const hits = [];
    for (let i = 0; i < this.items.length; i++) {
      if (words.every((word) => haystacks[i].includes(word))) hits.push(i);
    }
    const rank = (i) => {
      const title = titles[i];
      if (title === phrase) return 0;
      if (title.startsWith(phrase)) return 1;
      if (words.every((word) => leads[i].has(word))) return 2;
      if (title.includes(phrase)) return 3;
      if (words.every((word) => title.includes(word))) return 4;
      if (words.every((word) => fieldWords[i].has(word))) return 5;
      return 6;
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
