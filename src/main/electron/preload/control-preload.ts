import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_NAME } from '../../../shared/control-contract.js';
import { createControlBridge } from './control-bridge.js';

/**
 * The preload of TrayVNC's windows (contextIsolation on, sandboxed renderer):
 * the page gets `window.trayvnc`, the control API's methods and events, and
 * nothing else of Electron or Node. A sandboxed preload cannot load files, so
 * this is bundled (with the contract it imports) into one CommonJS file.
 */
contextBridge.exposeInMainWorld(BRIDGE_NAME, createControlBridge(ipcRenderer));
