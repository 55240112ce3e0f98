// The manager's console: calls in progress by hunt group, live from the event stream.
import { api, signIn, token, ApiError } from './api.js';
import { openStream } from './stream.js';
import { MODES, modeWords, triggerWords, endWords, who, duration, time } from './words.js';

const $ = (id) => document.getElementById(id);
// crypto.randomUUID exists only in secure contexts; a console reached over plain HTTP on a LAN still needs keys.
const newKey = () => (crypto.randomUUID ? crypto.randomUUID()
  : Array.from(crypto.getRandomValues(new Uint8Array(16)), (x) => x.toString(16).padStart(2, '0')).join(''));
const state = { me: null, calls: [], sessions: new Map(), refusals: [], stop: null, refreshing: null };

/** Elements built from text only (never innerHTML), so names and numbers cannot inject markup. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c);
  return el;
}

function notice(message) { $('notice').textContent = message || ''; }

function refuse(message) {
  state.refusals.unshift(`${new Date().toLocaleTimeString()} — ${message}`);
  state.refusals.length = Math.min(state.refusals.length, 30);
  renderRefusals();
}

async function act(what, fn) {
  notice('');
  try { return await fn(); } catch (e) {
    const message = e instanceof ApiError ? e.message : String(e);
    notice(`${what}: ${message}`);
    if (e.status === 403 || e.status === 409 || e.status === 410) refuse(`${what}: ${message}`);
    if (e.status === 401) signOut(false);
    return null;
  }
}

// ------------------------------------------------------------------ data

function scheduleRefresh() {
  if (state.refreshing) return;
  state.refreshing = setTimeout(async () => { state.refreshing = null; await refreshCalls(); }, 80);
}

async function refreshCalls() {
  const calls = await act('Loading calls', () => api('GET', '/api/v1/calls'));
  if (calls === null) return;
  state.calls = calls;
  for (const c of calls) for (const s of c.supervisors) if (!state.sessions.has(s.sessionId)) refreshSession(s.sessionId);
  renderCalls();
}

async function refreshSession(id) {
  try {
    state.sessions.set(id, await api('GET', `/api/v1/supervision-sessions/${encodeURIComponent(id)}`));
    renderSessions();
  } catch (_) { /* another replica's or a deleted session: the next event brings it again */ }
}

function onEvent(type, data) {
  if (type === 'ready') { refreshCalls(); for (const id of state.sessions.keys()) refreshSession(id); return; }
  if (!data) return;
  if (data.sessionId) refreshSession(data.sessionId);
  if (type === 'supervision.failed') {
    const call = state.calls.find((c) => c.callId === data.callId);
    const agent = call ? who(call.agent) : 'the agent';
    refuse(`Joining ${agent}'s call failed: ${endWords(data.endReason)}`);
  }
  scheduleRefresh();
}

function onStreamState(s, detail) {
  const el = $('stream');
  el.dataset.state = s;
  el.textContent = s === 'live' ? 'Live'
    : s === 'connecting' ? 'Connecting…'
      : s === 'reconnecting' ? (detail ? `Connection lost — reconnecting in ${detail} s` : 'Reconnecting…')
        : `Live updates stopped: ${detail}`;
  if (s === 'stopped') signOut(false, detail);
}

// ------------------------------------------------------------------ actions

const mayControl = (accountId) => state.me.canModify && state.me.supervisors.some((a) => a.accountId === accountId);
const groupAllowed = (id) => state.me.huntGroups.some((g) => g.id === id && g.supervisionAllowed);

async function join(call, mode) {
  const supervisorAccountId = Number($('supervisor').value);
  const view = await act(`Joining ${who(call.agent)}'s call in ${modeWords[mode]}`, () => api('POST',
    `/api/v1/calls/${encodeURIComponent(call.callId)}/supervisors`, { supervisorAccountId, mode },
    { 'Idempotency-Key': newKey() }));
  if (view) { state.sessions.set(view.id, view); renderSessions(); scheduleRefresh(); }
}

