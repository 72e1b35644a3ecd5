// The feedback dashboard: for a window, a borough and a patrol plan, what the feedback service
// says about whether the targeting worked and whether it was fair, each figure as a chart with its
// table and CSV. Each part is called with the caller's token; a part the role may not see says so.
import './dashboard.css';
import { get, post, getToken, setToken, describeToken, londonMonthStart, nextMonth, escapeHtml, ApiError } from './api.js';
import { figure } from './charts.js';

const $ = (id) => document.getElementById(id);
const status = (text, error = false) => { $('status').textContent = text; $('status').classList.toggle('error', error); };

// Protobuf JSON: int64 as strings, zero values left out (IgnoreDefaultValues), NaN as "NaN".
const n = (v) => (v === undefined || v === null ? 0 : Number(v));
const finite = (v) => Number.isFinite(v);
/** An Estimate as numbers: NaN throughout when the message is absent. */
function est(e) {
  if (!e) return { value: NaN, lower: NaN, upper: NaN, numerator: 0, denominator: 0, small: false };
  return { value: n(e.value), lower: n(e.lower), upper: n(e.upper), numerator: n(e.numerator), denominator: n(e.denominator), small: !!e.smallCount };
}
const fixed = (v, digits) => (finite(v) ? v.toFixed(digits) : '');
const pct = (v) => fixed(v * 100, 1);
const pValue = (p) => (finite(p) ? (p < 0.001 ? '<0.001' : p.toFixed(3)) : '');
const count = (v) => String(n(v));
const yes = (b) => (b ? 'yes' : 'no');
const whole = (v) => (finite(v) ? Math.round(v).toLocaleString('en-GB') : '');
/** A point for drawChart from an Estimate, scaled (100 for percentages). */
const point = (e, scale = 1, text = null) => ({ value: e.value * scale, lower: e.lower * scale, upper: e.upper * scale, hollow: e.small, text });
const pText = (p) => { const t = pValue(p); return t.startsWith('<') ? `p < ${t.slice(1)}` : t ? `p = ${t}` : 'no p-value'; };
const LONDON_DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric' });
/** A window as London dates, its end inclusive ("1 May 2022 to 30 Sep 2022"). */
const londonDates = (w) => (w?.start && w?.end ? `${LONDON_DAY.format(new Date(w.start))} to ${LONDON_DAY.format(new Date(new Date(w.end).getTime() - 1))}` : 'the default window');
const interval = (e, unit = '%', scale = 100, digits = 1) => (finite(e.value)
  ? `${fixed(e.value * scale, digits)}${unit} (95% CI ${fixed(e.lower * scale, digits)}${unit} to ${fixed(e.upper * scale, digits)}${unit})${e.small ? ', small count' : ''}` : 'not estimated');

const GROUPING = { COMPLIANCE_GROUPING_TEAM: 'team', COMPLIANCE_GROUPING_TRAINING: 'training' };
const BASIS = { ETHNICITY_BASIS_OFFICER_DEFINED: 'Officer-defined', ETHNICITY_BASIS_SELF_DEFINED: 'Self-defined' };
const MEASURES = [
  ['groundsExplained', 'Grounds explained'], ['personHeard', 'Person heard'], ['treatedWithRespect', 'Treated with respect'],
  ['debriefGiven', 'Debrief given'], ['recordCopyOffered', 'Record copy offered'], ['bodyWornVideoOn', 'Body-worn video on'],
];

function filters() {
  const form = $('filters');
  const window = (from, to) => ({ start: londonMonthStart(from), end: londonMonthStart(nextMonth(to)) });
  return {
    borough: form.area.value,
    planId: form.plan.value,
    window: window(form.from.value, form.to.value),
    before: window(form.beforeFrom.value, form.beforeTo.value),
    label: `${form.from.value} to ${form.to.value}`,
  };
}

function section(id) {
  const root = $(id);
  return {
    root,
    figures: root.querySelector('.figures'),
    say(text, state, html = false) {
      const p = root.querySelector('.section-status');
      if (html) p.innerHTML = text; else p.textContent = text;
      p.className = `section-status ${state}`;
      root.dataset.state = state;
    },
    note(html) {
      const p = document.createElement('p');
      p.className = 'note';
      p.innerHTML = html;
      this.figures.appendChild(p);
      return p;
    },
  };
}

