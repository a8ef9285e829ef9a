// The map panel: the catalogue's items on their principal plane, with the person's reactions,
// recommendations and their own point (the widget is ../item-map.js).

import { ItemMap } from '../item-map.js';
import { isEngineLoss } from '../localrec.js';
import { $, notify, state } from './page.js';

export const itemMap = new ItemMap($('map'), {
  tip: $('map-tip'), said: $('map-said'), nameOf: (row) => state.rec?.catalog.items[row]?.title ?? '',
});

export async function loadMap() {
  try {
    const { points, plane } = await state.rec.map();
    itemMap.setPoints(points, plane, state.rowOf);
    drawMap();
  } catch (error) {
    if (!isEngineLoss(error)) notify(`The map could not be drawn: ${error.message}`);
  }
}

export function drawMap() {
  itemMap.draw({
    history: state.rec.history.map(({ item, reaction }) => ({ item, reaction })),
    recommendations: state.recommendations.map((r) => r.item),
    user: state.user,
  });
}
