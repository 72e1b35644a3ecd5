// The hotspot surface as square cells drawn on one canvas: a London-wide surface has tens of
// thousands of cells, too many for one SVG path each. Cells are the hotspot grid's (British
// National Grid squares); they are drawn axis-aligned around their WGS84 centres, which over
// London differs from the grid's rotation by about a degree.
import L from './leaflet-global.js';

// Viridis (perceptually uniform, colour-blind safe), low to high.
export const VIRIDIS = ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'];

/** Class breaks: quantiles of the values (each bin about as many cells), rounded for the legend. */
export function breaks(values, bins = VIRIDIS.length) {
  const sorted = Float32Array.from(values).filter((v) => v > 0).sort();
  if (sorted.length === 0) return [];
  const result = [];
  for (let i = 1; i < bins; i++) result.push(sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / bins))]);
  return [...new Set(result)];
}

export function binOf(value, cuts) {
  let bin = 0;
  while (bin < cuts.length && value >= cuts[bin]) bin++;
  return bin;
}

/** The cells of a packed surface (the gateway's GetPackedSurface): per cell latitude, longitude and value as little-endian float32. */
export function unpack(base64, count) {
  const bytes = Uint8Array.from(atob(base64 || ''), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const latitude = new Float32Array(count);
  const longitude = new Float32Array(count);
  const value = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    latitude[i] = view.getFloat32(i * 12, true);
    longitude[i] = view.getFloat32(i * 12 + 4, true);
    value[i] = view.getFloat32(i * 12 + 8, true);
  }
  return { latitude, longitude, value, count };
}

export const CellLayer = L.Layer.extend({
  // cells: columns { latitude, longitude, value, count } as unpack returns them.
  initialize(cells, cellSizeM, cuts) {
    this._cellSize = cellSizeM;
    this._cuts = cuts;
    this._cells = cells;
    // Cell indices grouped by colour so the canvas changes fill style once per bin.
    this._byBin = VIRIDIS.map(() => []);
    for (let i = 0; i < cells.count; i++) this._byBin[Math.min(VIRIDIS.length - 1, binOf(cells.value[i], cuts))].push(i);
  },

  onAdd(map) {
    this._canvas = L.DomUtil.create('canvas', 'cell-layer leaflet-zoom-hide');
    this._canvas.setAttribute('aria-hidden', 'true');
    this._canvas.style.opacity = '0.75';
    (map.getPane('surface') || map.getPanes().overlayPane).appendChild(this._canvas);
    map.on('moveend zoomend resize viewreset', this._redraw, this);
    this._redraw();
  },

  onRemove(map) {
    map.off('moveend zoomend resize viewreset', this._redraw, this);
    this._canvas.remove();
  },

  _redraw() {
    const map = this._map;
    const size = map.getSize();
    L.DomUtil.setPosition(this._canvas, map.containerPointToLayerPoint([0, 0]));
    this._canvas.width = size.x;
    this._canvas.height = size.y;
    const context = this._canvas.getContext('2d');
    const centre = map.getCenter();
    const a = map.latLngToContainerPoint(centre);
    const b = map.latLngToContainerPoint([centre.lat + this._cellSize / 111320, centre.lng]);
    const side = Math.max(1, Math.abs(a.y - b.y));
    const half = side / 2;
    const { latitude, longitude } = this._cells;
    this._byBin.forEach((indices, bin) => {
      context.fillStyle = VIRIDIS[bin];
      for (const i of indices) {
        const p = map.latLngToContainerPoint([latitude[i], longitude[i]]);
        if (p.x < -side || p.y < -side || p.x > size.x + side || p.y > size.y + side) continue;
        context.fillRect(p.x - half, p.y - half, side, side);
      }
    });
    this.fire('drawn');
  },
});
