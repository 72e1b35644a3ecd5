// The planner's map: boroughs and wards, the hotspot surface, a plan's patrol areas and stops.
import './map.css';
import L from './leaflet-global.js';
import 'leaflet.markercluster';
import { CellLayer, VIRIDIS, breaks, unpack } from './cells.js';
import { get, post, postStream, getToken, setToken, describeToken, londonMonthStart, nextMonth, escapeHtml } from './api.js';

// Okabe–Ito, colour-blind safe: one colour per stop outcome (grouped), and the areas' outline.
const OUTCOME_COLOURS = {
  OUTCOME_ARREST: ['#D55E00', 'Arrest'],
  OUTCOME_NO_FURTHER_ACTION: ['#0072B2', 'No further action'],
  OUTCOME_COMMUNITY_RESOLUTION: ['#009E73', 'Community resolution'],
  OUTCOME_SUMMONS: ['#E69F00', 'Summons or charge'],
  OUTCOME_CAUTION: ['#CC79A7', 'Caution'],
  OUTCOME_PENALTY_NOTICE: ['#F0E442', 'Penalty notice'],
  OTHER: ['#000000', 'Other outcome'],
};
const AREA_STROKE = '#000000';
const AREA_FILL = '#E69F00';
const SELECTED = '#CC79A7';

const METHOD_NAMES = {
  METHOD_UNSPECIFIED: 'Default', METHOD_NAIVE_COUNTS: 'Naive counts', METHOD_KDE: 'Kernel density', METHOD_PROSPECTIVE: 'Prospective',
  METHOD_GETIS_ORD: 'Getis-Ord Gi*', METHOD_DBSCAN: 'DBSCAN', METHOD_LEARNED: 'Learned (LightGBM)', METHOD_AUTO: 'Auto',
};

const $ = (id) => document.getElementById(id);
const status = (text, error = false) => { $('status').textContent = text; $('status').classList.toggle('error', error); };
const pct = (v, digits = 1) => `${((v || 0) * 100).toFixed(digits)}%`;
const num = (v, digits = 0) => (v || 0).toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const label = (e) => String(e || '').replace(/^[A-Z]+(_[A-Z]+)*?_(?=[A-Z])/, '').toLowerCase().replace(/_/g, ' ');

// No tile layer gives Leaflet its zoom range, so the map states its own.
const map = L.map('map', { minZoom: 8, maxZoom: 18, zoomSnap: 0.25, fadeAnimation: false, keyboard: true, preferCanvas: false, attributionControl: true });
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution('Boundaries: ONS, OGL v3 · Crime and stops: data.police.uk, OGL v3');
map.setView([51.5, -0.1], 11);
// The surface's canvas lies under the vector layers (overlay pane z-index 400), so areas stay on top.
map.createPane('surface').style.zIndex = '350';
// The map container is a focusable region: arrow keys pan, +/- zoom (Leaflet's keyboard handler).
map.getContainer().setAttribute('aria-roledescription', 'map');
// A long popup scrolls: it takes focus so the keyboard can scroll it too.
map.on('popupopen', (event) => event.popup.getElement()?.querySelector('.leaflet-popup-content')?.setAttribute('tabindex', '0'));

const boroughs = L.geoJSON(null, { style: { color: '#333333', weight: 2, fill: false }, interactive: false });
const wards = L.geoJSON(null, { style: { color: '#7a7a7a', weight: 0.7, dashArray: '3 3', fill: false }, interactive: false });
const areasLayer = L.featureGroup();
const stopsLayer = L.markerClusterGroup({
  showCoverageOnHover: false,
  maxClusterRadius: 50,
  iconCreateFunction: (cluster) => L.divIcon({ html: `<span>${cluster.getChildCount()}</span>`, className: 'stop-cluster', iconSize: [38, 38] }),
});
let surfaceLayer = null;
const layers = L.control.layers(null, { Boroughs: boroughs, Wards: wards, 'Patrol areas': areasLayer, Stops: stopsLayer }, { collapsed: false }).addTo(map);
boroughs.addTo(map);
wards.addTo(map);
areasLayer.addTo(map);
stopsLayer.addTo(map);

const state = { plan: null, areaLayers: new Map(), surface: null, stops: null };