// --- Stops and finds inside vs outside (EvaluatePlan) ---------------------------------------------

function renderEvaluation(s, e) {
  const share = est(e.shareInside);
  const fin = est(e.findRateInside), fout = est(e.findRateOutside), ain = est(e.arrestRateInside), aout = est(e.arrestRateOutside);
  const inside = n(e.stopsInside), outside = n(e.stopsLocated) - inside;
  s.note(`${escapeHtml(count(e.stopsTotal))} searches in the window force-wide (${escapeHtml(count(e.stopsUnlocated))} with no location); `
    + `<strong>${escapeHtml(count(e.stopsLocated))}</strong> located in the plan's area, <strong>${escapeHtml(String(inside))}</strong> of them inside its patrol areas: `
    + `${escapeHtml(interval(share))}. Finds: ${escapeHtml(e.findDefinition || '')}. Inside means: ${escapeHtml(e.insideBasis || '')}.`);
  figure(s.figures, {
    id: 'fig-stops-inside',
    title: 'Searches and finds inside vs outside the patrol areas',
    note: 'Located searches in the plan\'s area. Outside\'s share is the complement of inside\'s, with the complementary interval (Wilson 95%).',
    chart: {
      kind: 'bar', categories: ['Inside the patrol areas', 'Outside'], series: ['Searches', 'Finds'], unit: 'searches', format: whole,
      points: [[{ value: inside }, { value: fin.numerator }], [{ value: outside }, { value: fout.numerator }]],
    },
    columns: ['Where', 'Searches', 'Share of located searches (%)', 'Share 95% CI low (%)', 'Share 95% CI high (%)', 'Outcome recorded', 'Finds', 'Arrests'],
    rows: [
      ['Inside the patrol areas', String(inside), pct(share.value), pct(share.lower), pct(share.upper), String(fin.denominator), String(fin.numerator), String(ain.numerator)],
      ['Outside', String(outside), pct(1 - share.value), pct(1 - share.upper), pct(1 - share.lower), String(fout.denominator), String(fout.numerator), String(aout.numerator)],
    ],
    filename: 'searches-inside-outside.csv',
  });
  const diff = (c) => [fixed(n(c?.difference) * 100, 1), fixed(n(c?.differenceLower) * 100, 1), fixed(n(c?.differenceUpper) * 100, 1), pValue(n(c?.pValue))];
  figure(s.figures, {
    id: 'fig-rates-inside',
    title: 'Find and arrest rates inside vs outside the patrol areas',
    note: 'Of searches with an outcome recorded; Wilson 95% intervals; the difference is inside minus outside (Newcombe 95% interval, pooled two-sided z-test).',
    chart: {
      categories: ['Find rate', 'Arrest rate'], series: ['Inside', 'Outside'], unit: '% of searches', format: (v) => `${fixed(v, 0)}%`,
      points: [[point(fin, 100, interval(fin)), point(fout, 100, interval(fout))], [point(ain, 100, interval(ain)), point(aout, 100, interval(aout))]],
    },
    columns: ['Measure', 'Inside (%)', 'Inside 95% CI low (%)', 'Inside 95% CI high (%)', 'Outside (%)', 'Outside 95% CI low (%)', 'Outside 95% CI high (%)',
      'Difference (points)', 'Difference 95% CI low', 'Difference 95% CI high', 'p-value (two-sided)', 'Small count'],
    rows: [
      ['Find rate', pct(fin.value), pct(fin.lower), pct(fin.upper), pct(fout.value), pct(fout.lower), pct(fout.upper), ...diff(e.findRateDifference), yes(fin.small || fout.small)],
      ['Arrest rate', pct(ain.value), pct(ain.lower), pct(ain.upper), pct(aout.value), pct(aout.lower), pct(aout.upper), ...diff(e.arrestRateDifference), yes(ain.small || aout.small)],
    ],
    filename: 'find-arrest-rates-inside-outside.csv',
  });
  const hit = est(e.hitRate);
  s.note(`The plan against the window's incidents: ${escapeHtml(count(e.incidentsInside))} of ${escapeHtml(count(e.incidentsTotal))} inside its areas `
    + `(hit rate ${escapeHtml(interval(hit))}) on ${escapeHtml(pct(n(e.coverageFraction)))}% of the area; PAI ${escapeHtml(fixed(n(e.pai), 2))}, PEI ${escapeHtml(fixed(n(e.pei), 2))}.`);
}

