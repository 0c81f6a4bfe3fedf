// The server's state from /health and /metrics, refreshed while the page is visible.
import { getHealth, getText } from './api.js';
import { fillList } from './view.js';

const REFRESH_MS = 2000;

/** name{labels} value → [{name, labels, value}], ignoring comments (Prometheus text format). */
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) {
      continue;
    }
    const labels = {};
    for (const pair of (m[3] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]] = pair[2];
    }
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return samples;
}

function metric(samples, name) {
  const s = samples.find((x) => x.name === name);
  return s ? s.value : null;
}

function percent(ratio) {
  return ratio == null || Number.isNaN(ratio) ? '—' : `${(ratio * 100).toFixed(1)} %`;
}

/** Rows for the status list: whatever /health says (status and devices), then a few metrics. */
export function statusRows(health, samples) {
  const rows = [];
  const body = health.body || {};
  const status = body.status || (body.error && (body.error.code || body.error.message)) || `HTTP ${health.httpStatus}`;
  rows.push(['status', 'Status', String(status)]);
  if (body.device) {
    rows.push(['device', 'Serving device', String(body.device)]);
  }
  const devices = Array.isArray(body.devices) ? body.devices : [];
  for (const d of devices) {
    const name = d.device || '?';
    const state = d.state ? ` (${d.state})` : '';
    rows.push([`running:${name}`, `Running on ${name}${state}`, String(d.running ?? '—')]);
    rows.push([`waiting:${name}`, `Waiting on ${name}`, String(d.waiting ?? '—')]);
    rows.push([`kv:${name}`, `KV blocks on ${name}`, `${d.kv_blocks_used ?? '—'} / ${d.kv_blocks_total ?? '—'}`]);
  }
  if (samples) {
    if (devices.length === 0) {
      const running = metric(samples, 'ovserve_num_requests_running');
      const waiting = metric(samples, 'ovserve_num_requests_waiting');
      if (running != null) rows.push(['running', 'Running', String(running)]);
      if (waiting != null) rows.push(['waiting', 'Waiting', String(waiting)]);
    }
    rows.push(['kv-usage', 'KV cache in use', percent(metric(samples, 'ovserve_kv_cache_usage_ratio'))]);
    rows.push(['prefix-hit-rate', 'Prefix-cache hit rate', percent(metric(samples, 'ovserve_prefix_cache_hit_rate'))]);
    const generated = metric(samples, 'ovserve_generation_tokens_total');
    if (generated != null) rows.push(['generated', 'Tokens generated', String(generated)]);
  }
  return rows;
}

/** Starts refreshing `dl`; returns a function that refreshes at once (e.g. after a reply). */
export function startStatus(dl, updatedNode) {
  let busy = false;
  async function refresh() {
    if (busy) {
      return;
    }
    busy = true;
    try {
      const health = await getHealth().catch(() => ({ httpStatus: 0, body: { status: 'unreachable' } }));
      const samples = await getText('/metrics').then(parseMetrics).catch(() => null);
      fillList(dl, statusRows(health, samples));
      updatedNode.textContent = `updated ${new Date().toLocaleTimeString()}`;
    } finally {
      busy = false;
    }
  }
  setInterval(() => {
    if (document.visibilityState === 'visible') {
      refresh();
    }
  }, REFRESH_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      refresh();
    }
  });
  refresh();
  return refresh;
}