function legend() {
  const parts = [];
  if (state.surface) {
    const { cuts, cellSize, count, method } = state.surface;
    const edges = [0, ...cuts];
    parts.push(`<div><h3>Hotspot surface (${escapeHtml(METHOD_NAMES[method] || method)}, ${num(cellSize)} m cells, ${num(count)} cells)</h3><ul>`
      + VIRIDIS.slice(0, edges.length).map((c, i) => `<li><span class="swatch" style="background:${c}"></span>${i + 1 < edges.length ? `${num(edges[i], 2)} to ${num(edges[i + 1], 2)}` : `${num(edges[i], 2)} or more`}</li>`).join('')
      + '</ul></div>');
  }
  if (state.plan) {
    parts.push(`<div><h3>Patrol areas</h3><ul><li><span class="swatch" style="background:${AREA_FILL};border:2px solid ${AREA_STROKE}"></span>Plan ${escapeHtml(state.plan.planId)}</li>`
      + `<li><span class="swatch" style="background:#fff;border:3px solid ${SELECTED}"></span>Selected area</li></ul></div>`);
  }
  if (state.stops) {
    parts.push(`<div><h3>Stops by outcome (${num(state.stops)})</h3><ul>${Object.values(OUTCOME_COLOURS).map(([c, name]) => `<li><span class="swatch dot" style="background:${c}"></span>${name}</li>`).join('')}</ul></div>`);
  }
  $('legend').innerHTML = parts.join('');
  $('legend').hidden = parts.length === 0;
}

function filters() {
  const form = $('filters');
  return {
    area: { boundaryName: form.area.value },
    window: { start: londonMonthStart(form.from.value), end: londonMonthStart(nextMonth(form.to.value)) },
    method: form.method.value,
    budgetFraction: Number(form.budget.value) / 100,
    maxAreas: Number(form.maxAreas.value),
  };
}

function areaLabel(area) {
  return `A${area.rank}: ${area.name || (area.wards || []).join(' / ') || 'unnamed'}`;
}

function ring(points) {
  return (points || []).map((p) => [p.latitude || 0, p.longitude || 0]);
}

function figures(area, plan) {
  const q = area.fdrQ ?? 0;
  const significant = q <= 0.05;
  const types = Object.entries(area.countsByType || {}).sort((a, b) => b[1] - a[1]);
  const p = plan.provenance || {};
  const window = p.dataWindow || {};
  return `<p class="popup-name">${escapeHtml(areaLabel(area))}</p>`
    + ((area.streets || []).length ? `<p>Streets: ${escapeHtml(area.streets.join(', '))}</p>` : '')
    + `<p>Wards: ${escapeHtml((area.wards || []).join(', ') || 'none')}</p>`
    + '<dl class="figures">'
    + `<dt>Rank</dt><dd>${area.rank}</dd>`
    + `<dt>Expected share</dt><dd>${pct(area.expectedShare)} of next period's incidents</dd>`
    + `<dt>Incidents counted</dt><dd>${num(area.historicalCount)} in the data window</dd>`
    + `<dt>Harm score</dt><dd>${num(area.harmScore, 1)} (harm-weighted incidents)</dd>`
    + `<dt>Gi* z</dt><dd>${num(area.giZ, 2)}</dd>`
    + `<dt>FDR q</dt><dd>${num(q, 3)}${significant ? '' : ' <span class="flag">not significant (q &gt; 0.05)</span>'}</dd>`
    + `<dt>Size</dt><dd>${num((area.areaM2 || 0) / 10000, 1)} ha (${num(area.areaM2)} m²)</dd>`
    + `<dt>Compactness</dt><dd>${num(area.compactness, 2)} (1 = circle)</dd>`
    + `<dt>Peak hours</dt><dd>${(area.peakHours || []).length ? area.peakHours.map((h) => `${String(h).padStart(2, '0')}:00`).join(', ') : 'none: the data has months, not times of day'}</dd>`
    + '</dl>'
    + (types.length ? `<table><caption>Incidents by type (all provenance)</caption><tbody>${types.map(([t, n]) => `<tr><th scope="row">${escapeHtml(t)}</th><td>${num(n)}</td></tr>`).join('')}</tbody></table>` : '')
    + '<p><strong>Provenance</strong></p><dl class="figures">'
    + `<dt>Method</dt><dd>${escapeHtml(METHOD_NAMES[p.method] || p.method || 'default')}</dd>`
    + `<dt>Data window</dt><dd>${escapeHtml((window.start || '').slice(0, 10))} to ${escapeHtml((window.end || '').slice(0, 10))}</dd>`
    + `<dt>Trained on</dt><dd>${escapeHtml(p.trainedOn || '')}</dd>`
    + `<dt>Reported / discovered</dt><dd>${num(p.reportedCount)} / ${num(p.discoveredCount)}</dd>`
    + `<dt>Engine</dt><dd>${escapeHtml(p.engineVersion || '')}, ${escapeHtml(p.crs || '')}</dd>`
    + `<dt>Generated</dt><dd>${escapeHtml(p.generatedAt || '')}</dd>`
    + '</dl>';
}

