// Test harness around noVNC's RFB object. The page's driver (test/support/novnc-browser.ts)
// calls window.harness.connect(url, options) and reads the recorded state.
import RFB from '/core/rfb.js';

const state = {
  rfb: null,
  connected: false,
  disconnected: null, // { clean } once disconnected
  securityFailure: null,
  desktopName: null,
  capabilities: null,
  clipboard: [],
  events: [],
};

function record(type, detail) {
  state.events.push({ type, detail, at: Date.now() });
  if (state.events.length > 500) state.events.shift();
}

window.harness = {
  state,
  connect(url, options) {
    // noVNC always asks for JPEG quality 6; unless options.jpeg, leave the quality levels (-32..-23) out of its
    // SetEncodings so Tight stays lossless and the canvas can be compared pixel for pixel.
    if (!options.jpeg && !RFB.messages.clientEncodingsAsShipped) {
      RFB.messages.clientEncodingsAsShipped = RFB.messages.clientEncodings;
      RFB.messages.clientEncodings = (sock, encodings) =>
        RFB.messages.clientEncodingsAsShipped(sock, encodings.filter((e) => e < -32 || e > -23));
    }
    const credentials = options.password === undefined ? undefined : { password: options.password, ...(options.username ? { username: options.username } : {}) };
    const rfb = new RFB(document.getElementById('screen'), url, {
      shared: options.shared ?? true,
      credentials,
      wsProtocols: options.wsProtocols ?? [],
    });
    state.rfb = rfb;
    window.rfb = rfb;
    rfb.scaleViewport = false;
    rfb.clipViewport = false;
    rfb.resizeSession = false;
    rfb.addEventListener('connect', () => {
      state.connected = true;
      record('connect', {});
    });
    rfb.addEventListener('disconnect', (e) => {
      state.connected = false;
      state.disconnected = { clean: e.detail.clean };
      record('disconnect', e.detail);
    });
    rfb.addEventListener('credentialsrequired', (e) => {
      record('credentialsrequired', e.detail);
      if (credentials) rfb.sendCredentials(credentials);
    });
    // RSA-AES (RA2ne): noVNC waits until the user approves the server's key; record it and approve.
    rfb.addEventListener('serververification', (e) => {
      const key = e.detail.publickey;
      record('serververification', { type: e.detail.type, publickey: Array.from(key, (b) => b.toString(16).padStart(2, '0')).join('') });
      if (options.approveServer ?? true) rfb.approveServer();
    });
    rfb.addEventListener('securityfailure', (e) => {
      state.securityFailure = e.detail;
      record('securityfailure', e.detail);
    });
    rfb.addEventListener('clipboard', (e) => {
      state.clipboard.push(e.detail.text);
      record('clipboard', e.detail);
    });
    rfb.addEventListener('desktopname', (e) => {
      state.desktopName = e.detail.name;
      record('desktopname', e.detail);
    });
    rfb.addEventListener('capabilities', (e) => {
      state.capabilities = { ...e.detail.capabilities };
      record('capabilities', e.detail);
    });
    rfb.addEventListener('bell', () => record('bell', {}));
  },
  /** A copy of the recorded state (structured-clone friendly). */
  snapshot() {
    const { rfb, ...rest } = state;
    return JSON.parse(JSON.stringify(rest));
  },
  canvasSize() {
    const canvas = this.canvas();
    return canvas ? [canvas.width, canvas.height] : [0, 0];
  },
  canvasOrigin() {
    const canvas = this.canvas();
    if (!canvas) return [0, 0];
    const r = canvas.getBoundingClientRect();
    return [r.left, r.top];
  },
  clipboardPasteFrom(text) {
    state.rfb.clipboardPasteFrom(text);
  },
  focus() {
    state.rfb.focus();
  },
  sendKey(keysym, code, down) {
    state.rfb.sendKey(keysym, code, down === null ? undefined : down);
  },
  /** Turn resizeSession on (again): noVNC compares its container with the desktop and asks for the difference. */
  requestResize() {
    state.rfb.resizeSession = false;
    state.rfb.resizeSession = true;
  },
  disconnect() {
    if (state.rfb) state.rfb.disconnect();
  },
  canvas() {
    return document.querySelector('#screen canvas');
  },
  /** The canvas as { width, height, x, y, base64 RGBA }. */
  canvasPixels() {
    const canvas = this.canvas();
    if (!canvas || canvas.width === 0 || canvas.height === 0) return { width: 0, height: 0, x: 0, y: 0, rgba: '' };
    const ctx = canvas.getContext('2d');
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let bin = '';
    const step = 0x8000;
    for (let i = 0; i < data.length; i += step) bin += String.fromCharCode.apply(null, data.subarray(i, i + step));
    const r = canvas.getBoundingClientRect();
    return { width: canvas.width, height: canvas.height, x: r.left, y: r.top, rgba: btoa(bin) };
  },
};