// --- Disproportionality and the outcome test (AssessFairness) ------------------------------------------

function renderDisproportionality(s, r) {
  const tables = r.tables || [];
  const groups = [...new Set(tables.flatMap((t) => (t.groups || []).map((g) => g.group)))].filter((g) => g !== 'White');
  const bases = tables.map((t) => BASIS[t.basis] || t.basis);
  figure(s.figures, {
    id: 'fig-disproportionality',
    title: 'Searches per resident, ratio to the White group',
    note: `Searches per 1,000 residents of each group (${r.populationSource || 'Census 2021'}), divided by the White group's rate; log-method 95% intervals. 1 means the same rate as White.`,
    chart: {
      categories: groups, series: bases, unit: 'rate ratio to White', format: (v) => fixed(v, v < 1 ? 2 : 1), log: true, reference: 1,
      points: groups.map((g) => tables.map((t) => {
        const e = est((t.groups || []).find((x) => x.group === g)?.ratioToWhite);
        return point(e, 1, `${fixed(e.value, 2)} times White's rate (95% CI ${fixed(e.lower, 2)} to ${fixed(e.upper, 2)})${e.small ? ', small count' : ''}`);
      })),
    },
    columns: ['Group', 'Ethnicity basis', 'Searches', 'Residents', 'Per 1,000 residents', 'Per 1,000 95% CI low', 'Per 1,000 95% CI high', 'Per 1,000 per year',
      'Ratio to White', 'Ratio 95% CI low', 'Ratio 95% CI high', 'Small count'],
    rows: tables.flatMap((t) => (t.groups || []).map((g) => {
      const rate = est(g.ratePer1000), ratio = est(g.ratioToWhite), year = est(g.ratePer1000PerYear);
      return [g.group, BASIS[t.basis] || t.basis, count(g.searches), count(g.population), fixed(rate.value, 2), fixed(rate.lower, 2), fixed(rate.upper, 2), fixed(year.value, 2),
        fixed(ratio.value, 2), fixed(ratio.lower, 2), fixed(ratio.upper, 2), yes(rate.small || ratio.small)];
    })),
    filename: 'disproportionality.csv',
  });
  const agreement = est(r.ethnicityAgreement);
  s.note(`${escapeHtml(count(r.searches))} searches in ${escapeHtml(r.borough || 'all boroughs')}; `
    + tables.map((t) => `${escapeHtml(BASIS[t.basis] || t.basis)}: ${escapeHtml(count(t.unknown))} with no ethnicity, ${escapeHtml(count(t.unrated))} of a group with no population`).join('; ')
    + `. Officer- and self-defined ethnicity agree in ${escapeHtml(interval(agreement))} of searches with both.${r.notes ? ` Notes: ${escapeHtml(r.notes)}.` : ''}`);
}