function selectArea(areaId, { fly = true } = {}) {
  const plan = state.plan;
  if (!plan) return;
  const area = (plan.areas || []).find((a) => a.areaId === areaId);
  if (!area) return;
  for (const [id, layer] of state.areaLayers) layer.setStyle(id === areaId ? { color: SELECTED, weight: 4 } : { color: AREA_STROKE, weight: 2 });
  for (const button of document.querySelectorAll('#areas button')) button.setAttribute('aria-pressed', String(button.dataset.areaId === areaId));
  $('area-details').innerHTML = `<h3>Selected: ${escapeHtml(areaLabel(area))}</h3>${figures(area, plan)}`;
  $('area-details').dataset.areaId = areaId;
  const layer = state.areaLayers.get(areaId);
  if (fly) map.fitBounds(layer.getBounds(), { maxZoom: 15, padding: [40, 40] });
  layer.openPopup();
}

function drawPlan(plan) {
  state.plan = plan;
  areasLayer.clearLayers();
  state.areaLayers.clear();
  const list = $('areas');
  list.innerHTML = '';
  for (const area of plan.areas || []) {
    const latlngs = (area.geometry?.polygons || []).map((polygon) => [ring(polygon.exterior?.points), ...(polygon.holes || []).map((h) => ring(h.points))]);
    const layer = L.polygon(latlngs, { color: AREA_STROKE, weight: 2, fillColor: AREA_FILL, fillOpacity: 0.25 });
    layer.bindPopup(() => figures(area, plan), { maxWidth: 340, maxHeight: 380 });
    layer.bindTooltip(`A${area.rank}`, { permanent: true, direction: 'center', className: 'area-tip' });
    layer.on('click', () => selectArea(area.areaId, { fly: false }));
    layer.addTo(areasLayer);
    const element = layer.getElement();
    if (element) {
      element.setAttribute('data-area-id', area.areaId);
      // A drawn shape: named for screen readers; it is reached by keyboard through the list of areas.
      element.setAttribute('role', 'img');
      element.setAttribute('aria-label', areaLabel(area));
    }
    state.areaLayers.set(area.areaId, layer);

    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.areaId = area.areaId;
    button.setAttribute('aria-pressed', 'false');
    button.innerHTML = `<span class="area-name">${escapeHtml(areaLabel(area))}</span><br>${pct(area.expectedShare)} expected share · ${num(area.historicalCount)} incidents · q ${num(area.fdrQ, 3)}`
      + ((area.fdrQ ?? 0) > 0.05 ? ' <span class="flag">not significant</span>' : '');
    button.addEventListener('click', () => selectArea(area.areaId));
    item.appendChild(button);
    list.appendChild(item);
  }
  const p = plan.provenance || {};
  $('plan-summary').textContent = `Plan ${plan.planId} for ${plan.areaName}: ${(plan.areas || []).length} areas covering ${pct(plan.coverageFraction, 2)} of the area, `
    + `expected to hold ${pct(plan.expectedShare)} of next period's incidents. Method ${METHOD_NAMES[p.method] || p.method || 'default'}; ${p.trainedOn || ''}`;
  if ((plan.areas || []).length) map.fitBounds(areasLayer.getBounds(), { maxZoom: 14, padding: [30, 30] });
  document.body.dataset.planId = plan.planId;
  document.body.dataset.areas = String((plan.areas || []).length);
  legend();
}

