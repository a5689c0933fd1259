import { contextBridge, ipcRenderer } from 'electron';
import { createCaptureBridge } from './capture-bridge.js';
import { CAPTURE_BRIDGE_NAME } from '../../../shared/capture-contract.js';

/**
 * The preload of the hidden capture page (contextIsolation on, sandboxed):
 * the page gets `window.trayvncCapture` and nothing else. Bundled into one
 * CommonJS file, as a sandboxed preload cannot load other files.
 */
contextBridge.exposeInMainWorld(CAPTURE_BRIDGE_NAME, createCaptureBridge(ipcRenderer));
