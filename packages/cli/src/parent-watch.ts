/**
 * Imported first (`node --import tsx --import parent-watch.ts entry.ts`) by every process the
 * supervisor starts. The supervisor gives each child an IPC channel; the kernel closes it when the
 * supervisor dies for any reason, SIGKILL included. The child then shuts itself down as if it had
 * been sent SIGTERM, and is killed regardless once the grace period is over: no orphans.
 */
import { Worker } from 'node:worker_threads';

const GRACE_MS = 10_000;

/**
 * The deadline runs on its own thread: a main thread stuck in synchronous code cannot run a timer.
 * (Measured here: pino's exit-time flush to a stdout whose reader has died retries EPIPE forever
 * in sonic-boom 4.2's flushSync, blocking the main thread inside `process.exit`.)
 */
function killAfter(ms: number): void {
  const watchdog = new Worker(`setTimeout(() => process.kill(${process.pid}, 'SIGKILL'), ${ms});`, {
    eval: true,
    execArgv: [],
    stdout: true,
    stderr: true,
  });
  watchdog.unref();
}

if (typeof process.send === 'function' && process.channel) {
  process.once('disconnect', () => {
    killAfter(GRACE_MS);
    // stdout and stderr went with the supervisor: once the service's cleanup is done and it calls
    // process.exit, nothing is left to flush to, so skip the exit hooks that would try forever.
    process.prependListener('exit', () => process.kill(process.pid, 'SIGKILL'));
    // Same path as a supervisor's SIGTERM: the service's own shutdown hook runs (core's onShutdown).
    process.kill(process.pid, 'SIGTERM');
  });
  // The channel must not keep a finished process alive; the 'disconnect' event still arrives.
  process.channel.unref();
}
