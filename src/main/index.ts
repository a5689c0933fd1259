/**
 * TrayVNC as a library: the service that shares a desktop, the RFB server on
 * its own, configuration, metrics, logging and the performance monitor.
 */
export { VncService } from './app/vnc-service.js';
export { CaptureLoop, type CaptureLoopOptions } from './app/capture-loop.js';
export {
  ConfigError,
  ConfigSchema,
  parseConfig,
  readConfigFile,
  resolveHost,
  resolvePassword,
  type Config,
  type ConfigInput,
} from './app/config.js';
export { RfbServer, DEFAULT_SERVER_OPTIONS, type RfbServerEvents, type RfbServerOptions } from './rfb/server.js';
export type { InputMessage, Session, UpdateStats } from './rfb/session.js';
export type { RectStats } from './rfb/encodings/encode-manager.js';
export { encodingName, Encoding, PseudoEncoding } from './rfb/constants.js';
export {
  chooseDesktopBackend,
  createScreenSource,
  screenSourceFor,
  SyntheticScreen,
  type BackendChoice,
  type BackendChoiceInput,
  type DesktopBackend,
  type ScreenSource,
} from './desktop/index.js';
export { createFrame, type Frame } from './framebuffer/frame.js';
export type { Rect } from './framebuffer/rect.js';

export { configureLogging, getLogger, type LogFormat, type LoggingOptions, type LogLevel, type Logger } from './base/logger.js';
export { LogContext, type LogContextApi, type LogContextFields } from './base/log-context.js';
export { formatPretty, prettyDestination } from './base/pretty.js';
export {
  PrometheusExporter,
  REFUSAL_CATEGORIES,
  refusalCategory,
  type PrometheusExporterOptions,
  type RefusalCategory,
} from './telemetry/metrics.js';
export { DEFAULT_METRICS_PORT, startMetricsServer, type MetricsServer, type MetricsServerOptions } from './telemetry/http.js';
export {
  PerformanceMonitor,
  type ClientPerf,
  type OverallPerf,
  type PerfFigures,
  type PerfSnapshot,
  type PerformanceMonitorOptions,
} from './telemetry/monitor.js';
export { Telemetry, type TelemetryOptions } from './telemetry/telemetry.js';
export { tapTiming, type CaptureTiming, type TimingSource } from './telemetry/timing-tap.js';
