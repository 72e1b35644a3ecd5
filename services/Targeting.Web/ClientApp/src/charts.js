// The dashboard's charts, drawn as plain SVG (decision 051): dot-and-whisker interval charts and
// grouped bar charts, each with a table view of the same rows and a CSV download of that table.
// Series are told apart by colour (Okabe–Ito) and by marker shape, so nothing rests on colour alone.
import { escapeHtml } from './api.js';

const SVG = 'http://www.w3.org/2000/svg';

/** Okabe–Ito (Okabe and Ito 2008), leaving out yellow: too faint on white for thin marks. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const SHAPES = ['circle', 'square', 'diamond', 'triangle', 'down', 'circle', 'square'];

let figures = 0;

function el(name, attributes = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

function marker(parent, shape, x, y, size, colour, hollow) {
  const common = { fill: hollow ? '#ffffff' : colour, stroke: hollow ? colour : '#1a1a1a', 'stroke-width': hollow ? 2 : 1 };
  const r = size / 2;
  switch (shape) {
    case 'square': return el('rect', { x: x - r, y: y - r, width: size, height: size, ...common }, parent);
    case 'diamond': return el('path', { d: `M${x},${y - r * 1.3}L${x + r * 1.3},${y}L${x},${y + r * 1.3}L${x - r * 1.3},${y}Z`, ...common }, parent);
    case 'triangle': return el('path', { d: `M${x},${y - r * 1.2}L${x + r * 1.2},${y + r}L${x - r * 1.2},${y + r}Z`, ...common }, parent);
    case 'down': return el('path', { d: `M${x},${y + r * 1.2}L${x + r * 1.2},${y - r}L${x - r * 1.2},${y - r}Z`, ...common }, parent);
    default: return el('circle', { cx: x, cy: y, r, ...common }, parent);
  }
}

const finite = (v) => typeof v === 'number' && Number.isFinite(v);

// "Nice" tick values covering [lo, hi] (linear), about n of them.
function linearTicks(lo, hi, n = 6) {
  const span = hi - lo || 1;
  const raw = span / n;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function logTicks(lo, hi) {
  const candidates = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];
  const ticks = candidates.filter((t) => t >= lo && t <= hi);
  return ticks.length >= 2 ? ticks : [lo, hi].map((t) => Number(t.toPrecision(2)));
}

/**
 * Draws a horizontal chart: one band per category, one mark per series in it. kind 'interval'
 * draws a point with its interval (whisker); kind 'bar' draws a bar from 0 (with a whisker when the
 * point has bounds). A point is { value, lower, upper, hollow, text } in the chart's units; a
 * missing or non-finite value is left out (the table says why). Returns the <svg>, which takes
 * focus: arrow keys step through the marks and the readout element says each one.
 */