async function drawSurface(request) {
  status('Computing the hotspot surface…');
  // Packed: ~52k London-wide cells are one float32 buffer, not one JSON object each.
  const packed = await post('/api/v1/surface:packed', request);
  const grid = packed.grid || {};
  const cells = unpack(packed.cells, packed.count || 0);
  performance.mark('surface parsed');
  if (surfaceLayer) { map.removeLayer(surfaceLayer); layers.removeLayer(surfaceLayer); }
  const cuts = breaks(cells.value);
  surfaceLayer = new CellLayer(cells, grid.cellSizeM || 100, cuts);
  surfaceLayer.addTo(map);
  surfaceLayer.bringToBack?.();
  layers.addOverlay(surfaceLayer, 'Hotspot surface');
  state.surface = { cuts, cellSize: grid.cellSizeM || 100, count: cells.count, method: request.method || 'METHOD_UNSPECIFIED' };
  document.body.dataset.surfaceCells = String(cells.count);
  legend();
  status(`Hotspot surface: ${num(cells.count)} cells.`);
}

async function loadPlans(selectId) {
  const response = await get('/api/v1/plans?page.pageSize=50');
  const select = $('plan');
  const plans = response.plans || [];
  select.innerHTML = '<option value="">(none)</option>' + plans.map((p) => `<option value="${escapeHtml(p.planId)}">${escapeHtml(`${p.planId}: ${p.areaName}, ${(p.areas || []).length} areas, ${(p.provenance?.generatedAt || '').slice(0, 16)}`)}</option>`).join('');
  if (selectId) select.value = selectId;
  return plans;
}

async function showPlan(planId) {
  const plan = await get(`/api/v1/plans/${encodeURIComponent(planId)}`);
  drawPlan(plan);
  performance.mark('plan drawn');
  if ([...$('area').options].some((o) => o.value === plan.areaName)) $('area').value = plan.areaName;
  const p = plan.provenance || {};
  const areaName = plan.areaName && plan.areaName !== 'custom' ? plan.areaName : $('filters').area.value;
  await drawSurface({ area: { boundaryName: areaName }, dataWindow: p.dataWindow, method: p.method === 'METHOD_AUTO' ? 'METHOD_UNSPECIFIED' : p.method, parameters: p.parameters });
  // For bench/web: milliseconds from the navigation's start to the plan and its surface drawn.
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  performance.mark('surface drawn');
  document.body.dataset.drawnAt = String(performance.now());
  document.body.dataset.drawn = planId;
}

async function loadStops() {
  const f = filters();
  status('Loading stops…');
  const batches = await postStream('/api/v1/stops:map', { window: f.window, area: f.area });
  stopsLayer.clearLayers();
  const markers = [];
  let personal = false;
  for (const batch of batches) {
    personal = personal || !!batch.personal;
    for (const stop of batch.stops || []) {
      const [colour, outcome] = OUTCOME_COLOURS[stop.outcome] || OUTCOME_COLOURS.OTHER;
      const marker = L.circleMarker([stop.latitude, stop.longitude], { radius: 6, color: '#ffffff', weight: 1, fillColor: colour, fillOpacity: 0.95 });
      const person = stop.person
        ? `<dt>Sex</dt><dd>${escapeHtml(label(stop.person.sex) || 'not recorded')}</dd><dt>Age range</dt><dd>${escapeHtml(label(stop.person.ageRange) || 'not recorded')}</dd>`
          + `<dt>Ethnicity (officer-defined)</dt><dd>${escapeHtml(label(stop.person.officerDefinedEthnicity) || 'not recorded')}</dd>`
        : '';
      marker.bindPopup(() => `<dl class="figures"><dt>Outcome</dt><dd>${outcome}${stop.outcome && !OUTCOME_COLOURS[stop.outcome] ? ` (${escapeHtml(label(stop.outcome))})` : ''}</dd>`
        + `<dt>Object</dt><dd>${escapeHtml(label(stop.objectOfSearch) || 'not recorded')}</dd><dt>Type</dt><dd>${escapeHtml(label(stop.type))}</dd>`
        + `<dt>${stop.encounterId ? 'When' : 'Month'}</dt><dd>${escapeHtml(stop.encounterId ? stop.occurredAt : (stop.occurredAt || '').slice(0, 7))}</dd>${person}</dl>`);
      markers.push(marker);
    }
  }
  stopsLayer.addLayers(markers);
  state.stops = markers.length;
  document.body.dataset.stops = String(markers.length);
  legend();
  status(`${num(markers.length)} stops${personal ? ' (with the person’s recorded attributes, as your role allows)' : ' (place, month and outcome only for your role)'}.`);
}