async function change(sessionId, mode) {
  const view = await act(mode ? `Switching to ${modeWords[mode]}` : 'Leaving', () => (mode
    ? api('PATCH', `/api/v1/supervision-sessions/${sessionId}`, { mode }, { 'Idempotency-Key': newKey() })
    : api('DELETE', `/api/v1/supervision-sessions/${sessionId}`)));
  if (view) { state.sessions.set(view.id, view); renderSessions(); scheduleRefresh(); }
}

// ------------------------------------------------------------------ rendering

/** Live updates rebuild the list: focus goes back to the same button, or to the first one of the same call. */
function keepFocus(render) {
  const active = document.activeElement;
  const key = active?.dataset?.key;
  const callId = active?.closest?.('article.call')?.dataset.callId;
  render();
  if (!key) return;
  const same = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
  const fallback = callId && document.querySelector(`article.call[data-call-id="${CSS.escape(callId)}"] button`);
  (same || fallback)?.focus();
}

function callCard(call) {
  const canJoin = state.me.canModify && state.me.supervisors.length > 0 && call.huntGroups.some((g) => groupAllowed(g.id));
  const agent = who(call.agent);
  return h('article', { class: 'call', dataset: { callId: call.callId, extension: call.agent?.extension ?? '' } },
    h('div', { class: 'facts' },
      h('strong', { class: 'agent' }, agent),
      h('span', {}, 'Client ', h('span', { class: 'client' }, call.clientNumber ?? 'unknown')),
      h('span', {}, 'Duration ', h('time', { class: 'duration', dataset: { since: call.startedAt } },
        duration(call.startedAt, Date.now())))),
    h('div', { class: 'actions' }, canJoin ? MODES.map((m) => h('button', {
      type: 'button', class: 'join', dataset: { mode: m, key: `join-${call.callId}-${m}` },
      'aria-label': `Join ${agent}'s call in ${modeWords[m]}`, onclick: () => join(call, m),
    }, modeWords[m])) : null),
    h('ul', { class: 'supervisors', 'aria-label': 'Supervisors' }, call.supervisors.length === 0
      ? h('li', { class: 'empty' }, 'Nobody is supervising.')
      : call.supervisors.map((s) => h('li', { class: 'supervisor', dataset: { sessionId: s.sessionId } },
        `${who(s.supervisor)} — `, h('span', { class: 'mode' }, modeWords[s.mode] ?? s.mode), ' ',
        h('span', { class: `badge ${s.state}` }, s.state.toLowerCase()), ' ',
        mayControl(s.supervisor?.accountId) ? [
          ...MODES.filter((m) => m !== s.mode).map((m) => h('button', {
            type: 'button', class: 'switch', dataset: { mode: m, key: `switch-${s.sessionId}-${m}` },
            onclick: () => change(s.sessionId, m),
          }, `Switch to ${modeWords[m]}`)),
          h('button', { type: 'button', class: 'leave', dataset: { key: `leave-${s.sessionId}` },
            onclick: () => change(s.sessionId, null) }, 'Leave'),
        ] : null))));
}

function renderCalls() {
  keepFocus(() => {
    const groupFilter = $('filter-group').value;
    const ext = $('filter-extension').value.trim();
    const calls = state.calls.filter((c) => !ext || (c.agent?.extension ?? '').startsWith(ext));
    const sections = [];
    const shown = new Set();
    for (const g of state.me.huntGroups) {
      if (groupFilter && String(g.id) !== groupFilter) continue;
      const inGroup = calls.filter((c) => !shown.has(c.callId) && c.huntGroups.some((x) => x.id === g.id));
      inGroup.forEach((c) => shown.add(c.callId));
      if (inGroup.length) sections.push(h('section', { class: 'group', dataset: { groupId: g.id } }, h('h2', {}, g.name), inGroup.map(callCard)));
    }
    const rest = groupFilter ? [] : calls.filter((c) => !shown.has(c.callId));
    if (rest.length) sections.push(h('section', { class: 'group' }, h('h2', {}, 'In no hunt group'), rest.map(callCard)));
    $('calls').replaceChildren(...(sections.length ? sections : [h('p', { class: 'empty' }, 'No call in progress.')]));
  });
}