function renderOutcomeTest(s, r) {
  const rows = r.outcomeTests || [];
  const alerts = rows.filter((x) => x.alert);
  const box = document.createElement('div');
  box.className = alerts.length ? 'alert' : 'no-alert';
  box.id = 'lowered-bar';
  box.setAttribute('role', alerts.length ? 'alert' : 'status');
  box.innerHTML = alerts.length
    ? `<strong>Lowered bar for searching:</strong> inside the patrol areas, searches of these groups find significantly less than outside them (one-sided, Holm-corrected p &lt; 0.05).<ul>${alerts.map((a) => `<li><strong>${escapeHtml(a.group)}</strong>: ${escapeHtml(a.alertReason || '')}</li>`).join('')}</ul>`
    : 'No lowered-bar alert: no group\'s find or arrest rate inside the patrol areas is significantly lower than outside (one-sided, Holm-corrected p &lt; 0.05).';
  s.figures.appendChild(box);
  const plans = r.planIds || [];
  // The service counts a search as inside only while its plan was valid: say so when none was.
  if (!rows.some((x) => est(x.findRateInside).denominator > 0)) {
    s.note(`None of these searches fell inside a patrol area while its plan was valid${plans.length ? ` (plan ${escapeHtml(plans.join(', '))})` : ''}, so there is nothing inside to compare: choose a window inside the plan's period.`);
  }
  figure(s.figures, {
    id: 'fig-outcome-test',
    title: 'Find rate inside vs outside the patrol areas, by officer-defined group',
    note: `Inside: the areas of ${plans.length ? `plan ${plans.join(', ')}` : 'the stored plans'}. A find: ${r.findDefinition || ''}. Wilson 95% intervals.`,
    chart: {
      categories: rows.map((x) => (x.alert ? `${x.group} (alert)` : x.group)), series: ['Inside', 'Outside'], unit: '% of searches that found the object', format: (v) => `${fixed(v, 0)}%`,
      points: rows.map((x) => [est(x.findRateInside), est(x.findRateOutside)].map((e) => point(e, 100, interval(e)))),
    },
    columns: ['Group', 'Find rate inside (%)', 'Inside 95% CI low (%)', 'Inside 95% CI high (%)', 'Find rate outside (%)', 'Outside 95% CI low (%)', 'Outside 95% CI high (%)',
      'Holm p (find lower inside)', 'Arrest rate inside (%)', 'Arrest rate outside (%)', 'Holm p (arrest lower inside)', 'Lowered-bar alert', 'Reason'],
    rows: rows.map((x) => {
      const fi = est(x.findRateInside), fo = est(x.findRateOutside), ai = est(x.arrestRateInside), ao = est(x.arrestRateOutside);
      return [x.group, pct(fi.value), pct(fi.lower), pct(fi.upper), pct(fo.value), pct(fo.lower), pct(fo.upper), pValue(n(x.findPValueHolm)),
        pct(ai.value), pct(ao.value), pValue(n(x.arrestPValueHolm)), yes(x.alert), x.alertReason || ''];
    }),
    filename: 'outcome-test.csv',
  });
}

// --- Procedural justice ------------------------------------------------------------------------------------------

function renderJustice(s, report, supervisorOnly) {
  const rows = report.rows || [];
  if (supervisorOnly) s.note('As a supervisor you see your own team only.');
  if (rows.every((r) => MEASURES.every(([key]) => est(r[key]).denominator === 0))) {
    s.note('No procedural-justice answers are recorded for these encounters: historical imports (data.police.uk) predate the pilot\'s questions, so the tables count the encounters only.');
  }
  for (const [grouping, title, id] of [['COMPLIANCE_GROUPING_TEAM', 'Procedural justice by team', 'fig-justice-team'], ['COMPLIANCE_GROUPING_TRAINING', 'Procedural justice: trained vs untrained officers', 'fig-justice-training']]) {
    const groups = rows.filter((r) => (r.grouping || 'COMPLIANCE_GROUPING_UNSPECIFIED') === grouping);
    if (!groups.length) {
      s.note(`${escapeHtml(title)}: no encounters with ${GROUPING[grouping] === 'team' ? 'a team' : 'an officer'} recorded in this window.`);
      continue;
    }
    figure(s.figures, {
      id,
      title,
      note: 'Share of encounters where the answer was yes, of those where it was recorded (Wilson 95%). Officer ids never appear.',
      chart: {
        categories: MEASURES.map(([, name]) => name), series: groups.map((g) => g.group), unit: '% of encounters answered yes', format: (v) => `${fixed(v, 0)}%`,
        points: MEASURES.map(([key]) => groups.map((g) => { const e = est(g[key]); return e.denominator > 0 ? point(e, 100, interval(e)) : null; })),
      },
      columns: ['Group', 'Encounters', 'No answers recorded', 'Measure', 'Yes (%)', 'Yes 95% CI low (%)', 'Yes 95% CI high (%)', 'Yes', 'Answered', 'Small count'],
      rows: groups.flatMap((g) => MEASURES.map(([key, name]) => {
        const e = est(g[key]);
        const answered = e.denominator > 0;
        return [g.group, count(g.encounters), count(g.notRecorded), name, answered ? pct(e.value) : '', answered ? pct(e.lower) : '', answered ? pct(e.upper) : '',
          String(e.numerator), String(e.denominator), yes(answered && e.small)];
      })),
      filename: `procedural-justice-${GROUPING[grouping]}.csv`,
    });
  }
}

