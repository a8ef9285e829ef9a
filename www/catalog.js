// The catalogue on the page: items.tsv parsed once (id, name, genres, type, episodes), looked
// up by id, and searched by name and genre as the person types.

export class Catalog {
  constructor(items) {
    this.items = items;
    this.byId = new Map(items.map((item) => [item.id, item]));
    // Lower-cased "name | genres | type" per item, for search.
    this.haystacks = items.map((item) => `${item.name} | ${item.genres.join(', ')} | ${item.type}`.toLowerCase());
  }

  /** Parses the tab-separated file: a header, then `id name genres type episodes`. */
  static fromTsv(text) {
    const [header, ...lines] = text.split('\n');
    if (header.trim() !== 'id\tname\tgenres\ttype\tepisodes') throw new Error('items.tsv: unexpected header');
    const items = lines.filter((line) => line.length > 0).map((line) => {
      const [id, name, genres, type, episodes] = line.split('\t');
      return {
        id: Number(id),
        name,
        genres: genres ? genres.split(', ') : [],
        type: type ?? '',
        episodes: episodes ? Number(episodes) : null,
      };
    });
    return new Catalog(items);
  }

  get(id) {
    return this.byId.get(id);
  }

  /**
   * Items whose name, genres or type contain every word of `query`, best first: the exact
   * title, then titles that start with the query, then titles that contain it, then titles
   * with every word, then the rest (genre and type matches); catalogue order within each.
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
      const name = this.items[i].name.toLowerCase();
      if (name === phrase) return 0;
      if (name.startsWith(phrase)) return 1;
      if (name.includes(phrase)) return 2;
      if (words.every((word) => name.includes(word))) return 3;
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

/** "TV, 26 episodes" / "Movie" */
export function describeFormat(item) {
  if (!item.episodes) return item.type;
  return `${item.type}, ${item.episodes} episode${item.episodes === 1 ? '' : 's'}`;
}

/** The sentence the encoder reads for an item (the crate's `Item::text`). */
export function itemText(item) {
  let text = `${item.name}.`;
  if (item.genres.length) text += ` Genres: ${item.genres.join(', ')}.`;
  if (item.type) text += ` Type: ${item.episodes ? describeFormat(item) : item.type}.`;
  return text;
}