export function drawChart({ kind = 'interval', categories, series, points, unit = '', format = (v) => String(v), log = false, reference = null, label, readout }) {
  const bandPerSeries = kind === 'bar' ? 16 : 14;
  const band = Math.max(28, series.length * bandPerSeries + 10);
  const left = 170, right = 20, top = 34, bottom = 44, width = 600;
  const height = top + bottom + band * categories.length;
  const plotWidth = width - left - right;

  const values = [];
  for (const row of points) for (const p of row) if (p && finite(p.value)) values.push(p.value, ...[p.lower, p.upper].filter(finite));
  const drawn = values.length;
  if (reference !== null) values.push(reference);
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (log) {
    lo = Math.max(Math.min(lo, 1) / 1.2, 1e-3);
    hi = Math.max(hi * 1.2, lo * 2);
  } else {
    lo = Math.min(0, lo);
    hi = hi <= lo ? lo + 1 : hi + (hi - lo) * 0.05;
  }
  const x = log ? (v) => left + ((Math.log(Math.max(v, lo)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * plotWidth
    : (v) => left + ((v - lo) / (hi - lo)) * plotWidth;

  if (!drawn) {
    // No estimate at all: a one-line message rather than an empty axis.
    const empty = el('svg', { viewBox: `0 0 ${width} 40`, width, height: 40, role: 'img', 'aria-label': `${label}: nothing to draw`, class: 'chart-svg' });
    const text = el('text', { x: 8, y: 24, class: 'unit' }, empty);
    text.textContent = 'Nothing to draw: no estimate in this window (the table shows the counts).';
    if (readout) readout.textContent = '';
    return empty;
  }
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label, tabindex: 0, class: 'chart-svg', focusable: 'true' });
  if (readout) svg.setAttribute('aria-describedby', readout.id);

  // Legend: one entry per series, shape and colour.
  let lx = left;
  series.forEach((s, i) => {
    if (kind === 'bar') el('rect', { x: lx, y: 8, width: 12, height: 12, fill: PALETTE[i % PALETTE.length], stroke: '#1a1a1a', 'stroke-width': 0.5 }, svg);
    else marker(svg, SHAPES[i % SHAPES.length], lx + 6, 14, 10, PALETTE[i % PALETTE.length], false);
    const text = el('text', { x: lx + 16, y: 18, class: 'legend-text' }, svg);
    text.textContent = s;
    lx += 26 + s.length * 7.2;
  });
  if (points.some((row) => row.some((p) => p?.hollow && finite(p.value)))) {
    marker(svg, 'circle', lx + 6, 14, 10, '#1a1a1a', true);
    el('text', { x: lx + 16, y: 18, class: 'legend-text' }, svg).textContent = 'open: small count';
  }

  const ticks = log ? logTicks(lo, hi) : linearTicks(lo, hi);
  const axis = el('g', { class: 'axis' }, svg);
  for (const t of ticks) {
    const tx = x(t);
    el('line', { x1: tx, x2: tx, y1: top, y2: height - bottom, class: 'grid' }, axis);
    const text = el('text', { x: tx, y: height - bottom + 16, 'text-anchor': 'middle' }, axis);
    text.textContent = format(t);
  }
  el('line', { x1: left, x2: width - right, y1: height - bottom, y2: height - bottom, class: 'axis-line' }, axis);
  const unitText = el('text', { x: left + plotWidth / 2, y: height - 8, 'text-anchor': 'middle', class: 'unit' }, axis);
  unitText.textContent = unit + (log ? ' (log scale)' : '');
  if (reference !== null) el('line', { x1: x(reference), x2: x(reference), y1: top - 4, y2: height - bottom, class: 'reference' }, svg);

  const marks = [];
  categories.forEach((category, c) => {
    const y0 = top + c * band;
    // Alternate bands shaded behind the grid, so a row's marks read against their label.
    if (c % 2 === 1) svg.insertBefore(el('rect', { x: 0, y: y0, width: width - right, height: band, class: 'band' }), axis);
    const text = el('text', { x: left - 8, y: y0 + band / 2 + 4, 'text-anchor': 'end', class: 'category' }, svg);
    text.textContent = category.length > 30 ? `${category.slice(0, 29)}…` : category;
    const offset0 = y0 + (band - (series.length - 1) * bandPerSeries) / 2;
    series.forEach((s, i) => {
      const p = points[c]?.[i];
      if (!p || !finite(p.value)) return;
      const y = offset0 + i * bandPerSeries;
      const colour = PALETTE[i % PALETTE.length];
      const g = el('g', { class: 'mark' }, svg);
      if (kind === 'bar') {
        const x0 = x(Math.max(lo, 0));
        el('rect', { x: Math.min(x0, x(p.value)), y: y - bandPerSeries / 2 + 2, width: Math.max(1, Math.abs(x(p.value) - x0)), height: bandPerSeries - 4, fill: p.hollow ? '#ffffff' : colour, stroke: p.hollow ? colour : '#1a1a1a', 'stroke-width': p.hollow ? 2 : 0.5 }, g);
      }
      if (finite(p.lower) && finite(p.upper)) {
        el('line', { x1: x(p.lower), x2: x(p.upper), y1: y, y2: y, stroke: '#1a1a1a', 'stroke-width': 1.5 }, g);
        for (const b of [p.lower, p.upper]) el('line', { x1: x(b), x2: x(b), y1: y - 4, y2: y + 4, stroke: '#1a1a1a', 'stroke-width': 1.5 }, g);
      }
      if (kind !== 'bar') marker(g, SHAPES[i % SHAPES.length], x(p.value), y, 10, colour, p.hollow);
      const focus = el('rect', { x: left - 2, y: y - bandPerSeries / 2, width: plotWidth + 4, height: bandPerSeries, class: 'focus-ring' }, g);
      focus.setAttribute('visibility', 'hidden');
      const said = `${category}, ${s}: ${p.text ?? format(p.value)}`;
      const index = marks.push({ focus, said }) - 1;
      g.addEventListener('mouseenter', () => show(index));
    });
  });

  let current = -1;
  function show(index) {
    if (!marks.length || index < 0) return;
    if (current >= 0) marks[current].focus.setAttribute('visibility', 'hidden');
    current = index;
    marks[current].focus.setAttribute('visibility', 'visible');
    if (readout) readout.textContent = marks[current].said;
  }
  svg.addEventListener('keydown', (event) => {
    const steps = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };
    if (event.key in steps) show(Math.min(marks.length - 1, Math.max(0, (current < 0 ? -1 : current) + steps[event.key])));
    else if (event.key === 'Home') show(0);
    else if (event.key === 'End') show(marks.length - 1);
    else return;
    event.preventDefault();
  });
  svg.addEventListener('focus', () => { if (current < 0) show(0); });
  svg.addEventListener('blur', () => { if (current >= 0) marks[current].focus.setAttribute('visibility', 'hidden'); });
  return svg;
}

