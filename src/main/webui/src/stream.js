// The live event stream read with fetch: EventSource cannot send an Authorization header.
import { token, problemOf } from './api.js';

const RETRY_MS = [1000, 2000, 5000, 10000];

/**
 * Keeps GET /api/v1/events open, calls onEvent(type, data) per event and onState(state, detail)
 * with 'connecting', 'live', 'reconnecting' (with the seconds until the next try) or 'stopped'
 * (with the reason: a refused credential is not retried). Returns a function that stops it.
 */
export function openStream(onEvent, onState) {
  let stopped = false;
  let controller = null;
  let failures = 0;

  async function run() {
    while (!stopped) {
      onState(failures === 0 ? 'connecting' : 'reconnecting', null);
      controller = new AbortController();
      try {
        const response = await fetch('/api/v1/events', {
          headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token.get()}` },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (response.status === 401 || response.status === 403) {
          const problem = await problemOf(response);
          onState('stopped', problem.message);
          return;
        }
        if (!response.ok || !response.body) throw new Error(`status ${response.status}`);
        await read(response.body, (type, data) => {
          if (type === 'ready') { failures = 0; onState('live', null); }
          onEvent(type, data);
        });
      } catch (e) {
        if (stopped) return;
      }
      if (stopped) return;
      const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)];
      failures++;
      onState('reconnecting', Math.round(wait / 1000));
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  run();
  return () => { stopped = true; if (controller) controller.abort(); };
}

async function read(body, dispatch) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length === 0 && type === 'message') continue;
      let parsed = null;
      try { parsed = JSON.parse(data.join('\n')); } catch (_) { parsed = null; }
      dispatch(type, parsed);
    }
  }
}
