// The model the page loads: all-MiniLM-L6-v2, served by this origin from models/ (fetched at
// set-up by scripts/fetch-model.sh). Hashes and sizes equal models/all-MiniLM-L6-v2.sha256;
// a test keeps the two in step.

export const MODEL_ID = 'all-MiniLM-L6-v2';
export const MODEL_BASE_URL = new URL('../models/all-MiniLM-L6-v2/', import.meta.url);

export const MODEL_FILES = [
  { name: 'config.json', bytes: 612,
    sha256: '953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41' },
  { name: 'tokenizer.json', bytes: 466247,
    sha256: 'be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037' },
  { name: 'model.safetensors', bytes: 90868376,
    sha256: '53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db' },
];

// A new model (different hashes) gets a new cache, so stale bytes are never mixed in.
export const CACHE_NAME = `localrec-model-${MODEL_ID}-${MODEL_FILES[2].sha256.slice(0, 12)}`;

// The catalogue the page recommends from (anime-5k): its items, the pretrained head, the item
// matrix (MiniLM vectors of every item text, built by `localrec embed-catalog`) and the sparse
// item–item table of the hybrid (`localrec fit-item-item`).
export const CATALOG_ID = 'anime-5k';
export const CATALOG_BASE_URL = new URL('../data/anime-5k/', import.meta.url);
export const CATALOG_FILES = ['items.tsv', 'head.safetensors', 'item_vectors.safetensors', 'item_item.safetensors']
  .map((name) => ({ name, url: new URL(name, CATALOG_BASE_URL).href }));