async function runBacktest() {
  const f = filters();
  status('Running the backtest (this can take a while)…');
  const report = await post('/api/v1/backtests', { area: f.area, window: f.window, coverages: [0.01, 0.05], bootstrapSamples: 200 });
  const table = $('backtest');
  table.querySelector('thead').innerHTML = '<tr><th scope="col">Method</th><th scope="col">Coverage</th><th scope="col">Hit rate (95% CI)</th><th scope="col">PAI</th><th scope="col">PEI</th></tr>';
  table.querySelector('tbody').innerHTML = (report.rows || []).map((r) => `<tr><th scope="row">${escapeHtml(METHOD_NAMES[r.method] || r.method)}</th><td>${pct(r.coverage)}</td>`
    + `<td>${pct(r.hitRate?.value)} (${pct(r.hitRate?.lower)}–${pct(r.hitRate?.upper)})</td><td>${num(r.pai?.value, 1)}</td><td>${num(r.pei?.value, 2)}</td></tr>`).join('');
  table.hidden = false;
  status(`Backtest: ${report.folds || 0} months scored, ${num(report.scoredIncidents)} incidents.`);
}

async function propose() {
  const f = filters();
  status('Proposing a plan…');
  const plan = await post('/api/v1/plans', { area: f.area, dataWindow: f.window, method: f.method, budgetFraction: f.budgetFraction, maxAreas: f.maxAreas, note: 'proposed from the planner\'s map' });
  await loadPlans(plan.planId);
  drawPlan(plan);
  status(`Stored plan ${plan.planId} with ${(plan.areas || []).length} areas.`);
  document.body.dataset.proposed = plan.planId;
}

function guard(action) {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      const detail = error.violations?.length ? `: ${error.violations.map((v) => `${v.field} ${v.description}`).join('; ')}` : '';
      status(`${error.message}${detail}`, true);
      document.body.dataset.error = error.message;
    }
  };
}

function showWho() {
  const token = getToken();
  const who = token ? describeToken(token) : null;
  $('whoami').textContent = who ? `Signed in as ${who.subject} (${who.roles.join(', ')})` : 'Not signed in';
  const planner = !!who?.roles.includes('planner');
  $('propose').disabled = !planner;
  $('propose').title = planner ? '' : 'Proposing a plan needs the planner role';
  return who;
}

// The ward layer (4 MB London-wide) is fetched and drawn after the plan and its surface, once.
let wardsLoaded = null;
function loadWards() {
  wardsLoaded ??= fetch('/geo/wards.geojson').then((r) => r.json()).then((w) => { wards.addData(w); wards.bringToBack(); performance.mark('wards added'); });
  return wardsLoaded;
}

async function start() {
  const b = await fetch('/geo/boroughs.geojson').then((r) => r.json());
  performance.mark('boundaries parsed');
  boroughs.addData(b);
  performance.mark('boundaries added');
  if (boroughs.getLayers().length) map.fitBounds(boroughs.getBounds());
  const who = showWho();
  if (!who) {
    await loadWards();
    status('Sign in with a token to see plans and the surface.');
    document.body.dataset.ready = 'true';
    return;
  }
  const list = await get('/api/v1/boundaries?kind=borough');
  const names = (list.boundaries || []).map((x) => x.name).sort();
  $('area').innerHTML = names.map((n) => `<option>${escapeHtml(n)}</option>`).join('');
  const requested = new URLSearchParams(location.search).get('plan');
  const plans = await loadPlans(requested);
  const first = requested || plans[0]?.planId;
  if (first) {
    $('plan').value = first;
    await showPlan(first);
  }
  await loadWards();
  status(plans.length ? `${plans.length} stored plans.` : 'No stored plan yet: propose one.');
  document.body.dataset.ready = 'true';
}

$('signin').addEventListener('submit', guard(async (event) => {
  event.preventDefault();
  setToken($('token').value.trim());
  $('token').value = '';
  await start();
}));
$('signout').addEventListener('click', () => { setToken(''); location.reload(); });
$('filters').addEventListener('submit', guard(async (event) => {
  event.preventDefault();
  const f = filters();
  await drawSurface({ area: f.area, dataWindow: f.window, method: f.method === 'METHOD_AUTO' ? 'METHOD_UNSPECIFIED' : f.method });
}));
$('propose').addEventListener('click', guard(propose));
$('plan').addEventListener('change', guard(async () => { if ($('plan').value) await showPlan($('plan').value); }));
$('load-stops').addEventListener('click', guard(loadStops));
$('run-backtest').addEventListener('click', guard(runBacktest));
guard(start)();