function historyItem(s, c) {
  const step = c.fromMode ? `${modeWords[c.fromMode]} → ${modeWords[c.toMode]}` : `started in ${modeWords[c.toMode]}`;
  const by = c.triggeredBy?.credentialUsername ? ` (by ${c.triggeredBy.credentialUsername})`
    : c.triggeredBy?.kind === 'SUPERVISOR_PHONE' ? ` (by ${who(s.supervisor)})` : '';
  return h('li', {}, `${time(c.at)} `, h('span', { class: 'to-mode' }, step), ` ${triggerWords(c.trigger)}${by}`);
}

function sessionCard(s) {
  return h('article', { class: 'session', dataset: { sessionId: s.id } },
    h('p', {}, h('strong', {}, who(s.supervisor)), ` supervising ${who(s.agent)} — ${modeWords[s.mode] ?? s.mode} `,
      h('span', { class: `badge ${s.state}` }, s.state.toLowerCase()),
      s.endReason ? ` — ${endWords(s.endReason)}` : ''),
    h('ol', { class: 'timeline', 'aria-label': 'Mode changes' }, (s.history ?? []).map((c) => historyItem(s, c))));
}

function renderSessions() {
  const list = [...state.sessions.values()].sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
  $('sessions').replaceChildren(...(list.length === 0 ? [h('p', { class: 'empty' }, 'No session yet.')]
    : list.map(sessionCard)));
}

function renderRefusals() {
  $('refusals').replaceChildren(...(state.refusals.length === 0 ? [h('li', { class: 'empty' }, 'None.')]
    : state.refusals.map((r) => h('li', { class: 'refusal' }, r))));
}

// ------------------------------------------------------------------ sign-in

function start(me) {
  state.me = me;
  $('sign-in').hidden = true;
  $('console').hidden = false;
  $('who').hidden = false;
  $('me').textContent = `${me.username} (${me.realm === 'ACCOUNT' ? 'own extension' : 'whole customer'})`;
  $('filter-group').replaceChildren(h('option', { value: '' }, 'All groups'),
    ...me.huntGroups.map((g) => h('option', { value: String(g.id) }, g.name)));
  $('supervisor').replaceChildren(...me.supervisors.map((a) => h('option', { value: String(a.accountId) }, who(a))));
  $('supervisor-choice').hidden = !me.canModify || me.supervisors.length === 0;
  state.stop = openStream(onEvent, onStreamState);
}

async function signOut(revoke = true, why = '') {
  if (state.stop) { state.stop(); state.stop = null; }
  if (revoke && token.get()) await api('POST', '/api/v1/console/sign-out').catch(() => null);
  token.clear();
  Object.assign(state, { me: null, calls: [], sessions: new Map(), refusals: [] });
  $('console').hidden = true;
  $('who').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = why || '';
}

$('sign-in').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('sign-in-error').textContent = '';
  try {
    start(await signIn($('username').value, $('password').value));
    $('password').value = '';
  } catch (err) {
    $('sign-in-error').textContent = err.status === 401 ? 'Wrong username or password.' : err.message;
  }
});
$('sign-out').addEventListener('click', () => signOut(true));
$('filter-group').addEventListener('change', renderCalls);
$('filter-extension').addEventListener('input', renderCalls);
setInterval(() => document.querySelectorAll('time.duration')
  .forEach((t) => { t.textContent = duration(t.dataset.since, Date.now()); }), 1000);

if (token.get()) api('GET', '/api/v1/console/me').then(start, () => signOut(false));
