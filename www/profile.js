// The person's profile as this tab holds it: reactions, taste sentence, personal weights.
// A change applies here at once and then to the saved profile, one after another, each in one
// read-modify-write transaction (so changes from other tabs are kept, not overwritten). Other
// tabs of the app hear about every saved change (BroadcastChannel: an in-browser message,
// never a request) and reload the profile.

import { askPersistentStorage, deleteProfile, emptyProfile, loadProfile, updateProfile } from './profile-store.js';

/** Tells the tabs that show profile `key` that it changed (they reload it). */
export function announceChange(key) {
  if (!('BroadcastChannel' in self)) return;
  const channel = new BroadcastChannel(channelName(key));
  channel.postMessage('changed');
  channel.close();
}
const channelName = (key) => `localrec-profile:${key}`;

const sameContent = (a, b) =>
  JSON.stringify([a.history, a.taste, a.personal]) === JSON.stringify([b.history, b.taste, b.personal]);

export class Profile {
  /**
   * `key`: where the profile is kept (see profileKey); `onOutsideChange()`: the profile changed under
   * this tab (another tab's change arrived); `onSaveError(error)`: a change could not be saved
   * (it is kept in this tab).
   */
  constructor({ key, onOutsideChange, onSaveError }) {
    this.key = key;
    this.onOutsideChange = onOutsideChange;
    this.onSaveError = onSaveError;
    /** What this tab shows and uses. */
    this.current = emptyProfile();
    this.canSave = true; // false when the saved profile could not be read: never overwrite it blind
    this.saving = Promise.resolve();
    this.pendingSaves = 0;
    this.otherTabChanged = false;
    this.following = false;
    this.tabs = 'BroadcastChannel' in self ? new BroadcastChannel(channelName(key)) : null;
    this.tabs?.addEventListener('message', () => {
      if (!this.following) return;
      // Our own queued saves read the latest state anyway; reload after them.
      if (this.pendingSaves > 0) this.otherTabChanged = true;
      else this.#reload();
    });
  }

  /**
   * Reads the saved profile and asks for persistent storage; resolves to whether it was
   * granted. If the profile cannot be read, this tab stops saving and the error is thrown
   * (code 'damaged' for a profile that is not understood, else storage is unavailable).
   */
  async restore() {
    try {
      this.current = await loadProfile(this.key);
    } catch (error) {
      this.canSave = false;
      throw error;
    }
    return askPersistentStorage();
  }

  /** From now on, changes from other tabs are taken in (call once the page can show them). */
  follow() {
    this.following = true;
  }

  reactionOf(id) {
    return this.current.history.find((event) => event.item === id)?.reaction;
  }

  /** Stops listening to other tabs. */
  close() {
    this.following = false;
    this.tabs?.close();
    this.tabs = null;
  }

  /** Applies `update` (a pure profile → profile function) here, then in storage. */
  change(update) {
    this.current = update(this.current);
    if (!this.canSave) return Promise.resolve();
    this.pendingSaves++;
    this.saving = this.saving.then(async () => {
      try {
        const saved = await updateProfile(this.key, update);
        this.tabs?.postMessage('changed');
        // The saved profile includes other tabs' changes: adopt it once nothing more is queued.
        if (this.pendingSaves === 1) this.#adopt(saved);
      } catch (error) {
        this.onSaveError(error);
      } finally {
        this.pendingSaves--;
        if (this.pendingSaves === 0 && this.otherTabChanged) this.#reload();
      }
    });
    return this.saving;
  }

  /** Resolves once every change made so far has been written (or has failed to be). */
  saved() {
    return this.saving;
  }

  /** Deletes the saved profile; this tab starts afresh (and may save again). */
  async deleteAll() {
    this.current = emptyProfile();
    await this.saving;
    await deleteProfile(this.key);
    this.tabs?.postMessage('changed');
    this.canSave = true;
  }

  #adopt(saved) {
    if (sameContent(saved, this.current)) return;
    this.current = saved;
    this.onOutsideChange();
  }

  async #reload() {
    this.otherTabChanged = false;
    try {
      this.#adopt(await loadProfile(this.key));
    } catch {
      // Unreadable now: keep what this tab has.
    }
  }
}

/** The update that sets (or, with `reaction` null, removes) the reaction to item `id`. */
export const withReaction = (id, reaction, at) => (profile) => ({
  ...profile,
  history: [...profile.history.filter((event) => event.item !== id), ...(reaction === null ? [] : [{ item: id, reaction, at }])],
});