// --- Crime change ---------------------------------------------------------------------------------------------

function renderCrimeChange(s, c) {
  const where = ['Patrol areas', `Control cells (${n(c.controlCells)})`, `Buffer (${whole(n(c.bufferM))} m)`];
  const pairs = [[c.targetedBefore, c.targetedAfter], [c.controlBefore, c.controlAfter], [c.bufferBefore, c.bufferAfter]].map(([b, a]) => [n(b), n(a)]);
  figure(s.figures, {
    id: 'fig-crime-change',
    title: 'Crimes before and after, in the patrol areas, the control cells and the buffer',
    note: `Before: ${londonDates(c.before)}; after: ${londonDates(c.after)}. Crime types: ${(c.crimeTypes || []).join(', ')}. Control: ${c.controlDefinition || ''}`,
    chart: { kind: 'bar', categories: where, series: ['Before', 'After'], unit: 'crimes', format: whole, points: pairs.map(([b, a]) => [{ value: b }, { value: a }]) },
    columns: ['Where', 'Crimes before', 'Crimes after', 'Change (%)'],
    rows: where.map((w, i) => [w, String(pairs[i][0]), String(pairs[i][1]), pairs[i][0] > 0 ? fixed((pairs[i][1] / pairs[i][0] - 1) * 100, 1) : '']),
    filename: 'crime-change.csv',
  });
  const ratio = est(c.rateRatio);
  const wdq = n(c.weightedDisplacementQuotient);
  const reading = !finite(wdq) ? 'since crime did not fall in the patrol areas relative to the control, there is no effect to be displaced' : wdq > 0 ? 'positive, a diffusion of benefits into the buffer' : wdq < 0 ? 'negative, crime displaced into the buffer' : 'zero, neither displacement nor diffusion';
  const dl = document.createElement('dl');
  dl.className = 'figures-list';
  dl.id = 'crime-change-measures';
  dl.innerHTML = `<dt>Rate ratio (patrol areas vs control, after / before)</dt><dd>${escapeHtml(interval(ratio, '', 1, 2))}; ${escapeHtml(pText(n(c.rateRatioPValue)))}. Below 1: crime fell more in the areas than in the control cells.</dd>`
    + `<dt>Weighted displacement quotient</dt><dd><strong>${escapeHtml(finite(wdq) ? wdq.toFixed(2) : 'undefined')}</strong>: ${escapeHtml(reading)} (Bowers and Johnson 2003).</dd>`
    + `<dt>Success measure</dt><dd>${escapeHtml(fixed(n(c.successMeasure), 3))} (negative: crime fell in the areas relative to the control)</dd>`
    + `<dt>Buffer displacement measure</dt><dd>${escapeHtml(fixed(n(c.bufferDisplacementMeasure), 3))} (positive suggests displacement)</dd>`
    + `<dt>Total net effect</dt><dd>${escapeHtml(fixed(n(c.totalNetEffect), 1))} crimes (positive: crimes prevented net of displacement; negative: more crime than the control's trend predicts)</dd>`;
  s.figures.appendChild(dl);
  if (c.notes) s.note(escapeHtml(c.notes));
}

// --- Roads pilot --------------------------------------------------------------------------------------------------

