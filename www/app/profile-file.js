// The data panel: the profile as a file (export; import, with the merge-or-replace question, a
// switch to the file's own catalogue and an undo) and deleting every saved profile.

import { ImportError } from '../localrec.js';
import { switchCatalogue } from './catalogue.js';
import { $, state } from './page.js';
import { renderHistory, showProfile } from './profile-view.js';
import { refresh } from './recommendations.js';
import { renderSearch } from './search.js';
import { count, inList } from './words.js';

let undoable = null; // the profile from before the last import, while it can be restored

export function exportFile() {
  const { blob, fileName } = state.rec.exportProfile();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  const { history, taste, personal } = state.rec.profile;
  const parts = [count(history.length, 'reaction'), taste ? 'your description' : null, personal ? 'your personal weights' : null]
    .filter(Boolean);
  dataMessage(`Exported ${inList(parts)} to ${link.download}.`);
}

export async function importFile() {
  const file = $('import-file').files[0];
  $('import-file').value = '';
  if (!file) return;
  let imported;
  try {
    imported = await state.rec.readProfileFile(file);
  } catch (error) {
    const why = error instanceof ImportError ? error.message : `It could not be read (${error.message}).`;
    dataMessage(`Nothing was imported. ${why}`, { alert: true });
    offerSwitch(error.catalog ?? null);
    return;
  }
  const current = state.rec.profile;
  const empty = current.history.length === 0 && !current.taste && !current.personal;
  // Nothing to lose: no question. Otherwise the person chooses, as for "Delete everything".
  const mode = empty ? 'replace' : await askImportMode(imported, file.name);
  if (!mode) {
    dataMessage(`Nothing was imported from ${file.name}; your history is as it was.`);
    return;
  }
  const done = state.rec.importProfile(imported, { mode, fileName: file.name });
  showProfile();
  const { message, previous } = await done;
  showProfile();
  dataMessage(message);
  offerUndo(empty ? null : previous);
  await refresh();
}

/** A file for another catalogue of this site: a button that opens it (the file is chosen again there). */
function offerSwitch(name) {
  const button = $('import-switch');
  button.hidden = !name;
  if (!name) return;
  button.textContent = `Open ${state.rec.catalogs.find((c) => c.name === name).title}`;
  button.onclick = () => { $('catalog-select').value = name; switchCatalogue(); };
}

/** The in-page question before an import changes a profile: 'merge', 'replace' or null. */
function askImportMode(imported, fileName) {
  const dialog = $('import-dialog');
  const describe = ({ history, taste, personal }) => [
    count(history.length, 'reaction'), taste ? 'a description' : null, personal ? 'personal weights' : null,
  ].filter(Boolean).join(', ');
  $('import-dialog-text').textContent = `${fileName} has ${describe(imported)}. You have ${describe(state.rec.profile)}.`;
  return new Promise((resolve) => {
    const choose = (mode) => () => { dialog.close(); finish(mode); };
    const handlers = { 'import-merge': choose('merge'), 'import-replace': choose('replace'), 'import-cancel': choose(null) };
    const onCancel = () => finish(null); // Escape
    function finish(mode) {
      for (const [id, handler] of Object.entries(handlers)) $(id).removeEventListener('click', handler);
      dialog.removeEventListener('cancel', onCancel);
      resolve(mode);
    }
    for (const [id, handler] of Object.entries(handlers)) $(id).addEventListener('click', handler);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    $('import-merge').focus();
  });
}

export function offerUndo(before) {
  undoable = before;
  $('import-undo').hidden = before === null;
}

export async function undoImport() {
  if (!undoable) return;
  const { history, taste, personal } = undoable;
  offerUndo(null);
  const saved = state.rec.setProfile({ history, taste, personal });
  showProfile();
  dataMessage(`Import undone: your ${count(history.length, 'reaction')}${taste ? ', description' : ''}${personal ? ' and personal weights' : ''} are back as they were.`);
  await saved;
  await refresh();
}

/** "Anime (3 reactions, a description) and Books (2 reactions)": what profiles hold, in words. */
function describeSaved(profiles) {
  const one = ({ title, reactions, taste, personal }) => {
    const parts = [reactions ? count(reactions, 'reaction') : null, taste ? 'a description' : null, personal ? 'personal weights' : null]
      .filter(Boolean);
    return `${title} (${parts.join(', ')})`;
  };
  const all = profiles.map(one);
  return inList(all);
}

// What "Delete everything" leaves: nothing in it is the person's.
const KEPT = 'The downloaded language model and catalogue files stay in the browser\'s cache: they hold nothing of yours.';

/** Deletes every catalogue's profile (not only the open one's), saying what before and after. */
export async function deleteEverything() {
  let saved = null;
  let others = [];
  try {
    saved = await state.rec.savedProfiles();
    others = (await state.rec.savedProfiles({ everyNamespace: true })).filter((p) => !saved.some((s) => s.namespace === p.namespace));
  } catch {
    // Storage unreadable: the question cannot list what is saved.
  }
  const what = saved === null ? 'your reactions, descriptions and personal weights for every catalogue'
    : saved.length ? `your saved data for ${describeSaved(saved)}` : 'your reactions, descriptions and personal weights (none saved yet)';
  // Profiles of other pages built on the library (the examples) are theirs to delete.
  const otherPages = others.length
    ? ` Other pages on this site keep their own profiles (${others.map((p) => `${p.namespace}: ${describeSaved([p])}`).join('; ')}); open them to delete those.`
    : '';
  if (!window.confirm(`Delete ${what} from this browser? ${KEPT}${otherPages}`)) return;
  offerUndo(null);
  try {
    const deleted = await state.rec.deleteProfile({ everyCatalog: true });
    dataMessage(deleted.length
      ? `Your saved data was deleted from this browser: ${describeSaved(deleted)}. ${KEPT}${otherPages}`
      : `Nothing of yours was saved in this browser; the page was reset (nothing left to be deleted). ${KEPT}${otherPages}`);
  } catch (error) {
    dataMessage(`Could not delete the saved profiles: ${error.message}`, { alert: true });
  }
  $('taste').value = '';
  $('train-status').textContent = '';
  renderHistory();
  renderSearch();
  await refresh();
}

/** A result of export / import / delete: a status, or (`alert`) a refusal that is announced at once. */
function dataMessage(message, { alert = false } = {}) {
  if (!alert) offerSwitch(null);
  $('data-status').textContent = alert ? '' : message;
  $('data-alert').textContent = alert ? message : '';
}
