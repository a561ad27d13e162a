// The host side of the embedding API, as a tutorial page would write it.
const origin = window.location.origin;
const base = new URL('./', window.location.href);
const frames = new Map();

for (const frame of document.querySelectorAll('iframe[data-query]')) {
  // parent_origin: the frame only talks to, and listens to, this page's origin.
  const src = new URL(`?${frame.dataset.query}&embed=1&parent_origin=${encodeURIComponent(origin)}`, base);
  frame.src = src.href;
  frames.set(frame.id, { frame, ready: false, state: null });
}

window.addEventListener('message', (event) => {
  if (event.origin !== origin) return;
  const entry = [...frames.values()].find((f) => f.frame.contentWindow === event.source);
  const msg = event.data;
  if (!entry || !msg || typeof msg.type !== 'string') return;
  if (msg.type === 'conv-playground:ready') {
    entry.ready = true;
    entry.frame.dataset.ready = 'true';
  } else if (msg.type === 'conv-playground:resize' && Number.isFinite(msg.height)) {
    entry.frame.style.height = `${Math.min(Math.max(msg.height, 200), 4000)}px`;
  } else if (msg.type === 'conv-playground:state') {
    entry.state = msg.state;
    entry.frame.dataset.layer = msg.state.layer;
    if (entry.frame.id === 'pg-driven') {
      document.getElementById('driven-state').textContent = JSON.stringify(msg.state, null, 1);
    }
  }
});

for (const button of document.querySelectorAll('button[data-set]')) {
  button.addEventListener('click', () => {
    const target = frames.get('pg-driven').frame.contentWindow;
    target.postMessage({ type: 'conv-playground:set', state: JSON.parse(button.dataset.set) }, origin);
  });
}