function renderRoads(s, r) {
  const tests = r.darkness || [];
  s.note(`${escapeHtml(count(r.vehicleStops))} vehicle stops (${escapeHtml(count(r.unlocated))} with no location); ${escapeHtml(count(r.interTwilightStops))} in the inter-twilight window ${escapeHtml(r.interTwilightWindow || '')}. ${escapeHtml(r.notes || '')}`);
  if (!tests.length) return;
  const or = (t) => ({ value: Math.exp(n(t.coefficient)), lower: Math.exp(n(t.ciLow)), upper: Math.exp(n(t.ciHigh)), small: false });
  figure(s.figures, {
    id: 'fig-darkness',
    title: 'Veil of darkness: odds of a driver of the group being stopped in the dark, vs White drivers',
    note: 'Logistic regression on darkness with a natural spline of clock time and a place effect (Grogger and Ridgeway 2006); Wald 95% intervals. Below 1: relatively fewer of the group stopped once it is dark, when officers can less easily see the driver.',
    chart: {
      categories: tests.map((t) => t.group), series: ['Odds ratio'], unit: 'odds ratio, dark vs light', format: (v) => fixed(v, v < 1 ? 2 : 1), log: true, reference: 1,
      points: tests.map((t) => [finite(n(t.coefficient)) ? point(or(t), 1, `odds ratio ${fixed(or(t).value, 2)} (95% CI ${fixed(or(t).lower, 2)} to ${fixed(or(t).upper, 2)})`) : null]),
    },
    columns: ['Group', 'Odds ratio', 'Odds ratio 95% CI low', 'Odds ratio 95% CI high', 'Coefficient', 'Standard error', 'p-value', 'Group in light', 'Group in dark', 'White in light', 'White in dark', 'Note'],
    rows: tests.map((t) => {
      const o = or(t);
      return [t.group, fixed(o.value, 2), fixed(o.lower, 2), fixed(o.upper, 2), fixed(n(t.coefficient), 3), fixed(n(t.standardError), 3), pValue(n(t.pValue)),
        count(t.groupLight), count(t.groupDark), count(t.whiteLight), count(t.whiteDark), t.note || ''];
    }),
    filename: 'veil-of-darkness.csv',
  });
  const alerts = (r.outcomes || []).filter((o) => o.loweredBarAlert);
  if (alerts.length) {
    const box = document.createElement('div');
    box.className = 'alert';
    box.setAttribute('role', 'alert');
    box.innerHTML = `<strong>Lowered bar after vehicle stops:</strong><ul>${alerts.map((a) => `<li><strong>${escapeHtml(a.group)}</strong>: ${escapeHtml(a.alertReason || '')}</li>`).join('')}</ul>`;
    s.figures.appendChild(box);
  }
}

// --- The parts, their roles and loading ----------------------------------------------------------------------

const PARTS = [
  { id: 'evaluation', roles: ['analyst', 'planner'], plan: true, load: (f) => post('/api/v1/feedback/evaluation', { planId: f.planId, window: f.window }), render: renderEvaluation, empty: (e) => n(e.stopsLocated) === 0 && 'No located searches in the plan\'s area in this window.' },
  { id: 'disproportionality', roles: ['analyst'], load: (f) => fairness(f), render: renderDisproportionality, empty: (r) => n(r.searches) === 0 && 'No searches in this borough and window.' },
  { id: 'outcome-test', roles: ['analyst'], load: (f) => fairness(f), render: renderOutcomeTest, empty: (r) => !(r.outcomeTests || []).length && 'No searches with an outcome in this borough and window.' },
  { id: 'procedural-justice', roles: ['analyst', 'supervisor'], load: (f) => post('/api/v1/feedback/procedural-justice', { area: { boundaryName: f.borough }, window: f.window }), render: renderJustice, empty: (r) => !(r.rows || []).length && 'No encounters in this borough and window.' },
  { id: 'crime-change', roles: ['analyst', 'planner'], plan: true, load: (f) => post('/api/v1/feedback/crime-change', { planId: f.planId, before: f.before, after: f.window }), render: renderCrimeChange, empty: () => false },
  { id: 'roads', roles: ['analyst'], load: (f) => post('/api/v1/feedback/vehicle-stops', { borough: f.borough, window: f.window }), render: renderRoads, empty: (r) => n(r.vehicleStops) === 0 && 'No vehicle stops in this borough and window: the roads pilot records them (type "vehicle stop without search", or a vehicle search with the make recorded).' },
];

let fairnessCall = null;
function fairness(f) {
  fairnessCall ??= post('/api/v1/feedback/fairness', { borough: f.borough, window: f.window, planIds: f.planId ? [f.planId] : [] });
  return fairnessCall;
}