/** The table's cells as CSV (RFC 4180: quoted where needed, CRLF line ends). */
export function toCsv(columns, rows) {
  const quote = (v) => {
    const s = String(v ?? '');
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
}

/**
 * A figure: title, note, a Chart/Table switch, the chart (from drawChart's options) and the
 * table of the same figures, and a CSV download of exactly the table's cells.
 */
export function figure(container, { id, title, note = '', chart, columns, rows, filename }) {
  figures += 1;
  const readoutId = `${id}-readout`;
  const wrap = document.createElement('figure');
  wrap.className = 'chart';
  wrap.id = id;
  wrap.setAttribute('aria-labelledby', `${id}-title`);
  const csv = toCsv(columns, rows);
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  wrap.innerHTML = `<figcaption><h3 id="${id}-title">${escapeHtml(title)}</h3>${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}</figcaption>`
    + `<div class="view-switch" role="group" aria-label="${escapeHtml(`View of ${title}`)}">`
    + `<button type="button" class="view-chart" aria-pressed="true" aria-controls="${id}-chart">Chart</button>`
    + `<button type="button" class="view-table" aria-pressed="false" aria-controls="${id}-table">Table</button>`
    + `<a class="csv" href="${url}" download="${escapeHtml(filename)}">Download CSV<span class="visually-hidden"> of ${escapeHtml(title)}</span></a></div>`
    + `<div class="chart-view" id="${id}-chart"><p class="readout" id="${readoutId}" aria-live="polite">Focus the chart and use the arrow keys to read each value.</p></div>`
    + `<div class="table-view table-wrap" id="${id}-table" hidden tabindex="0" role="region" aria-label="${escapeHtml(`Table: ${title}`)}"><table><caption>${escapeHtml(title)}</caption>`
    + `<thead><tr>${columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr></thead>`
    + `<tbody>${rows.map((r) => `<tr>${r.map((v, i) => (i === 0 ? `<th scope="row">${escapeHtml(v)}</th>` : `<td>${escapeHtml(v)}</td>`)).join('')}</tr>`).join('')}</tbody></table></div>`;
  container.appendChild(wrap);
  const readout = wrap.querySelector('.readout');
  const svg = drawChart({ ...chart, label: chart.label || title, readout });
  wrap.querySelector('.chart-view').prepend(svg);
  const chartButton = wrap.querySelector('.view-chart');
  const tableButton = wrap.querySelector('.view-table');
  const select = (table) => {
    chartButton.setAttribute('aria-pressed', String(!table));
    tableButton.setAttribute('aria-pressed', String(table));
    wrap.querySelector('.chart-view').hidden = table;
    wrap.querySelector('.table-view').hidden = !table;
  };
  chartButton.addEventListener('click', () => select(false));
  tableButton.addEventListener('click', () => select(true));
  return wrap;
}
