import './viewer.css';
import './panels.css';
import { statusText, type ViewerStatus } from './connection-status.js';
import { Controls, applySettings } from './controls.js';
import { element } from './dom.js';
import { LiveFigures } from './live-figures.js';
import { Prompts } from './prompts.js';
import { attachTouchKeyboard } from './touch-keyboard.js';
import { ViewerConnection } from './viewer-connection.js';
import { viewerAddress } from './viewer-url.js';

/**
 * The bundled browser viewer (`/viewer` on the dashboard's port): noVNC
 * connected to this server's /websockify, with a toolbar around it.
 */

const address = viewerAddress(location.href);
// The invitation has done its job once read: keep it out of the address bar, history and bookmarks.
if (address.cleanHref !== null) history.replaceState(history.state, '', address.cleanHref);

const screen = element('screen', HTMLElement);
const statusLine = element('status', HTMLElement);
const statusTextEl = element('status-text', HTMLElement);
const notice = element('screen-notice', HTMLElement);
const connectionButton = element('connection', HTMLButtonElement);
const figures = new LiveFigures(element('fps', HTMLOutputElement), element('bandwidth', HTMLOutputElement));
const prompts = new Prompts();
let status: ViewerStatus = { kind: 'connecting' };

const connection: ViewerConnection = new ViewerConnection(screen, address.socketUrl, {
  status(s) {
    status = s;
    statusLine.dataset['kind'] = s.kind;
    statusTextEl.textContent = statusText(s);
    // Disconnected for good: the reason also fills the empty screen, where someone who just opened a link looks.
    notice.textContent = s.kind === 'disconnected' ? statusText(s) : '';
    notice.hidden = s.kind !== 'disconnected';
    connectionButton.textContent = s.kind === 'disconnected' ? 'Connect' : 'Disconnect';
    controls.setConnected(s.kind === 'connected');
    document.title = s.kind === 'connected' && s.desktopName ? `${s.desktopName} — TrayVNC viewer` : 'TrayVNC viewer';
  },
  created(rfb, socket) {
    // Around the desktop: the page's own background, light or dark.
    rfb.background = 'var(--screen-bg)';
    applySettings(rfb, controls.settings);
    figures.attach(rfb, socket);
  },
  ended() {
    figures.detach();
    prompts.cancelAll();
  },
  clipboard: (text) => controls.showClipboard(text),
  askCredentials: (types) => prompts.askCredentials(types),
  askTrust: (key) => prompts.askTrust(key),
});
const controls = new Controls(() => connection.rfb);

connectionButton.addEventListener('click', () => {
  if (status.kind === 'disconnected') connection.connect();
  else connection.disconnect();
});

attachTouchKeyboard(
  (keysym, code) => connection.rfb?.sendKey(keysym, code),
  () => status.kind === 'connected' && !controls.settings.viewOnly,
);

connection.connect();
