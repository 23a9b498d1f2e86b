export type { LogFormat, LogStream } from './log-format.js';
export { assertSafeHost, isLoopback, type Mesh, meshEnv, type StartMeshOptions, startMesh } from './mesh.js';
export type { LogLineMeta, LogSink } from './output.js';
export { ensureServiceSecret, type ServiceSecret } from './secret.js';
export {
  DATA_SERVERS,
  localBaseUrl,
  meshServices,
  meshUrls,
  SERVICE_NAMES,
  type ServiceName,
  type ServiceSpec,
  selectServices,
} from './services.js';
export { type BackoffPolicy, type ServiceState, type ServiceStatus, Supervisor } from './supervisor.js';
export { ensureWebBuilt, webBuildIsCurrent } from './web-build.js';