const ROLE_WORDS = (roles) => roles.join(' or ');

async function loadPart(part, f, who) {
  const s = section(part.id);
  s.figures.innerHTML = '';
  const roles = who.roles;
  if (!part.roles.some((r) => roles.includes(r))) {
    s.say(`This part needs the ${ROLE_WORDS(part.roles)} role; you are signed in as ${roles.join(', ') || 'no role'}. Ask for access if your work needs it.`, 'denied');
    return;
  }
  if (part.plan && !f.planId) {
    s.say('Choose a patrol plan above: this part compares its areas with the rest of the borough.', 'empty');
    return;
  }
  s.say('Loading…', 'loading');
  try {
    const result = await part.load(f);
    const empty = part.empty(result);
    if (empty) {
      s.say(empty, 'empty');
      if (part.id === 'roads') renderRoads(s, result);
      return;
    }
    part.render(s, result, part.id === 'procedural-justice' && !roles.includes('analyst'));
    s.say(`For ${f.borough}, ${f.label}${part.plan ? `, plan ${f.planId}` : ''}.`, 'shown');
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 401)) {
      s.say(`The feedback service refused this part for your role (${roles.join(', ')}): ${error.message}`, 'denied');
      return;
    }
    const detail = error.violations?.length ? `: ${error.violations.map((v) => `${v.field} ${v.description}`).join('; ')}` : '';
    s.say(`This part could not be loaded: ${error.message}${detail}`, 'error');
    s.root.querySelector('.section-status').classList.add('error');
  }
}

async function loadAll() {
  const who = showWho();
  if (!who) return;
  const f = filters();
  fairnessCall = null;
  delete document.body.dataset.loaded;
  status('Asking the feedback service…');
  await Promise.all(PARTS.map((part) => loadPart(part, f, who)));
  const states = PARTS.map((p) => $(p.id).dataset.state);
  status(`${states.filter((x) => x === 'shown').length} of ${PARTS.length} parts shown for ${f.borough}, ${f.label}.`);
  document.body.dataset.loaded = 'true';
}

function showWho() {
  const token = getToken();
  const who = token ? describeToken(token) : null;
  $('whoami').textContent = who ? `Signed in as ${who.subject} (${who.roles.join(', ')})` : 'Not signed in';
  return who;
}

async function start() {
  const who = showWho();
  if (!who) {
    status('Sign in with a token (analyst sees every part; planner the plan\'s parts; supervisor their team\'s procedural justice).');
    document.body.dataset.ready = 'true';
    return;
  }
  const params = new URLSearchParams(location.search);
  const list = await get('/api/v1/boundaries?kind=borough');
  const names = (list.boundaries || []).map((x) => x.name).sort();
  const form = $('filters');
  form.area.innerHTML = names.map((x) => `<option>${escapeHtml(x)}</option>`).join('');
  const wanted = params.get('area') || (names.includes('Lambeth') ? 'Lambeth' : names[0]);
  if (wanted) form.area.value = wanted;
  for (const key of ['from', 'to']) if (params.get(key)) form[key].value = params.get(key);
  if (['planner', 'analyst', 'service'].some((r) => who.roles.includes(r))) {
    const plans = (await get('/api/v1/plans?page.pageSize=50')).plans || [];
    form.plan.innerHTML = '<option value="">(none)</option>' + plans.map((p) => `<option value="${escapeHtml(p.planId)}">${escapeHtml(`${p.planId}: ${p.areaName}, ${(p.areas || []).length} areas`)}</option>`).join('');
    const requested = params.get('plan');
    const chosen = plans.find((p) => p.planId === requested) || plans.find((p) => p.areaName === form.area.value) || plans[0];
    if (chosen) form.plan.value = chosen.planId;
  } else {
    form.plan.innerHTML = '<option value="">(plans need the planner or analyst role)</option>';
  }
  document.body.dataset.ready = 'true';
  await loadAll();
}

function guard(action) {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      status(`${error.message}`, true);
      document.body.dataset.error = error.message;
    }
  };
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
  await loadAll();
}));
guard(start)();
