// The public transparency page: anonymous, whole-month aggregates with small counts suppressed.
import './public.css';
import { get, londonMonthStart, nextMonth, escapeHtml } from './api.js';

const form = document.getElementById('report-form');
const status = document.getElementById('report-status');

function cell(count, threshold) {
  if (!count) return '0';
  if (count.suppressed) return `<span class="suppressed">fewer than ${threshold}</span>`;
  return String(count.value ?? 0);
}

function pivot(table, rows, key, threshold) {
  const categories = [...new Set(rows.flatMap((r) => Object.keys(r[key] || {})))].sort();
  table.querySelector('thead').innerHTML = `<tr><th scope="col">Borough</th><th scope="col">Month</th>${categories.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr>`;
  table.querySelector('tbody').innerHTML = rows.map((r) =>
    `<tr><th scope="row">${escapeHtml(r.borough)}</th><td>${escapeHtml(r.month)}</td>${categories.map((c) => `<td>${cell((r[key] || {})[c], threshold)}</td>`).join('')}</tr>`).join('');
  table.hidden = rows.length === 0;
}

async function load() {
  const params = new URLSearchParams();
  if (form.from.value) params.set('window.start', londonMonthStart(form.from.value));
  if (form.to.value) params.set('window.end', londonMonthStart(nextMonth(form.to.value)));
  status.textContent = 'Loading the report…';
  try {
    const report = await get(`/api/v1/public/transparency?${params}`);
    const threshold = report.suppressionThreshold;
    const rows = report.rows || [];
    const table = document.getElementById('report');
    table.querySelector('tbody').innerHTML = rows.map((r) => `<tr><th scope="row">${escapeHtml(r.borough)}</th><td>${escapeHtml(r.month)}</td>`
      + `<td>${cell(r.searches, threshold)}</td><td>${cell(r.arrests, threshold)}</td><td>${cell(r.finds, threshold)}</td><td>${cell(r.insidePatrolAreas, threshold)}</td></tr>`).join('');
    table.hidden = rows.length === 0;
    pivot(document.getElementById('by-ethnicity'), rows, 'searchesByEthnicity', threshold);
    pivot(document.getElementById('by-object'), rows, 'searchesByObject', threshold);
    document.getElementById('method-note').textContent = report.methodNote || '';
    status.textContent = rows.length ? `${rows.length} borough-months; counts below ${threshold} are suppressed.` : 'No searches in this period.';
    document.body.dataset.loaded = 'true';
  } catch (error) {
    status.textContent = `The report could not be loaded: ${error.message}`;
    document.body.dataset.loaded = 'error';
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  load();
});
load();
